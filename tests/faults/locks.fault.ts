// A lock held by another process, and a second server on the same file: reads keep being served,
// writes answer 503 storage_busy after the bound with nothing half-written, a second server is refused,
// and the CLIs keep working beside the running server.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CLI, MAIN, SLUG, commentBodies, ensureBuilt, expectCleanRefusal, holdWriteLock, postComment, request, runNode, serverEnv, startServer, tempDir, type Running } from './harness';

describe('locks held by other processes', () => {
  let dataDir: string;
  let server: Running | undefined;
  beforeAll(ensureBuilt, 130_000);
  beforeEach(() => {
    dataDir = tempDir('locks');
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps answering reads while an outside writer holds the lock, answers writes 503 storage_busy with Retry-After after the bound, and recovers', async () => {
    server = await startServer(dataDir, { DB_LOCK_TIMEOUT_MS: '1500' });
    expect((await postComment(server.url, '加锁之前')).status).toBe(201);
    const dbFile = path.join(dataDir, 'yilun.db');
    const lock = await holdWriteLock(dbFile);
    try {
      let postAnswered = false;
      const post = postComment(server.url, '加锁期间').then((a) => {
        postAnswered = true;
        return a;
      });
      // While the post waits for the lock, the event loop is free: pages and the API answer meanwhile.
      for (let i = 0; i < 3; i++) {
        const page = await request(`${server.url}/`);
        const api = await request(`${server.url}/api/articles/${SLUG}/comments`);
        const ready = await request(`${server.url}/readyz`);
        expect([page.status, api.status, ready.status]).toEqual([200, 200, 200]);
        expect(api.body.comments.map((c: { body: string }) => c.body)).toEqual(['加锁之前']);
      }
      expect(postAnswered).toBe(false);
      const refused = await post;
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('storage_busy');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Nothing half-written: no comment, no event, no count change.
      const db = new Database(dbFile, { readonly: true });
      try {
        expect(db.prepare('SELECT comment_count FROM articles WHERE slug = ?').pluck().get(SLUG)).toBe(1);
      } finally {
        db.close();
      }
    } finally {
      await lock.release();
    }
    expect((await postComment(server.url, '释放之后')).status).toBe(201);
    expect(commentBodies(dbFile)).toEqual(['加锁之前', '释放之后']);
  });

  it('refuses a second server on the same file with a message pointing at the multi-node setup; the first keeps working beside the CLIs', async () => {
    server = await startServer(dataDir);
    expect((await postComment(server.url, '第一个服务器')).status).toBe(201);

    const second = await runNode(MAIN, [], serverEnv(dataDir));
    expectCleanRefusal(second, /another Yilun server is already running/);
    expect(second.stderr).toMatch(/PostgreSQL \+ Redis/);
    expect(second.code).toBe(1);

    expect((await postComment(server.url, '第二个被拒之后')).status).toBe(201);
    const list = await runNode(CLI('admin'), ['list'], serverEnv(dataDir));
    expect(list).toMatchObject({ code: 0, stderr: '' });

    const copy = path.join(dataDir, 'copy.db');
    const backup = await runNode(CLI('backup'), [copy], serverEnv(dataDir));
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/backed up/);
    expect(commentBodies(copy)).toEqual(['第一个服务器', '第二个被拒之后']);
    const check = await runNode(CLI('db-check'), [], serverEnv(dataDir));
    expect(check).toMatchObject({ code: 0 });
    expect(check.stdout).toMatch(/: ok/);

    expect((await postComment(server.url, 'CLI 之后')).status).toBe(201);
  });

  it('refuses the slower of two servers started at once on an empty directory, cleanly', async () => {
    const env = serverEnv(path.join(dataDir, 'new'));
    const [a, b] = await Promise.all([runNode(MAIN, [], env, 6000).catch((e: Error) => e), runNode(MAIN, [], env, 6000).catch((e: Error) => e)]);
    // The winner keeps running (runNode times out on it); the other is refused with the message.
    const refused = [a, b].filter((r) => !(r instanceof Error));
    expect(refused).toHaveLength(1);
    expectCleanRefusal(refused[0] as Exclude<typeof a, Error>, /another Yilun server is already running/);
  });
});
