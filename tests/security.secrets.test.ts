// Secrets and privacy, attacked: secrets are generated once (0600) and reused; no secret, token, password,
// comment body or raw IP ever appears in a log line or a response, and raw IPs never reach the database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createLogger } from '../server/log';
import { createModerator } from '../server/moderation/auth.service';
import { generateSecrets, loadSecrets } from '../server/security/secrets';
import { connectSocket, emitAck, startServer } from './helpers/server';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-secrets-'));
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('loadSecrets', () => {
  it('generates both secrets once, in DATA_DIR/secrets.json with mode 0600, and reuses them on restart', () => {
    const dir = path.join(tmp(), 'nested', 'data');
    const first = loadSecrets(dir, {});
    const file = path.join(dir, 'secrets.json');
    expect(mode(file)).toBe(0o600);
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.ipHashKey.length).toBeGreaterThanOrEqual(32);
    expect(first.sessionSecret).not.toBe(first.ipHashKey);
    expect(loadSecrets(dir, {})).toEqual(first);
    expect(loadSecrets(tmp(), {})).not.toEqual(first);
  });

  it('tightens a secrets file copied in with loose permissions, keeping its values', () => {
    const dir = tmp();
    const file = path.join(dir, 'secrets.json');
    const mine = generateSecrets();
    fs.writeFileSync(file, JSON.stringify(mine), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(loadSecrets(dir, {})).toEqual(mine);
    expect(mode(file)).toBe(0o600);
  });

  it('prefers SESSION_SECRET and IP_HASH_KEY from the environment and then writes no file', () => {
    const dir = tmp();
    const env = generateSecrets();
    expect(loadSecrets(dir, env)).toEqual(env);
    expect(fs.existsSync(path.join(dir, 'secrets.json'))).toBe(false);
  });

  it('completes a file missing one secret (or holding a too-short one) without changing the other', () => {
    const dir = tmp();
    const file = path.join(dir, 'secrets.json');
    const keep = generateSecrets().sessionSecret;
    fs.writeFileSync(file, JSON.stringify({ sessionSecret: keep, ipHashKey: 'short' }), { mode: 0o600 });
    const got = loadSecrets(dir, {});
    expect(got.sessionSecret).toBe(keep);
    expect(got.ipHashKey.length).toBeGreaterThanOrEqual(32);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(got);
    expect(mode(file)).toBe(0o600);
  });

  it('refuses to start over a corrupt secrets file instead of silently replacing it', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{not json', { mode: 0o600 });
    expect(() => loadSecrets(dir, {})).toThrow(/secrets\.json is not valid JSON/);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toBe('{not json');
  });
});

/** The harness's server with a capturing logger at debug level and known secrets. */
async function startLoggedServer(lines: string[], secrets = generateSecrets()) {
  const s = await startServer({ env: { LOG_LEVEL: 'debug', TRUST_PROXY: 'loopback' }, log: createLogger('debug', (l) => lines.push(l)), secrets, realClock: true });
  return { s, secrets, db: s.db, close: s.close };
}

