// Owns the reader fleet, run as a separate process (so its CPU is not the server's): N socket.io
// connections joined to one article, recording when each reader first received each bench comment,
// and reconnecting all at once with since = the last seq each one saw. Commands arrive over IPC.
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { ACK_AUTH, sendAcks } from '../client/flow';
import { SeqTracker } from '../client/seq-tracker';

export type ReaderCommand =
  /**
   * stall: after joining, each reader stops reading its TCP socket but keeps sending pongs (bench stall);
   * with BENCH_STALL_RECONNECT=1 one that is dropped reconnects (0.5-1.5 s later, as socket.io would), joins
   * with the last seq it saw and stalls again.
   */
  /** spread: reader i connects from its own loopback address (127.1.x.y), so nginx's address hash spreads them (bench scale). */
  /** offset: this process's first reader index in the whole fleet (addresses stay distinct over processes). */
  /** live: like the page, a reader the server drops reconnects and catches up, and a seq gap is filled from the log (bench scale). */
  /** batch: handshakes in flight at once (default 250; a fleet of several processes shares 250 among them). */
  | { cmd: 'open'; url: string; origin: string; slug: string; n: number; offset?: number; batch?: number; stall?: boolean; spread?: boolean; live?: boolean }
  | { cmd: 'expect'; keys: string[] }
  | { cmd: 'awaitDropped' }
  | { cmd: 'rejoin' }
  | { cmd: 'collect' }
  | { cmd: 'close' };

export type ReaderReport =
  | { ev: 'opened'; n: number; ms: number }
  | { ev: 'complete'; at: number }
  | { ev: 'dropped'; n: number }
  | { ev: 'rejoined'; n: number; ms: number; resets: number; retries: number }
  | {
      ev: 'receipts';
      keys: Record<string, Float64Array>;
      duplicates: number;
      unexpected: number;
      presence: number;
      disconnects: number;
      connected: number;
      /** live readers: reconnects after a drop, joins that brought back changes, gap fills while connected, catch-ups the server refused (reset). */
      reconnects: number;
      catchUps: number;
      gapFills: number;
      resets: number;
      reasons: Record<string, number>;
      /** Stalled readers that reconnected after a drop and stalled again (BENCH_STALL_RECONNECT=1). */
      restalls: number;
    }
  | { ev: 'error'; message: string };

/** Comment bodies posted by the bench carry "#k<key>" so that any reader can tell which post it got. */
export const keyOf = (body: unknown): string | null => {
  const m = typeof body === 'string' ? /#k([\w-]+)/.exec(body) : null;
  return m ? m[1] : null;
};

interface Change {
  seq: number;
  id: number;
  comment: { body?: string } | null;
}

const wallNow = () => performance.timeOrigin + performance.now();
const send = (r: ReaderReport): void => void process.send!(r);

let sockets: Socket[] = [];
let slug = '';
let lastSeq: number[] = [];
let receipts = new Map<string, Float64Array>();
let duplicates = 0;
let unexpected = 0;
let expected = new Set<string>();
let seenExpected: number[] = [];
let complete = 0;
/** The last presence count the first reader heard: how many readers the server still counts. */
let presence = NaN;
/** Connections the server ended (a healthy reader must have none: the ack bound never drops it). */
let disconnects = 0;
const pongTimers = new Map<number, NodeJS.Timeout>();
/** Stalled readers that reconnected after a drop and stalled again (BENCH_STALL_RECONNECT=1). */
let restalls = 0;
let live = false;
let closing = false;
let trackers: SeqTracker[] = [];
let reconnects = 0;
let catchUps = 0;
let gapFills = 0;
let resets = 0;
/** Why the connections that ended did (socket.io's disconnect reasons). */
const reasons: Record<string, number> = {};

/** First delivery of a key to reader i counts; later ones (live event and catch-up overlapping) are duplicates. */
function receive(i: number, key: string | null, at: number): void {
  if (key === null) return;
  let times = receipts.get(key);
  if (!times) {
    times = new Float64Array(sockets.length).fill(NaN);
    receipts.set(key, times);
  }
  if (!Number.isNaN(times[i])) {
    duplicates++;
    return;
  }
  times[i] = at;
  if (!expected.has(key)) {
    unexpected++;
    return;
  }
  if (++seenExpected[i] === expected.size && ++complete === sockets.length) send({ ev: 'complete', at });
}

