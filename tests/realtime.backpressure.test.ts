// A reader that stops reading (but still answers pings) is dropped once its unsent output passes the
// bound, cheaply, while a healthy reader keeps receiving everything.
import WebSocket from 'ws';
import type { Socket as ServerSocket } from 'socket.io';
import { connectSocket, emitAck, nextEvent, reader, useTestServer, TEST_SLUG, type TestServer } from './helpers/server';

/** A raw Engine.IO/Socket.IO client over ws: it joins the article, then pauses reading its TCP socket. */
async function stalledReader(s: TestServer): Promise<{ ws: WebSocket; stop(): void }> {
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: s.origin } });
  const frames: string[] = [];
  const waitFor = (prefix: string) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const i = frames.findIndex((f) => f.startsWith(prefix));
        if (i < 0) return void ws.once('message', check);
        resolve(frames.splice(i, 1)[0]);
      };
      check();
    });
  ws.on('message', (d) => {
    const f = String(d);
    // Engine.IO heartbeat: the server pings ("2"), the client answers ("3").
    if (f === '2') ws.send('3');
    else frames.push(f);
  });
  await waitFor('0{');
  ws.send('40');
  await waitFor('40');
  ws.send(`420${JSON.stringify(['join', { article: TEST_SLUG }])}`);
  expect(await waitFor('430')).toContain('"ok":true');
  const socket = (ws as unknown as { _socket: { pause(): void } })._socket;
  socket.pause();
  // Still alive as far as the heartbeat goes: pongs keep leaving though nothing is read.
  const pongs = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('3'), 200);
  return { ws, stop: () => clearInterval(pongs) };
}

describe('a reader that stops reading', () => {
  const s = useTestServer({ env: { SOCKET_MAX_QUEUE_BYTES: String(256 * 1024) } });

  it('is disconnected once its queue passes the bound, and a healthy reader gets every comment', async () => {
    const reasons = new Map<string, string>();
    s.app.io.on('connection', (sock: ServerSocket) => sock.on('disconnect', (reason) => reasons.set(sock.id, reason)));

    const healthy = await connectSocket(s);
    expect((await emitAck(healthy, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const got = new Set<number>();
    healthy.on('comment:created', (e: { id: number }) => got.add(e.id));

    const stalled = await stalledReader(s);
    const stalledId = [...s.app.io.of('/').sockets.values()].find((x) => x.id !== healthy.id)!.id;
    expect(s.app.io.of('/').sockets.size).toBe(2);

    // Big comments until the server gives up on the stalled reader: first the kernel's socket buffers fill,
    // then Node's, then engine.io's writeBuffer, until the sweep sees the bound passed.
    const author = reader(s);
    const posted: number[] = [];
    const big = '评'.repeat(4000);
    for (let round = 0; round < 100 && !reasons.has(stalledId); round++) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, i) => author.post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '写手', body: `${round}-${i} ${big}` })),
      );
      for (const r of batch) {
        expect(r.status).toBe(201);
        posted.push(r.body.comment.id);
      }
      // Give the sweep a chance to run between rounds.
      if (!reasons.has(stalledId)) await new Promise((r) => setTimeout(r, 100));
    }
    stalled.stop();
    stalled.ws.terminate();

    expect(reasons.get(stalledId)).toBe('forced close');
    expect(s.app.io.of('/').sockets.has(stalledId)).toBe(false);
    expect(s.app.io.of('/').sockets.has(healthy.id!)).toBe(true);
    const last = posted[posted.length - 1];
    if (!got.has(last)) await nextEvent(healthy, 'comment:created', (e) => e.id === last, 10_000);
    expect(posted.filter((id) => !got.has(id))).toEqual([]);
  });
});
