// SIGTERM under load: new connections are refused at once, every in-flight request is answered (with
// Connection: close), no client sees a reset, every acknowledged comment is in the file, exit code 0.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { SLUG, commentBodies, ensureBuilt, startServer, tempDir, type Running } from './harness';

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

/** One POST on a keep-alive agent; network errors come back as their code (ECONNRESET, ECONNREFUSED…). */
function post(agent: http.Agent, url: string, body: string): Promise<Outcome> {
  const u = new URL(`${url}/api/articles/${SLUG}/comments`);
  const payload = JSON.stringify({ authorName: '压力', body });
  return new Promise((resolve) => {
    const req = http.request(
      { agent, host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', origin: url, 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(payload);
  });
}

describe('shutdown under load', () => {
  let dataDir: string;
  let server: Running | undefined;
  beforeAll(ensureBuilt, 130_000);
  beforeEach(() => {
    dataDir = tempDir('drain');
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('drains on SIGTERM: no connection reset, every acknowledged post stored, exit 0', async () => {
    server = await startServer(dataDir);
    const CLIENTS = 6;
    const outcomes: Outcome[] = [];
    let sent = 0;
    const agents = Array.from({ length: CLIENTS }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const clients = agents.map(async (agent, c) => {
      // Each client posts back to back on its kept-alive connection until the server refuses connections.
      for (let i = 0; ; i++) {
        const o = await post(agent, server!.url, `客户端 ${c} 第 ${i} 条`);
        outcomes.push(o);
        if (o.error) break;
        if (++sent === 300) server!.child.kill('SIGTERM');
      }
    });
    await Promise.all(clients);
    agents.forEach((a) => a.destroy());
    const exit = await server.exited;

    const errors = outcomes.filter((o) => o.error).map((o) => o.error);
    const acknowledged = outcomes.filter((o) => o.status === 201).map((o) => o.body!);
    const stopped = server.logs().find((l) => l.msg === 'stopped') as { drainMs?: number } | undefined;
    // Measurements, for the record.
    console.log(`drain: ${stopped?.drainMs} ms; ${acknowledged.length} acknowledged; client errors: ${JSON.stringify(errors)}`);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(errors.filter((e) => e !== 'ECONNREFUSED')).toEqual([]);
    expect(outcomes.filter((o) => o.status !== undefined && o.status !== 201)).toEqual([]);
    const stored = new Set(commentBodies(path.join(dataDir, 'yilun.db')));
    expect(acknowledged.filter((b) => !stored.has(b))).toEqual([]);
    expect(stopped?.drainMs).toBeDefined();
  });
});
