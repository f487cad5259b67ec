// Owns "N 人正在看": readers per article room, counted so that no network can inflate it past its cap
// (presence = the sum over networks of min(that network's sockets in the room, cap)), and coalesced so that
// 3,000 readers joining at once cost a handful of broadcasts, not 3,000.
import type { Server } from 'socket.io';
import { articleRoom } from './rooms';

const PRESENCE_INTERVAL_MS = 1000;
const ARTICLE_ROOM = /^art:\d+$/;

export interface Presence {
  count(articleId: number): number;
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

/** Counts article rooms from the adapter's own join/leave events, so every path that joins or leaves is seen. */
function countRooms(io: Server, capPerNetwork: number) {
  const rooms = new Map<string, RoomCount>();
  const adapter = io.of('/').adapter;
  adapter.on('join-room', (room: string, id: string) => {
    if (!ARTICLE_ROOM.test(room)) return;
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
  return (room: string) => rooms.get(room)?.total ?? 0;
}

export function createPresence(io: Server, capPerNetwork: number): Presence {
  const pending = new Map<number, NodeJS.Timeout>();
  const lastSent = new Map<number, number>();
  const inRoom = countRooms(io, capPerNetwork);
  const count = (id: number) => inRoom(articleRoom(id));
  const send = (id: number) => {
    pending.delete(id);
    lastSent.set(id, Date.now());
    const n = count(id);
    io.to(articleRoom(id)).emit('presence', { count: n });
    if (n === 0) lastSent.delete(id);
  };
  return {
    count,
    changed(id) {
      if (pending.has(id)) return;
      const wait = Math.max(0, (lastSent.get(id) ?? 0) + PRESENCE_INTERVAL_MS - Date.now());
      const t = setTimeout(() => send(id), wait);
      t.unref();
      pending.set(id, t);
    },
    stop() {
      for (const t of pending.values()) clearTimeout(t);
      pending.clear();
    },
  };
}
