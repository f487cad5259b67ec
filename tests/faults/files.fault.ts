// The database file deleted or replaced under a running server, and starts on a corrupt file or an
// unusable directory: writes stop with 503 storage_unavailable, readiness fails, a vanished database is
// not silently recreated, and every refusal to start is one clear message without a stack.
import fs from 'node:fs';
import path from 'node:path';
import { CLI, MAIN, commentBodies, ensureBuilt, expectCleanRefusal, postComment, request, runNode, serverEnv, sleep, startServer, tempDir, type Running } from './harness';

/** Polls until the server's readiness says what we expect (the file check runs every second). */
async function readiness(url: string, status: number): Promise<number> {
  let last = 0;
  for (let i = 0; i < 50 && last !== status; i++) {
    last = (await request(`${url}/readyz`)).status;
    if (last !== status) await sleep(100);
  }
  return last;
}

describe('the database file changing under the server', () => {
  let dataDir: string;
  let db: string;
  let server: Running | undefined;
  beforeAll(ensureBuilt, 130_000);
  beforeEach(() => {
    dataDir = tempDir('files');
    db = path.join(dataDir, 'yilun.db');
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops writes when the file is deleted, fails readiness, and will not start a fresh database there without --init', async () => {
    server = await startServer(dataDir);
    expect((await postComment(server.url, '删除之前')).status).toBe(201);
    expect((await request(`${server.url}/readyz`)).status).toBe(200);
    fs.rmSync(db);

    const refused = await postComment(server.url, '删除之后');
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('storage_unavailable');
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect(await readiness(server.url, 503)).toBe(503);
    expect((await request(`${server.url}/healthz`)).status).toBe(200);
    expect((await request(`${server.url}/`)).status).toBe(200);
    expect(server.logs().filter((l) => l.msg.startsWith('database file lost'))).toEqual([expect.objectContaining({ level: 'error' })]);
    expect(await server.stop()).toEqual({ code: 0, signal: null });

    const again = await runNode(MAIN, [], serverEnv(dataDir));
    expectCleanRefusal(again, /yilun\.db does not exist, but a database lived here before/);
    expect(again.stderr).toMatch(/--init/);
    expect(fs.existsSync(db)).toBe(false);

    server = await startServer(dataDir, {}, ['--init']);
    expect((await postComment(server.url, '重新开始')).status).toBe(201);
    await server.stop();
    server = await startServer(dataDir, { YILUN_INIT: '1' });
  });

  it('notices a backup moved over the live file, and starts on the restored file after a restart', async () => {
    server = await startServer(dataDir);
    expect((await postComment(server.url, '备份之内')).status).toBe(201);
    const copy = path.join(dataDir, 'restore.db');
    expect((await runNode(CLI('backup'), [copy], serverEnv(dataDir))).code).toBe(0);
    expect((await postComment(server.url, '备份之后')).status).toBe(201);

    fs.renameSync(copy, db);
    const refused = await postComment(server.url, '替换之后');
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('storage_unavailable');
    expect(await readiness(server.url, 503)).toBe(503);
    expect(await server.stop()).toEqual({ code: 0, signal: null });

    // Stopped cleanly, the old file's WAL went with it: the restored copy starts sound, as the backup was.
    server = await startServer(dataDir);
    expect((await request(`${server.url}/readyz`)).status).toBe(200);
    await server.stop();
    expect(commentBodies(db)).toEqual(['备份之内']);
  });

  it('refuses to start on a file with damaged pages, with one clear message; db:check reports it', async () => {
    server = await startServer(dataDir);
    for (let i = 0; i < 40; i++) expect((await postComment(server.url, `${'很长的评论内容'.repeat(60)} ${i}`)).status).toBe(201);
    await server.stop();
    server = undefined;
    const size = fs.statSync(db).size;
    const pageSize = 4096;
    expect(size / pageSize).toBeGreaterThan(12);
    // Scribble over a run of pages in the middle of the file.
    const fd = fs.openSync(db, 'r+');
    const garbage = Buffer.alloc(pageSize * 4, 0xa5);
    fs.writeSync(fd, garbage, 0, garbage.length, Math.floor(size / pageSize / 2) * pageSize);
    fs.closeSync(fd);

    const r = await runNode(MAIN, [], serverEnv(dataDir));
    expectCleanRefusal(r, /yilun\.db is corrupt/);
    expect(r.stderr).toMatch(/backup/);
    const check = await runNode(CLI('db-check'), [], serverEnv(dataDir));
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toMatch(/damaged|corrupt/);
  });

  it('refuses to start where the data directory cannot be created, or the database path is not a file', async () => {
    const file = path.join(dataDir, 'file.txt');
    fs.writeFileSync(file, 'not a directory');
    // As root chmod stops nothing: a path under a regular file cannot be a directory for anyone.
    const underFile = await runNode(MAIN, [], serverEnv(path.join(file, 'sub')));
    expectCleanRefusal(underFile, /file\.txt.*not a directory|a part of this path is a file/);
    expect(underFile.stderr).toMatch(/DATA_DIR/);

    const dirAsDb = path.join(dataDir, 'dir.db');
    fs.mkdirSync(dirAsDb);
    const notAFile = await runNode(MAIN, [], serverEnv(dataDir, { DB_PATH: dirAsDb }));
    expectCleanRefusal(notAFile, /dir\.db/);
  });
});
