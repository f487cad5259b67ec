// What a WebSocket handshake costs the server beyond the engine's own work: its connection ids come from a pooled
// CSPRNG (unique, unguessable, the engine's format) and an accepted upgrade's 101 and open packet leave in one
// write; a refused one is still answered with its error, not cut off.
import net from 'node:net';
import { createIdPool } from '../server/realtime/handshake';
import { connectSocket, emitAck, useTestServer, TEST_SLUG } from './helpers/server';

describe('connection ids', () => {
  it('are 20 base64url characters (120 random bits) and never repeat, across refills of the pool', () => {
    const next = createIdPool(15, 8);
    const ids = Array.from({ length: 5000 }, next);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

interface Upgrade {
  /** Everything the client received before the server went quiet. */
  text: string;
  /** Writes the server made on the connection (each one a syscall and a wake-up of the client). */
  writes: number;
}

describe('the WebSocket handshake', () => {
  const s = useTestServer();

  /** A raw upgrade request; counts the server's writes on that connection until the client has heard enough. */
  async function upgrade(headers: Record<string, string>, until: RegExp): Promise<Upgrade> {
    let writes = 0;
    const count = (sock: net.Socket) => {
      const w = sock as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
      const write = w._write.bind(sock);
      const writev = w._writev.bind(sock);
      w._write = (...a) => ((writes += 1), write(...a));
      w._writev = (...a) => ((writes += 1), writev(...a));
    };
    s.app.httpServer.prependOnceListener('connection', count);
    const port = Number(new URL(s.url).port);
    const client = net.connect(port, '127.0.0.1');
    let text = '';
    const heard = new Promise<void>((resolve) => {
      client.on('data', (d) => {
        text += d.toString('utf8');
        if (until.test(text)) resolve();
      });
      client.on('close', () => resolve());
    });
    const lines = Object.entries({ Host: new URL(s.url).host, ...headers }).map(([k, v]) => `${k}: ${v}`);
    client.write(`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    await heard;
    // Anything written after what the test waited for would be counted too.
    await new Promise((r) => setTimeout(r, 50));
    client.destroy();
    return { text, writes };
  }

  const ws = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };

  it('sends the 101 and the open packet in one write, and the session then works as usual', async () => {
    const r = await upgrade({ ...ws, Origin: s.origin }, /0\{"sid"/);
    expect(r.text).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    const open = /0(\{"sid":"([A-Za-z0-9_-]{20})"[^}]*\})/.exec(r.text);
    expect(open).not.toBeNull();
    expect(JSON.parse(open![1])).toMatchObject({ upgrades: [], pingInterval: expect.any(Number) });
    expect(r.writes).toBe(1);

    // A real client over the same path: connects, joins and is answered.
    const socket = await connectSocket(s);
    expect(await emitAck(socket, 'join', { article: TEST_SLUG })).toMatchObject({ ok: true });
  });

  it('still answers a refused upgrade with its error before closing (nothing held back)', async () => {
    const r = await upgrade({ ...ws, Origin: 'https://evil.example' }, /\r\n\r\n[\s\S]+/);
    expect(r.text).toMatch(/^HTTP\/1\.1 (400|403) /);
    expect(r.text).toMatch(/origin_not_allowed|Forbidden|Bad Request/);
    expect(r.text).not.toMatch(/101 Switching Protocols/);
  });
});
