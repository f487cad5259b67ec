// Owns the typing run (opt-in: --only=typing): 1,000 readers joined to one article (the reader fleet) while
// 50 of them type, each sending `typing` every 2 s as the page does. Measured on Yilun alone (the floor has no
// typing): typing:count events per reader per second (coalesced: at most 1), and the server's CPU while they
// type against the same window with the same readers idle.
import fs from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { openFleet } from '../lib/fleet';
import { SLUG, startServer } from '../lib/procs';
import { sleep } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

const READERS = 1000;
const TYPISTS = 50;
const SEND_MS = 2000;

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function joined(url: string, origin: string): Promise<Socket> {
  const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { origin } });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  const ack = (await s.timeout(10_000).emitWithAck('join', { article: SLUG })) as { ok: boolean };
  if (!ack.ok) throw new Error('typing bench: join refused');
  return s;
}

export async function runTyping(ctx: Context): Promise<Row[]> {
  const seconds = Math.max(5, Math.min(ctx.postSeconds, 30));
  const server = await startServer({ kind: 'yilun', dataDir: ctx.tmp('typing') });
  const sockets: Socket[] = [];
  try {
    const fleet = await openFleet(server, READERS - TYPISTS);
    for (let i = 0; i < TYPISTS; i++) sockets.push(await joined(server.url, server.origin));
    const observer = sockets[0];
    let events = 0;
    let last = 0;
    observer.on('typing:count', (e: { count: number }) => {
      events++;
      last = e.count;
    });
    await sleep(1500);
    const idle0 = cpuSeconds(server.proc.pid);
    await sleep(seconds * 1000);
    const idleCpu = cpuSeconds(server.proc.pid) - idle0;

    events = 0;
    const timers = sockets.map((s, i) =>
      setTimeout(() => {
        s.emit('typing');
        timers.push(setInterval(() => s.emit('typing'), SEND_MS) as unknown as NodeJS.Timeout);
      }, (i * SEND_MS) / TYPISTS),
    );
    const busy0 = cpuSeconds(server.proc.pid);
    await sleep(seconds * 1000);
    const busyCpu = cpuSeconds(server.proc.pid) - busy0;
    for (const t of timers) clearTimeout(t);
    const perReaderPerSecond = events / seconds;
    ctx.raw.typing = { readers: READERS, typists: TYPISTS, seconds, events, lastCount: last, idleCpuSeconds: idleCpu, typingCpuSeconds: busyCpu };
    await fleet.close();
    const group = `typing (${READERS} readers, ${TYPISTS} typing)`;
    return [
      row(group, 'typing:count events per reader per second', 'ev/s', perReaderPerSecond, null, { kind: 'max', value: 1 }),
      row(group, 'count last seen by a reader', 'n', last, null),
      row(group, 'server CPU while idle', '%', (100 * idleCpu) / seconds, null),
      row(group, 'server CPU while 50 type', '%', (100 * busyCpu) / seconds, null),
    ];
  } finally {
    for (const s of sockets) s.disconnect();
    await server.stop();
  }
}
