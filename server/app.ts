// Owns assembling the application: createApp(deps) -> { app, httpServer, io, close() }. Middleware,
// routes, sockets, and the error handler last. No listen, no process.env, no module-level state.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Response } from 'express';
import compression from 'compression';
import type { Server } from 'socket.io';
import type { Config, RateLimit } from './config';
import type { Store } from './db/store';
import type { Deps } from './deps';
import { AppError, errorMiddleware, notFoundApi, type ErrorBody } from './errors';
import { requestLogger, type Logger } from './log';
import { paths } from './paths';
import { strings } from './i18n/strings';
import { msg } from './i18n/messages';
import { createAssets } from './http/assets';
import { compressWhenUseful } from './http/http.compression';
import type { HttpContext } from './http/http.context';
import { articlesRouter } from './articles/articles.routes';
import { commentsRouter } from './comments/comments.routes';
import { registerCommentEvents } from './comments/comments.socket';
import { createCatchUps } from './comments/comments.catchup';
import { createPageCache, type PageCache } from './comments/comments.cache';
import { clientTemplateScript, compileCommentTemplate } from './comments/comments.html';
import { timeFormatScript } from './i18n/time';
import { bodyRenderScript } from './comments/comments.render';
import { staffRouter } from './comments/staff.routes';
import { langOf, type LangSource } from './i18n/lang';
import { withLang } from './i18n/request-lang';
import { createFormErrorStore } from './comments/form-errors';
import { listArticles } from './articles/articles.service';
import { adminRouter } from './moderation/moderation.routes';
import { adminPagesRouter } from './moderation/admin.pages';
import { registerModerationNamespace } from './moderation/moderation.socket';
import { createModerationPolicy } from './moderation/moderation.policy';
import { startBackpressure } from './realtime/backpressure';
import { startFlowControl, type FlowControl } from './realtime/flow';
import { createIo } from './realtime/io';
import { createPublisher } from './realtime/publish';
import { createLocalWrites } from './realtime/local-writes';
import { capturePeers, createClientIp } from './security/client-ip';
import { csrfGuard } from './security/origin';
import { createIpHasher } from './security/ip';
import { createConnectionLimiter, createRateLimiter, memoryRateLimiter, type LimiterName, type Limiters, type RateLimiter } from './security/rate';
import { createRedisRateLimiter } from './security/rate.redis';
import { connectRedis, type SharedRedis } from './shared/redis';
import { createMetrics, metricsRoute } from './ops/metrics';
import type { Secrets } from './security/secrets';
import { securityHeaders } from './security/headers';
import { hostGuard } from './security/host';
import { getRateLimit } from './security/get-limit';
import { createMaintenance, type Maintenance } from './maintenance/schedule';
import { feedsRouter } from './transfer/feeds.routes';
import { mineRouter } from './transfer/mine.routes';
import { createNotifications, type Notifications } from './notify/notify.app';
import { createSiteRegistry } from './embed/embed.sites';
import { embedRouter } from './embed/embed.routes';
import { registerEmbedEvents, useEmbedIdentity } from './embed/embed.socket';
import { embedAssetsRouter } from './embed/embed.assets';
import { heatRouter } from './heat/heat.routes';
import { registerHeatEvents } from './heat/heat.socket';
import { createSocketEvents } from './realtime/socket.handler';
import { whenReady } from './shared/maybe';
import { moderatorCookie } from './heat/staff';
import { createTyping, typingEmitter } from './heat/typing';
import { redisTypingBoard } from './heat/typing.redis';
import { createHeatWatch, type HeatWatch } from './heat/pulse';

/** After SIGTERM, in-flight requests get this long before their connections are cut. */
const SHUTDOWN_GRACE_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface AppDeps {
  config: Readonly<Config>;
  store: Store;
  log: Logger;
  secrets: Secrets;
  now?: () => number;
  /** This node's id among several (Redis keys); random when not given. */
  nodeId?: string;
  /** Database pool connections, for /metrics (main passes the PostgreSQL pool's). */
  poolStats?: () => { inUse: number; total: number; waiting: number };
}

export interface App {
  app: express.Express;
  httpServer: http.Server;
  io: Server;
  deps: Deps;
  /** Scheduled chores (pruning); started here, stopped by close(). */
  maintenance: Maintenance;
  /** First pages and article pages by article seq (PAGE_CACHE_BYTES). */
  pageCache: PageCache;
  /** Reply inbox, mail and webhooks (notify/): its worker is started here and stopped by close(). */
  notify: Notifications;
  /** The heat alarm and the console's pulse (heat/pulse.ts); started here, stopped by close(). */
  heat: HeatWatch;
  /** Reader acks: per-connection accounting (tests, diagnostics). */
  flow: FlowControl;
  /**
   * Drains: refuses new connections at once, answers in-flight requests with Connection: close, then
   * closes idle connections and every socket. The store stays open (main owns it). idleLingerMs keeps
   * idle kept-alive connections open that long first, for requests already on the wire (main passes it;
   * tests, with no client mid-request, close at once).
   */
  close(opts?: { idleLingerMs?: number }): Promise<void>;
}