describe('what logs and responses never contain', () => {
  it('keeps secrets, tokens, passwords, comment bodies and raw IPs out of every log line, response and table', async () => {
    const lines: string[] = [];
    const { s, secrets, db, close } = await startLoggedServer(lines);
    const responses: string[] = [];
    const keep = (res: request.Response) => {
      responses.push(JSON.stringify(res.headers) + '\n' + res.text);
      return res;
    };
    const CLIENT_IP = '198.51.100.23';
    const BODY = 'SECRET-BODY-无人可见的正文-7f3a';
    const PASSWORD = 'a-password-nobody-logs-91';
    const agent = request.agent(s.url);
    const go = <T extends request.Test>(req: T) => req.set('Origin', s.origin).set('X-Forwarded-For', CLIENT_IP);

    keep(await go(agent.get('/articles/test-article')));
    const posted = keep(await go(agent.post('/api/articles/test-article/comments')).send({ authorName: '读者', body: BODY }));
    expect(posted.status).toBe(201);
    const id = posted.body.comment.id;
    keep(await go(agent.patch(`/api/comments/${id}`)).send({ body: `${BODY} edited` }));
    keep(await go(agent.post('/articles/test-article/comments')).type('form').send({ authorName: '', body: `${BODY} form` }));
    keep(await go(agent.post(`/api/articles/test-article/comments`)).send({ authorName: '读者', body: 'x'.repeat(40_000) }));
    keep(await go(agent.post(`/api/comments/${id}/report`)).send({ reason: 'other', note: BODY }));
    keep(await go(agent.get('/no-such-page')));
    keep(await request(s.url).post(`/api/comments/${id}/like`).set('Origin', 'https://evil.example'));

    await createModerator(s.app.deps, 'admin1', PASSWORD, 'admin');
    keep(await go(request(s.url).post('/api/admin/login')).send({ username: 'admin1', password: 'wrong-password-xyz' }));
    const mod = request.agent(s.url);
    expect(keep(await go(mod.post('/api/admin/login')).send({ username: 'admin1', password: PASSWORD })).status).toBe(200);
    keep(await go(mod.get('/api/admin/queue?queue=published')));
    keep(await go(mod.get('/api/admin/moderators')));
    expect(keep(await go(mod.post('/api/admin/bans')).send({ commentId: id, scope: 'both', reason: BODY })).status).toBe(201);
    keep(await go(mod.get('/api/admin/bans')));
    keep(await go(mod.get('/admin')));

    const authorCookie = agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).toValueString();
    const modCookie = mod.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).toValueString();
    const socket = await connectSocket(s, { cookie: authorCookie });
    await emitAck(socket, 'join', { article: 'test-article' });
    expect((await emitAck(socket, 'comment:post', { authorName: '读者', body: `${BODY} socket` })).error?.code).toBe('banned');
    await emitAck(socket, 'comment:edit', { id: 999_999, body: BODY });
    socket.disconnect();
    const passwordHash = db.prepare('SELECT password_hash FROM moderators').pluck().get() as string;
    await close();

    const authorToken = /yl_author=([^;]+)/.exec(authorCookie)![1];
    const modToken = decodeURIComponent(/yl_mod=([^;]+)/.exec(modCookie)![1]);
    expect(lines.length).toBeGreaterThan(10);
    const logs = lines.join('\n');
    const sent = responses.join('\n');
    for (const secret of [secrets.sessionSecret, secrets.ipHashKey, PASSWORD, 'wrong-password-xyz', passwordHash.split('$').pop()!]) {
      expect(logs).not.toContain(secret);
      expect(sent).not.toContain(secret);
    }
    // Tokens travel only in the Set-Cookie header that hands them out; no log line holds one.
    for (const token of [authorToken, modToken, modToken.split('.')[0]]) expect(logs).not.toContain(token);
    expect(logs).not.toContain('SECRET-BODY');
    expect(logs).not.toContain(CLIENT_IP);
    expect(logs).not.toContain('127.0.0.1');
  });

  it('stores only keyed hashes of client networks, never a raw IP', async () => {
    const lines: string[] = [];
    const { s, db, close } = await startLoggedServer(lines);
    const agent = request.agent(s.url);
    await agent.post('/api/articles/test-article/comments').set('Origin', s.origin).set('X-Forwarded-For', '198.51.100.23').send({ authorName: '读者', body: '记录网络' });
    await agent.post('/api/articles/test-article/comments').set('Origin', s.origin).set('X-Forwarded-For', '2001:db8:1:2:3:4:5:6').send({ authorName: '读者', body: 'IPv6 网络' });
    const dump = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[])
      .map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all()))
      .join('\n');
    await close();
    for (const raw of ['198.51.100', '2001:db8', '127.0.0.1']) expect(dump).not.toContain(raw);
    expect(dump).toMatch(/"ip_hash":"[A-Za-z0-9_-]{22}"/);
  });
});
