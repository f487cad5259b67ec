// Owns the Prometheus metrics of one node (prom-client, a registry per app) and GET /metrics, which is
// closed unless METRICS_TOKEN is set (404) and then asks for it as a Bearer token (401 otherwise).
import { timingSafeEqual, createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Server } from 'socket.io';
import type { Store } from '../db/store';
import { MODERATION_NAMESPACE } from '../realtime/rooms';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  joins: Counter<'catchup'>;
  commentsPosted: Counter;
  fanoutSeconds: Histogram<'event'>;
  seqGaps: Counter<'outcome'>;
  /** Starts the collectors that need io (sockets) and the event-loop monitor. */
  attach(io: Server): void;
  /** Reads the flow-control totals (realtime/flow.ts, backpressure.ts) at each scrape. */
  watchFlow(totals: () => FlowTotals): void;
  stop(): void;
}

/** Since start: connections held (owing an ack, or behind the bound), dropped for not acking, dropped by the queue sweep. */
export interface FlowTotals {
  held: number;
  droppedUnacked: number;
  droppedQueue: number;
}

/** Pooled database connections (the PostgreSQL pool, from main); SQLite has no pool. */
export type PoolStats = () => { inUse: number; total: number; waiting: number };

export function createMetrics(store: Store, poolStats?: PoolStats): Metrics {
  const registry = new Registry();
  const loop = monitorEventLoopDelay({ resolution: 20 });
  let io: Server | undefined;
  const httpDuration = new Histogram({
    name: 'yilun_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const joins = new Counter({ name: 'yilun_joins_total', help: 'Article joins answered; catchup="true" when they asked for a catch-up', labelNames: ['catchup'] as const, registers: [registry] });
  const commentsPosted = new Counter({ name: 'yilun_comments_posted_total', help: 'Comments stored (any status) through this node', registers: [registry] });
  const fanoutSeconds = new Histogram({
    name: 'yilun_broadcast_fanout_seconds',
    help: 'Time to hand one live event to every local socket and the adapter',
    labelNames: ['event'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  });
  const seqGaps = new Counter({
    name: 'yilun_seq_gaps_total',
    help: 'Gaps in an article\'s seq order skipped by this node: outcome="foreign" at once (no local write could own them), "timeout" after waiting',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  let flowTotals: (() => FlowTotals) | undefined;
  const flowSeen: FlowTotals = { held: 0, droppedUnacked: 0, droppedQueue: 0 };
  new Counter({
    name: 'yilun_socket_flow_total',
    help: 'Connections held until their next ack (outcome="held"), dropped for not acking (dropped_unacked) or for output the queue sweep found waiting (dropped_queue)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const now = flowTotals?.();
      if (!now) return;
      // A counter only moves forward: each scrape adds what happened since the last one.
      this.inc({ outcome: 'held' }, now.held - flowSeen.held);
      this.inc({ outcome: 'dropped_unacked' }, now.droppedUnacked - flowSeen.droppedUnacked);
      this.inc({ outcome: 'dropped_queue' }, now.droppedQueue - flowSeen.droppedQueue);
      Object.assign(flowSeen, now);
    },
  });
  new Gauge({
    name: 'yilun_sockets_connected',
    help: 'Socket.IO connections open on this node',
    labelNames: ['namespace'] as const,
    registers: [registry],
    collect() {
      if (!io) return;
      this.set({ namespace: '/' }, io.of('/').sockets.size);
      this.set({ namespace: MODERATION_NAMESPACE }, io.of(MODERATION_NAMESPACE).sockets.size);
    },
  });
  new Gauge({
    name: 'yilun_moderation_queue_size',
    help: 'Comments waiting in the moderation queues',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const q = await store.moderation.queueCounts();
      this.set({ queue: 'pending' }, q.pending);
      this.set({ queue: 'reported' }, q.reported);
    },
  });
  new Gauge({
    name: 'yilun_event_loop_lag_seconds',
    help: 'Event-loop delay since the last scrape (p99 and max)',
    labelNames: ['stat'] as const,
    registers: [registry],
    collect() {
      this.set({ stat: 'p99' }, loop.percentile(99) / 1e9);
      this.set({ stat: 'max' }, loop.max / 1e9);
      loop.reset();
    },
  });
  new Gauge({
    name: 'yilun_db_pool_connections',
    help: 'Database pool connections (PostgreSQL store only)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = poolStats?.();
      if (!s) return;
      this.set({ state: 'in_use' }, s.inUse);
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  return {
    registry,
    httpDuration,
    joins,
    commentsPosted,
    fanoutSeconds,
    seqGaps,
    attach(server) {
      io = server;
      loop.enable();
    },
    watchFlow(totals) {
      flowTotals = totals;
    },
    stop() {
      loop.disable();
    },
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** GET /metrics: 404 without METRICS_TOKEN, 401 without the right Bearer token. */
export function metricsRoute(metrics: Metrics, token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return async (req, res, next) => {
    if (!expected) return next();
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    res.set('Cache-Control', 'no-store');
    if (!m || !timingSafeEqual(digest(m[1]), expected)) {
      res.set('WWW-Authenticate', 'Bearer').status(401).type('text/plain').send('unauthorized\n');
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
