// Backups, exports and imports as an operator runs them: the built CLIs beside a real server process that keeps
// writing. Every backup is a consistent snapshot; an export restores into an empty directory and exports back the same.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CLI, ROOT, commentBodies, ensureBuilt, postComment, runNode, serverEnv, startServer, tempDir, type Running } from './harness';
import { countProblems, fixture } from '../helpers/transfer';

function build(): void {
  ensureBuilt();
  if (!fs.existsSync(CLI('import')) || !fs.existsSync(CLI('export'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
}

function checkCopy(file: string): { problems: unknown[]; integrity: unknown } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return { problems: countProblems(db as never), integrity: db.pragma('integrity_check', { simple: true }) };
  } finally {
    db.close();
  }
}

describe('backup, export and import beside a writing server', () => {
  let dataDir: string;
  let server: Running | undefined;
  beforeAll(build, 130_000);
  beforeEach(() => {
    dataDir = tempDir('transfer');
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes consistent backups while comments keep arriving', async () => {
    server = await startServer(dataDir);
    const url = server.url;
    let writing = true;
    let posted = 0;
    const writer = (async () => {
      while (writing) {
        const r = await postComment(url, `写入中 ${posted}`);
        if (r.status !== 201) throw new Error(`post answered ${r.status}`);
        posted++;
      }
    })();
    const copies: string[] = [];
    for (let i = 0; i < 3; i++) {
      while (posted < (i + 1) * 20) await new Promise((r) => setTimeout(r, 10));
      const copy = path.join(dataDir, `copy-${i}.db`);
      const r = await runNode(CLI('backup'), [copy], serverEnv(dataDir));
      expect(r).toMatchObject({ code: 0 });
      copies.push(copy);
    }
    writing = false;
    await writer;
    const finalBodies = commentBodies(path.join(dataDir, 'yilun.db'));
    expect(finalBodies).toHaveLength(posted);
    let previous = 0;
    for (const copy of copies) {
      expect(checkCopy(copy)).toEqual({ problems: [], integrity: 'ok' });
      const bodies = commentBodies(copy);
      // A snapshot: the comments of some moment, in order, none half-written, each copy later than the one before.
      expect(bodies).toEqual(finalBodies.slice(0, bodies.length));
      expect(bodies.length).toBeGreaterThanOrEqual(previous);
      previous = bodies.length;
    }
    expect(previous).toBeGreaterThanOrEqual(60);
  }, 60_000);

  it('exports beside the running server, restores into an empty directory, and exports back the same rows', async () => {
    const seeded = await runNode(CLI('import'), ['--from', 'disqus', fixture('disqus.xml')], serverEnv(dataDir, { YILUN_INIT: '1' }));
    expect(seeded).toMatchObject({ code: 0 });
    expect(seeded.stdout).toMatch(/imported: 7/);
    server = await startServer(dataDir);
    for (let i = 0; i < 5; i++) expect((await postComment(server.url, `导出 ${i}`)).status).toBe(201);
    const file = path.join(dataDir, 'export.jsonl');
    const exported = await runNode(CLI('export'), [file], serverEnv(dataDir));
    expect(exported).toMatchObject({ code: 0 });
    await server.stop('SIGTERM');
    server = undefined;

    const other = tempDir('restore');
    try {
      const restored = await runNode(CLI('import'), ['--from', 'yilun', file], serverEnv(other, { YILUN_INIT: '1', CONTENT_DIR: path.join(other, 'none') }));
      expect(restored).toMatchObject({ code: 0 });
      const again = path.join(other, 'again.jsonl');
      expect(await runNode(CLI('export'), [again], serverEnv(other))).toMatchObject({ code: 0 });
      const body = (f: string) => fs.readFileSync(f, 'utf8').split('\n').slice(1).join('\n');
      expect(body(again)).toBe(body(file));
      expect(checkCopy(path.join(other, 'yilun.db')).problems).toEqual([]);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);

  it('stops a bad import with the line and exit 1, the database unchanged; a dry run writes nothing', async () => {
    const env = serverEnv(dataDir, { YILUN_INIT: '1' });
    const bad = path.join(dataDir, 'bad.xml');
    fs.writeFileSync(bad, fs.readFileSync(fixture('disqus.xml'), 'utf8').slice(0, 3000));
    const r = await runNode(CLI('import'), ['--from', 'disqus', bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/import stopped: .*line \d+/);
    expect(r.stderr).toMatch(/nothing was written/);
    const dry = await runNode(CLI('import'), ['--from', 'disqus', '--dry-run', fixture('disqus.xml')], env);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.stdout).toMatch(/dry run .*\n\s+would import: 7/);
    expect(commentBodies(path.join(dataDir, 'yilun.db'))).toEqual([]);
    const usage = await runNode(CLI('import'), ['--from', 'nope', bad], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: npm run import/);
  }, 60_000);
});