/** The Socket.IO browser client, served as one of our hashed assets (its source map is not shipped). */
function socketIoClientSource(): string {
  const file = path.join(path.dirname(require.resolve('socket.io/package.json')), 'client-dist', 'socket.io.min.js');
  return fs.readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/, '\n');
}

/** In memory on one node; in Redis (shared by every node) with REDIS_URL, but for the per-socket ones. */
function createLimiters(config: Config, now: () => number, redis: SharedRedis | undefined): Limiters {
  const r = config.rateLimits;
  const make = (name: LimiterName, limit: RateLimit): RateLimiter =>
    redis ? createRedisRateLimiter(redis, name, limit) : memoryRateLimiter(createRateLimiter(limit, now));
  return {
    get: make('get', r.get),
    postAttempt: make('postAttempt', r.postAttempt),
    edit: make('edit', r.edit),
    like: make('like', r.like),
    report: make('report', r.report),
    login: make('login', r.login),
    socketConnect: make('socketConnect', r.socketConnectPerIp),
    // Per socket, kept on the socket: a socket lives on one node, so its counts stay there (no Redis round trip per event).
    socketEvents: createConnectionLimiter('socketEvents', r.socketEvents, now),
    join: createConnectionLimiter('join', r.join, now),
    joinPerIp: make('joinPerIp', r.joinPerIp),
  };
}

/** The route a request matched (its pattern, never the raw path), for metrics and request lines. */
function routeOf(req: { route?: { path?: unknown }; baseUrl?: string }): string {
  return typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : 'other';
}

