// Owns "N 人正在看": readers per article room, counted so that no network can inflate it past its cap
// (presence = the sum over networks of min(that network's sockets in the room, cap)), and coalesced so that
// 3,000 readers joining at once cost a handful of broadcasts, not 3,000. With several nodes, each node
// counts its own sockets and adds what the others report (presence.redis.ts); each node tells its own readers.
import type { Server } from 'socket.io';
import { articleRoom } from './rooms';

const PRESENCE_INTERVAL_MS = 1000;
/** A room's broadcast reaches every reader in it: past this many readers the interval grows with the room. */
const READERS_PER_INTERVAL = 500;
const MAX_INTERVAL_MS = 10_000;
const ARTICLE_ROOM = /^art:\d+$/;

/**
 * At most one broadcast per interval, 1 s for rooms up to 500 readers and one more second per 500 beyond (up to
 * 10 s): a broadcast costs one write per reader, so a room's presence costs about 500 writes a second however large
 * it grows. In a reconnect storm of 3,000 readers the broadcasts had cost as many writes as the catch-up itself
 * (bench --profile: 17% of the server's time); now one goes out every 6 s, the first one interval after the first
 * join (not at once). A joining reader has the count in its join answer already.
 */
export function presenceIntervalMs(readers: number): number {
  return Math.min(MAX_INTERVAL_MS, PRESENCE_INTERVAL_MS * Math.max(1, Math.ceil(readers / READERS_PER_INTERVAL)));
}

/** The clock and timer presence waits on (tests drive them by hand). */
export interface PresenceTimer {
  now(): number;
  after(ms: number, fn: () => void): { cancel(): void };
}

const realTimer: PresenceTimer = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

export interface Presence {
  /** Readers of the article over every node. */
  count(articleId: number): Promise<number>;
  /** Schedules one presence broadcast for the article (at most one per second). */
  changed(articleId: number): void;
  stop(): void;
}

interface RoomCount {
  /** Socket id -> its network, as it was when the socket joined. */
  members: Map<string, string>;
  perNetwork: Map<string, number>;
  /** Sum over networks of min(sockets, cap), kept up to date on every join and leave. */
  total: number;
}

/** Readers on the other nodes, as last reported (0 everywhere on a single node). */
export interface PresenceElsewhere {
  count(articleId: number): number;
  stop(): void;
}

/** Starts the cross-node part, given this node's own counts and a way to announce an article's change. */
export type StartElsewhere = (local: () => Map<number, number>, changed: (articleId: number) => void) => PresenceElsewhere;

/** Counts article rooms from the adapter's own join/leave events, so every path that joins or leaves is seen. */
function countRooms(io: Server, capPerNetwork: number) {
  const rooms = new Map<string, RoomCount>();
  /** Joins per room ever (kept when a room empties: a handful of numbers per article). */
  const joins = new Map<string, number>();
  const adapter = io.of('/').adapter;
  adapter.on('join-room', (room: string, id: string) => {
    if (!ARTICLE_ROOM.test(room)) return;
    joins.set(room, (joins.get(room) ?? 0) + 1);
    const ip = (io.of('/').sockets.get(id)?.data as { ipHash?: string } | undefined)?.ipHash ?? id;
    let r = rooms.get(room);
    if (!r) rooms.set(room, (r = { members: new Map(), perNetwork: new Map(), total: 0 }));
    if (r.members.has(id)) return;
    r.members.set(id, ip);
    const n = (r.perNetwork.get(ip) ?? 0) + 1;
    r.perNetwork.set(ip, n);
    if (n <= capPerNetwork) r.total++;
  });
  adapter.on('leave-room', (room: string, id: string) => {
    const r = rooms.get(room);
    const ip = r?.members.get(id);
    if (!r || ip === undefined) return;
    r.members.delete(id);
    const n = r.perNetwork.get(ip)! - 1;
    if (n === 0) r.perNetwork.delete(ip);
    else r.perNetwork.set(ip, n);
    if (n < capPerNetwork) r.total--;
    if (r.members.size === 0) rooms.delete(room);
  });
  return {
    count: (room: string) => rooms.get(room)?.total ?? 0,
    joins: (room: string) => joins.get(room) ?? 0,
    all(): Map<number, number> {
      const out = new Map<number, number>();
      for (const [room, r] of rooms) out.set(Number(room.slice(4)), r.total);
      return out;
    },
  };
}

export function createPresence(io: Server, capPerNetwork: number, startElsewhere?: StartElsewhere, timer: PresenceTimer = realTimer): Presence {
  const pending = new Map<number, { cancel(): void }>();
  /** Per article: when the last broadcast went out, the count it carried and the room's joins by then. */
  const last = new Map<number, { at: number; count: number; joins: number }>();
  const inRoom = countRooms(io, capPerNetwork);
  const here = (id: number) => inRoom.count(articleRoom(id));
  const send = (id: number) => {
    pending.delete(id);
    const local = here(id);
    if (local === 0) return void last.delete(id);
    const prev = last.get(id);
    // The interval is judged again by the room's size now: a room that grew while this waited (a reconnect storm
    // fills it from 1 to 3,000 within seconds) waits as long as its size asks, so it still costs ~500 writes a second.
    const due = (prev?.at ?? -Infinity) + presenceIntervalMs(local);
    if (due > timer.now()) return void pending.set(id, timer.after(due - timer.now(), () => send(id)));
    const n = local + (elsewhere?.count(id) ?? 0);
    const joins = inRoom.joins(articleRoom(id));
    // Only on change. Unchanged is not enough when someone joined since: their join answer may carry another count.
    if (prev && prev.count === n && prev.joins === joins) return;
    last.set(id, { at: timer.now(), count: n, joins });
    // Only this node's sockets: every node tells its own readers the same total.
    io.local.to(articleRoom(id)).emit('presence', { count: n });
  };
  const changed = (id: number) => {
    if (pending.has(id)) return;
    // A room with no broadcast yet (a fresh article, or every room after a restart) waits one interval too, as if
    // one had just gone out: each joining reader has the count in its join answer, so an early broadcast tells
    // nobody anything new, and after a restart it went to a room filling with a reconnect storm (one write per
    // reader while they were still joining). A count nobody heard yet always differs (NaN): the first one is sent.
    if (!last.has(id)) last.set(id, { at: timer.now(), count: NaN, joins: -1 });
    const wait = Math.max(0, last.get(id)!.at + presenceIntervalMs(here(id)) - timer.now());
    pending.set(id, timer.after(wait, () => send(id)));
  };
  const elsewhere = startElsewhere?.(() => inRoom.all(), changed);
  return {
    count: async (id) => here(id) + (elsewhere?.count(id) ?? 0),
    changed,
    stop() {
      elsewhere?.stop();
      for (const t of pending.values()) t.cancel();
      pending.clear();
    },
  };
}