function join(i: number, since?: number, attempt = 1): Promise<{ reset: boolean }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`reader ${i}: join timed out`)), 60_000);
    sockets[i].emit('join', since === undefined ? { article: slug } : { article: slug, since }, (r: { ok: boolean; data?: { seq: number; reset?: boolean; changes?: Change[] }; error?: unknown }) => {
      clearTimeout(t);
      // A busy store (503 storage_busy, e.g. a pool of PostgreSQL connections all taken in a join storm)
      // asks to come back later: the page does, after its retryAfter, and so does the bench reader.
      const busy = (r.error as { code?: string } | undefined)?.code === 'storage_busy';
      if (busy && attempt < 5) return void setTimeout(() => join(i, since, attempt + 1).then(resolve, reject), 1000 + Math.random() * 1000);
      if (!r.ok || !r.data) return reject(new Error(`reader ${i}: join refused ${JSON.stringify(r.error)}`));
      const at = wallNow();
      const changes = r.data.changes ?? [];
      for (const ch of changes) receive(i, keyOf(ch.comment?.body), at);
      if (since !== undefined && changes.some((ch) => keyOf(ch.comment?.body) !== null)) catchUps++;
      lastSeq[i] = Math.max(lastSeq[i], r.data.seq);
      if (live) {
        if (r.data.reset) resets++;
        if (trackers[i]) trackers[i].covered(r.data.seq);
        else trackers[i] = newTracker(i, r.data.seq);
      }
      resolve({ reset: r.data.reset === true });
    });
  });
}

/**
 * Readers ack like the page (client/flow.ts); a stalled reader stops reading, so it stops acking too.
 * acks=false: a client from before acks (BENCH_STALL_ACKS=0 for the stalled fleet), bound by the queue sweep only.
 */
function connectOne(url: string, origin: string, i: number, spread = false, acks = true, addr = i): Promise<void> {
  const localAddress = spread ? `127.1.${Math.floor(addr / 250)}.${(addr % 250) + 1}` : undefined;
  const s = io(url, {
    transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000, extraHeaders: { origin },
    ...(localAddress ? { localAddress } : {}), ...(acks ? { auth: ACK_AUTH } : {}),
  });
  if (acks) sendAcks(s);
  sockets[i] = s;
  if (i === 0) s.on('presence', (e: { count: number }) => (presence = e.count));
  s.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    disconnects++;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
    // A live reader comes back as the page does and asks for everything after the last seq it holds in full.
    if (live && !closing) {
      reconnects++;
      trackers[i]?.joining();
      setTimeout(() => void reconnect(i).catch((err: Error) => send({ ev: 'error', message: err.message })), 500 + Math.random() * 1000);
    }
  });
  s.on('comment:created', (e: { seq: number; comment: { body?: string } | null }) => {
    receive(i, keyOf(e.comment?.body), wallNow());
    lastSeq[i] = Math.max(lastSeq[i], e.seq);
    trackers[i]?.saw(e.seq);
  });
  s.on('seq:advanced', (e: { seq: number }) => trackers[i]?.saw(e.seq));
  return new Promise((resolve, reject) => {
    let attempt = 1;
    s.once('connect', () => {
      s.off('connect_error', onError);
      resolve();
    });
    const onError = (err: Error) => {
      // A live reader retries a refused handshake (a 502 from nginx on a starved machine) as the page would.
      if (!live || attempt >= MAX_ATTEMPTS) {
        s.off('connect_error', onError);
        return reject(new Error(`reader ${i}: ${describe(err)}${attempt > 1 ? ` after ${attempt} attempts` : ''}`));
      }
      attempt++;
      retries++;
      setTimeout(() => s.connect(), 500 + Math.random() * 1000);
    };
    s.on('connect_error', onError);
  });
}

/**
 * A reader whose client stops reading (a frozen tab, a dead mobile link behind a proxy that still acks):
 * its TCP socket is paused, so everything the server sends piles up, but Engine.IO pongs keep leaving
 * ("3", the answer to the server's ping), so the heartbeat alone never drops it.
 */
function stall(i: number): void {
  const transport = sockets[i].io.engine.transport as unknown as { ws?: { _socket?: { pause(): void }; send(d: string): void; readyState: number } };
  const ws = transport.ws;
  if (!ws?._socket) throw new Error(`reader ${i}: no WebSocket to stall`);
  ws._socket.pause();
  const t = setInterval(() => ws.readyState === 1 && ws.send('3'), 5_000);
  t.unref();
  clearInterval(pongTimers.get(i));
  pongTimers.set(i, t);
}

/** A stalled reader that is dropped (it notices at its next pong) comes back, catches up, and stalls again. */
function stallAgainWhenDropped(i: number): void {
  sockets[i].once('disconnect', (reason) => {
    if (closing || reason === 'io client disconnect') return;
    setTimeout(() => {
      if (closing) return;
      reconnect(i).then(
        () => {
          restalls++;
          stall(i);
          stallAgainWhenDropped(i);
        },
        () => undefined,
      );
    }, 500 + Math.random() * 1000);
  });
}

/** The page's gap check (client/seq-tracker.ts): a gap still open after a short wait is filled by a join. */
function newTracker(i: number, seq: number): SeqTracker {
  const t: SeqTracker = new SeqTracker({
    seq,
    canFill: () => sockets[i].connected,
    fill: (since) => {
      gapFills++;
      join(i, since).catch(() => t.joinFailed(1000));
    },
  });
  return t;
}