export function createApp(input: AppDeps): App {
  const { config, store, log, secrets } = input;
  const now = input.now ?? Date.now;
  const app = express();
  const httpServer = http.createServer(app);
  capturePeers(httpServer);
  const clientIp = createClientIp(config.trustProxy);
  const ipHash = createIpHasher(secrets.ipHashKey);
  const nodeId = input.nodeId ?? randomUUID().slice(0, 8);
  const redis = config.redisUrl ? connectRedis(config.redisUrl, config.redisPrefix, nodeId, log) : undefined;
  const limiters = createLimiters(config, now, redis);
  const metrics = createMetrics(store, input.poolStats);
  const policy = createModerationPolicy(store, now);

  // publish is bound once io exists; services only ever see the function.
  let publishTo: Deps['publish'] = () => undefined;
  // Every comment write may have left notifications in the outbox: the worker is nudged after each.
  const writes = createLocalWrites();
  const deps: Deps = { store, now, config, log, policy, writes, publish: (e) => (publishTo(e), notify.nudgeFor(e)) };
  const sites = createSiteRegistry(store);
  const allowOrigin = (origin: string) => whenReady(sites.forOrigin(origin), (site) => site !== undefined);
  const { io, presence, connections } = createIo(httpServer, { deps, limiters, clientIp, ipHash, redis, allowOrigin });
  useEmbedIdentity(io, deps, sites);
  publishTo = createPublisher(io, undefined, metrics, writes, { clustered: redis !== undefined });
  const notify = createNotifications({ ...deps, secrets });
  // Several nodes add up their typists in Redis; each node tells its own readers the total.
  const typing = createTyping({
    now,
    emit: typingEmitter(io),
    board: redis ? redisTypingBoard(redis, log) : undefined,
    onError: (err) => log.warn('typing tick failed', { error: String(err) }),
  });
  metrics.attach(io);
  // Held connections are bounded by their ack patience (flow.ts), not by the queue sweep.
  const backpressure = startBackpressure(io, { maxBytes: config.socketMaxQueueBytes, maxPackets: config.socketMaxQueuePackets }, log, undefined, (id) => flow.stateOf(id)?.held === true);
  const flow = startFlowControl(io, { maxBytes: config.socketMaxUnackedBytes, maxPackets: config.socketMaxUnackedPackets, patienceMs: config.socketAckPatienceMs }, log);
  metrics.watchFlow(() => ({ held: flow.held(), droppedUnacked: flow.dropped(), droppedQueue: backpressure.dropped() }));

  const commentTemplate = compileCommentTemplate();
  const clientTemplate = clientTemplateScript();
  const assets = createAssets({
    'js/comment-template.js': clientTemplate.source,
    'js/time-format.js': timeFormatScript(),
    'js/body-render.js': bodyRenderScript(),
    'js/socket.io.min.js': socketIoClientSource(),
  });
  const pageCache = createPageCache(config.pageCacheBytes);
  const ctx: HttpContext = {
    deps, assets, commentTemplate, formSecret: secrets.sessionSecret, limiters, clientIp, ipHash, secrets, pageCache,
    formErrors: createFormErrorStore(now), notify: notify.shared, sites,
  };

  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', paths.views());
  // Templates are compiled once and cached, in every environment.
  app.set('view cache', true);

  // Requests being answered, so that a shutdown can tell them (Connection: close) and wait for them.
  let draining = false;
  const inFlight = new Set<Response>();
  let onIdle: (() => void) | undefined;
  app.use((_req, res, next) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (!inFlight.size) onIdle?.();
    });
    if (draining) res.setHeader('Connection', 'close');
    next();
  });
  // Liveness (the process answers) and readiness (it should get traffic: not draining, storage writable).
  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (draining) return void res.status(503).json({ status: 'draining' });
    const [health, redisOk] = await Promise.all([store.health(), redis ? redis.ping() : true]);
    if (!health.ok) res.status(503).json({ status: health.code });
    else if (!redisOk) res.status(503).json({ status: 'redis_unavailable' });
    else res.json({ status: 'ready' });
  });
  app.get('/metrics', metricsRoute(metrics, config.metricsToken));

  app.use(requestLogger(log, (req) => routeOf(req as express.Request)));
  app.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => end({ method: req.method, route: routeOf(req), status: String(res.statusCode) }));
    next();
  });
  // Every message made while answering a request (errors, refusals) reads in the request's language.
  app.use((req, res, next) => {
    const { done } = withLang(langOf(req as LangSource, config.defaultLang), next);
    res.once('close', done);
  });
  app.use(hostGuard(config.allowedHosts));
  app.use(securityHeaders());
  app.use(compressWhenUseful(compression({ threshold: 1024 })));
  app.use(assets.router);
  app.use(getRateLimit(limiters.get, clientIp, ipHash));
  app.use(embedAssetsRouter());
  // Bearer-only and exact-origin CORS: no cookie rides on these requests, so the cookie CSRF check does not apply.
  app.use(embedRouter(ctx, sites));
  app.use(csrfGuard(config.allowedOrigins));

  app.use(articlesRouter(ctx));
  app.use(commentsRouter(ctx));
  app.use(staffRouter(ctx));
  app.use(adminRouter(ctx));
  app.use(adminPagesRouter(ctx));
  app.use(feedsRouter(ctx));
  app.use(mineRouter(ctx));
  app.use(notify.routers(ctx));
  app.use(heatRouter(ctx));
  app.use('/api', notFoundApi);

  const renderError = (res: Response, status: number, body: ErrorBody) => {
    const t = strings();
    const heading = status === 404 ? t.notFoundTitle : t.errorTitle;
    const message = status === 404 && body.code === 'not_found' ? t.notFoundBody : body.message;
    listArticles(store)
      .catch(() => [])
      .then((articles) => res.render('error', { t, assets, pageTitle: `${heading} · ${t.siteName}`, heading, message, articles }));
  };
  app.use((_req, _res, next) => next(new AppError('not_found', 404, msg('not_found_page'))));
  app.use(errorMiddleware(log, renderError));

  const catchUps = createCatchUps(deps);
  // Bound once: a labelled inc() hashes its labels on every call, and a reconnect storm is thousands of joins.
  const joinsWith = { catchUp: metrics.joins.labels('true'), plain: metrics.joins.labels('false') };
  // The reader namespace's events, one table for every connection (realtime/socket.handler.ts).
  const events = createSocketEvents();
  events.signal('join', (_socket, p) => ((p as { since?: unknown } | null)?.since !== undefined ? joinsWith.catchUp : joinsWith.plain).inc());
  registerCommentEvents(events, { deps, limiters, presence, catchUps, exempt: (s) => moderatorCookie(deps, secrets.sessionSecret, s.request.headers.cookie) });
  registerEmbedEvents(events, { deps, limiters });
  registerHeatEvents(events, { deps, limiters, typing });
  io.on('connection', (socket) => events.attach(socket));
  registerModerationNamespace(io, ctx);

  const maintenance = createMaintenance({ store, now, log, intervalMs: config.maintenanceIntervalMs });
  maintenance.start();
  notify.start();
  const heat = createHeatWatch(deps);
  heat.start();

  let closing: Promise<void> | undefined;
  const close = (opts: { idleLingerMs?: number } = {}) => (closing ??= drain(opts.idleLingerMs ?? 0));
  const drain = async (idleLingerMs: number) => {
    draining = true;
    presence.stop();
    typing.stop();
    connections.stop();
    metrics.stop();
    maintenance.stop();
    heat.stop();
    backpressure.stop();
    await notify.stop();
    flow.stop();
    // In-flight responses not started yet tell their client not to reuse the connection; Node closes
    // it after the response.
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    // Refuse new connections now. Not http.Server.close(): it also destroys idle keep-alive connections
    // at once, and a client whose next request is already on the wire gets a reset (ECONNRESET) for a
    // request it cannot know was not processed.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(httpServer, () => resolve()));
    // Whatever lingers past the grace period is cut.
    const cut = setTimeout(() => httpServer.closeAllConnections(), SHUTDOWN_GRACE_MS);
    cut.unref();
    // A request that arrives on a kept-alive connection meanwhile is answered, with Connection: close.
    if (idleLingerMs > 0) await sleep(idleLingerMs);
    httpServer.closeIdleConnections();
    if (inFlight.size) await new Promise<void>((resolve) => (onIdle = resolve));
    httpServer.closeIdleConnections();
    // io.close disconnects every socket, then closes the HTTP server (already closed: its error is moot).
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await closed;
    clearTimeout(cut);
    await redis?.close();
  };

  return { app, httpServer, io, deps, maintenance, pageCache, notify, heat, flow, close };
}

