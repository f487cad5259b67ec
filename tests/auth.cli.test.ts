import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureAdmin, verifyPassword } from '../server/moderation/auth.service';
import { startServer, useTestServer } from './helpers/server';
import { createMod, login, PASSWORD, signedIn } from './helpers/moderation';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'server', 'cli', 'admin.js');
const MAIN = path.join(ROOT, 'dist', 'server', 'main.js');

/** Newest modification time of the TypeScript sources the built CLI and server come from. */
function newestSource(dir = path.join(ROOT, 'server')): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : e.name.endsWith('.ts') ? fs.statSync(p).mtimeMs : 0);
  }
  return newest;
}

// The CLI runs from dist/ (what `npm run build` makes); rebuild the server half when it is missing or stale.
beforeAll(() => {
  if (fs.existsSync(CLI) && fs.existsSync(MAIN) && Math.min(fs.statSync(CLI).mtimeMs, fs.statSync(MAIN).mtimeMs) >= newestSource()) return;
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  if (!fs.existsSync(CLI)) throw new Error('dist/server/cli/admin.js is missing: run npm run build');
}, 120_000);

describe('npm run admin (dist/server/cli/admin.js)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-cli-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const cli = (args: string[], input: string) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, timeout: 30_000 });

  /** A test server over the database the CLI wrote. */
  const serverOnCliDb = () => startServer({ dbFile: path.join(dataDir, 'yilun.db') });

  it('creates an admin from a password piped twice on stdin, who can then sign in', async () => {
    const r = cli(['create', 'boss'], `${PASSWORD}\n${PASSWORD}\n`);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'created admin "boss"\n' });
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    const s = await serverOnCliDb();
    try {
      const m = await s.store.moderators.getByUsername('boss');
      expect(m).toMatchObject({ username: 'boss', role: 'admin', disabled: false });
      expect(m!.passwordHash).toMatch(/^scrypt\$/);
      expect(m!.passwordHash).not.toContain(PASSWORD);
      const { res } = await login(s, 'boss');
      expect(res.status).toBe(200);
      expect(res.body.moderator.role).toBe('admin');
    } finally {
      await s.close();
    }
  });

  it('creates a moderator with --role moderator and lists the accounts', async () => {
    expect(cli(['create', 'helper', '--role', 'moderator'], `${PASSWORD}\n${PASSWORD}\n`).stdout).toBe('created moderator "helper"\n');
    expect(cli(['create', 'boss'], `${PASSWORD}\n${PASSWORD}\n`).status).toBe(0);
    const list = cli(['list'], '');
    expect(list.status).toBe(0);
    expect(list.stdout).toBe('boss\tadmin\nhelper\tmoderator\n');
  });

  it('refuses when the two passwords differ, creating nothing', async () => {
    const r = cli(['create', 'boss'], `${PASSWORD}\nsomething-else-entirely\n`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the passwords differ');
    expect(cli(['list'], '').stdout).toBe('');
  });

  it('refuses a password shorter than 10 characters and a name already taken', async () => {
    const weak = cli(['create', 'boss'], 'short\nshort\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('密码至少 10 个字符');
    expect(cli(['create', 'boss'], `${PASSWORD}\n${PASSWORD}\n`).status).toBe(0);
    const taken = cli(['create', 'boss'], `${PASSWORD}\n${PASSWORD}\n`);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('用户名已被占用');
  });

  it('prints the usage and exits 2 without a command or name', () => {
    const r = cli(['create'], '');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage:');
  });
});

describe('ADMIN_USER / ADMIN_PASSWORD (ensureAdmin)', () => {
  const s = useTestServer();

  it('creates the admin when the account does not exist', async () => {
    const m = await ensureAdmin(s.app.deps, 'boss', PASSWORD);
    expect(m).toMatchObject({ username: 'boss', role: 'admin', disabled: false });
    expect((await login(s, 'boss')).res.status).toBe(200);
  });

  it('promotes, re-enables and re-keys an existing account; the old password stops working and its sessions end', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    const mod = await signedIn(s, 'boss', 'moderator');
    await admin.patch(`/api/admin/moderators/${mod.moderator.id}`, { disabled: true });
    const other = await signedIn(s, 'other', 'moderator');
    const m = await ensureAdmin(s.app.deps, 'boss', 'the-new-admin-password');
    expect(m).toMatchObject({ id: mod.moderator.id, role: 'admin', disabled: false });
    expect((await login(s, 'boss')).res.status).toBe(401);
    expect((await login(s, 'boss', 'the-new-admin-password')).res.status).toBe(200);
    expect((await other.get('/api/admin/me')).status).toBe(200);
  });

  it('ends the sessions of an admin whose password it changed, and keeps them when the password is unchanged', async () => {
    const boss = await signedIn(s, 'boss', 'admin');
    const before = (await s.store.moderators.getByUsername('boss'))!.passwordHash;
    await ensureAdmin(s.app.deps, 'boss', PASSWORD);
    expect((await s.store.moderators.getByUsername('boss'))!.passwordHash).toBe(before);
    expect((await boss.get('/api/admin/me')).status).toBe(200);
    await ensureAdmin(s.app.deps, 'boss', 'a-changed-password!');
    expect(await verifyPassword('a-changed-password!', (await s.store.moderators.getByUsername('boss'))!.passwordHash)).toBe(true);
    expect((await boss.get('/api/admin/me')).status).toBe(401);
  });

  it('refuses a weak password with weak_password', async () => {
    await createMod(s, 'boss', 'admin');
    await expect(ensureAdmin(s.app.deps, 'boss', 'short')).rejects.toMatchObject({ code: 'weak_password' });
    await expect(ensureAdmin(s.app.deps, 'newcomer', 'short')).rejects.toMatchObject({ code: 'weak_password' });
  });

  it('is what the built server does at start with ADMIN_USER and ADMIN_PASSWORD set', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-main-'));
    const contentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-content-'));
    const env = { ...process.env, DATA_DIR: dataDir, CONTENT_DIR: contentDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ADMIN_USER: 'envboss', ADMIN_PASSWORD: PASSWORD };
    const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines: string[] = [];
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          lines.push(...d.toString().split('\n'));
          if (lines.some((l) => l.includes('"listening"'))) resolve();
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${lines.join('\n')}`)));
      });
      expect(lines.find((l) => l.includes('admin account ready'))).toContain('envboss');
      expect(lines.join('\n')).not.toContain(PASSWORD);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    const s2 = await startServer({ dbFile: path.join(dataDir, 'yilun.db') });
    try {
      expect(await s2.store.moderators.getByUsername('envboss')).toMatchObject({ role: 'admin', disabled: false });
      expect((await login(s2, 'envboss')).res.status).toBe(200);
    } finally {
      await s2.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(contentDir, { recursive: true, force: true });
    }
  });
});