/** Opens in batches: a few hundred handshakes in flight, not thousands, like readers arriving over a second or two. */
async function open(c: Extract<ReaderCommand, { cmd: 'open' }>): Promise<void> {
  const start = wallNow();
  slug = c.slug;
  live = c.live === true;
  trackers = new Array(c.n);
  sockets = new Array(c.n);
  lastSeq = new Array(c.n).fill(0);
  seenExpected = new Array(c.n).fill(0);
  const batch = c.batch ?? 250;
  for (let from = 0; from < c.n; from += batch) {
    const ids = Array.from({ length: Math.min(batch, c.n - from) }, (_, k) => from + k);
    const again = c.stall && process.env.BENCH_STALL_RECONNECT === '1';
    await Promise.all(
      ids.map((i) =>
        connectOne(c.url, c.origin, i, c.spread, !(c.stall && process.env.BENCH_STALL_ACKS === '0'), i + (c.offset ?? 0))
          .then(() => join(i))
          .then(() => c.stall && (stall(i), again && stallAgainWhenDropped(i))),
      ),
    );
  }
  send({ ev: 'opened', n: c.n, ms: wallNow() - start });
}

function awaitDropped(): void {
  let left = sockets.filter((s) => s.connected).length;
  if (left === 0) return send({ ev: 'dropped', n: sockets.length });
  for (const s of sockets) {
    if (!s.connected) continue;
    s.once('disconnect', () => {
      if (--left === 0) send({ ev: 'dropped', n: sockets.length });
    });
  }
}

const MAX_ATTEMPTS = 10;
let retries = 0;

function describe(err: Error & { description?: unknown }): string {
  const d = err.description as { message?: string; error?: { message?: string } } | string | undefined;
  const cause = typeof d === 'string' ? d : (d?.error?.message ?? d?.message);
  return cause ? `${err.message} (${cause})` : err.message;
}

/** Connects and joins with since = the last seq seen; a refused or reset handshake is retried after 0.5-1.5 s, as socket.io's own reconnection would. */
function reconnect(i: number, attempt = 1): Promise<{ reset: boolean }> {
  const s = sockets[i];
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      s.off('connect', onConnect);
      if (attempt >= MAX_ATTEMPTS) return reject(new Error(`reader ${i}: ${describe(err)} after ${attempt} attempts`));
      retries++;
      setTimeout(() => reconnect(i, attempt + 1).then(resolve, reject), 500 + Math.random() * 1000);
    };
    const onConnect = () => {
      s.off('connect_error', onError);
      join(i, live && trackers[i] ? trackers[i].seq : lastSeq[i]).then(resolve, reject);
    };
    s.once('connect', onConnect);
    s.once('connect_error', onError);
    s.connect();
  });
}

/** Every reader reconnects at the same moment and joins with the last seq it saw. */
async function rejoin(): Promise<void> {
  const start = wallNow();
  retries = 0;
  const results = await Promise.all(sockets.map((_, i) => reconnect(i)));
  send({ ev: 'rejoined', n: sockets.length, ms: wallNow() - start, resets: results.filter((r) => r.reset).length, retries });
}

function handle(c: ReaderCommand): void {
  const fail = (err: unknown) => send({ ev: 'error', message: err instanceof Error ? err.message : String(err) });
  switch (c.cmd) {
    case 'open':
      return void open(c).catch(fail);
    case 'expect':
      expected = new Set(c.keys);
      seenExpected = sockets.map((_, i) => c.keys.filter((k) => !Number.isNaN(receipts.get(k)?.[i] ?? NaN)).length);
      complete = seenExpected.filter((n) => n === expected.size).length;
      if (complete === sockets.length) send({ ev: 'complete', at: wallNow() });
      return;
    case 'awaitDropped':
      return awaitDropped();
    case 'rejoin':
      return void rejoin().catch(fail);
    case 'collect':
      send({
        ev: 'receipts',
        keys: Object.fromEntries(receipts),
        duplicates,
        unexpected,
        presence,
        disconnects,
        connected: sockets.filter((x) => x.connected).length,
        reconnects,
        catchUps,
        gapFills,
        resets,
        reasons,
        restalls,
      });
      receipts = new Map();
      duplicates = 0;
      unexpected = 0;
      return;
    case 'close':
      closing = true;
      for (const tr of trackers) tr?.stop();
      for (const t of pongTimers.values()) clearInterval(t);
      for (const s of sockets) s?.disconnect();
      setTimeout(() => process.exit(0), 100);
  }
}

if (require.main === module) {
  process.on('message', (m) => handle(m as ReaderCommand));
  // The parent went away (crashed or killed): do not linger with thousands of sockets.
  process.on('disconnect', () => process.exit(0));
}
