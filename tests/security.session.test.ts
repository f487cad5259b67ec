// Moderator sessions, attacked: each login gets a new random token (a browser's previous one ends), other
// browsers keep theirs until logout or expiry, logout-everywhere ends them all, and forged cookies get nowhere.
import request from 'supertest';
import { hashToken } from '../server/identity/author.cookie';
import { signToken } from '../server/moderation/session.cookie';
import { nextEvent, postComment, reader, startServer, type Reader, type TestServer } from './helpers/server';
import { createMod, login, modSocket, signedIn } from './helpers/moderation';

let s: TestServer;
beforeEach(async () => {
  s = await startServer({ env: { SESSION_TTL_HOURS: '1' } });
});
afterEach(async () => s.close());

const cookieOf = (r: Reader) => decodeURIComponent(/yl_mod=([^;]+)/.exec(r.cookie())?.[1] ?? '');
const me = (r: Reader) => r.get('/api/admin/me').then((res) => res.status);
const withCookie = (value: string) => request(s.url).get('/api/admin/me').set('Cookie', `yl_mod=${encodeURIComponent(value)}`);
const sessions = () => s.db.prepare('SELECT token_hash FROM moderator_sessions').pluck().all() as string[];

it('gives each login a new random token, stored only as its hash, in an httpOnly SameSite=Strict cookie', async () => {
  await createMod(s, 'mod1');
  const one = await login(s, 'mod1');
  const two = await login(s, 'mod1');
  const [a, b] = [cookieOf(one.agent), cookieOf(two.agent)];
  expect(a).not.toBe(b);
  expect(a.split('.')[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const setCookie = String(one.res.headers['set-cookie']);
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Strict/i);
  expect(setCookie).toMatch(/Path=\//);
  expect(setCookie).toMatch(/Max-Age=3600/);
  expect(sessions().sort()).toEqual([hashToken(a.split('.')[0]), hashToken(b.split('.')[0])].sort());
  for (const token of [a, b]) expect(JSON.stringify(s.db.prepare('SELECT * FROM moderator_sessions').all())).not.toContain(token.split('.')[0]);
});

it('keeps another browser signed in after a second login, and logout ends only that one session', async () => {
  await createMod(s, 'mod1');
  const laptop = (await login(s, 'mod1')).agent;
  const phone = (await login(s, 'mod1')).agent;
  expect([await me(laptop), await me(phone)]).toEqual([200, 200]);
  const copied = cookieOf(laptop);
  expect((await laptop.post('/api/admin/logout')).status).toBe(200);
  expect([await me(laptop), await me(phone)]).toEqual([401, 200]);
  // The logged-out token is dead even for someone who kept a copy of the cookie.
  expect((await withCookie(copied)).status).toBe(401);
});

it('ends the session a browser already held when it logs in again (rotation at login)', async () => {
  await createMod(s, 'mod1');
  const { agent } = await login(s, 'mod1');
  const old = cookieOf(agent);
  expect((await agent.post('/api/admin/login', { username: 'mod1', password: 'correct-horse-battery' })).status).toBe(200);
  const fresh = cookieOf(agent);
  expect(fresh).not.toBe(old);
  expect((await withCookie(old)).status).toBe(401);
  expect((await withCookie(fresh)).status).toBe(200);
  expect(sessions()).toEqual([hashToken(fresh.split('.')[0])]);
});

it('expires a session after SESSION_TTL_HOURS', async () => {
  const mod = await signedIn(s, 'mod1');
  s.clock.advance(59 * 60_000);
  expect(await me(mod)).toBe(200);
  s.clock.advance(2 * 60_000);
  expect(await me(mod)).toBe(401);
});

it('lets an admin end every session of a moderator at once, closing their live console too', async () => {
  const admin = await signedIn(s, 'admin1', 'admin');
  const mod = await signedIn(s, 'mod1');
  const second = (await login(s, 'mod1')).agent;
  const socket = await modSocket(s, mod);
  const gone = nextEvent(socket, 'disconnect');
  const res = await admin.post(`/api/admin/moderators/${mod.moderator.id}/logout-everywhere`, {});
  expect(res.status).toBe(200);
  expect(res.body.sessionsEnded).toBe(2);
  expect([await me(mod), await me(second)]).toEqual([401, 401]);
  expect(await me(admin)).toBe(200);
  await gone;
  expect(socket.connected).toBe(false);
});

it('refuses a moderator (not an admin) ending someone else’s sessions', async () => {
  const admin = await signedIn(s, 'admin1', 'admin');
  const mod = await signedIn(s, 'mod1');
  const res = await mod.post(`/api/admin/moderators/${admin.moderator.id}/logout-everywhere`, {});
  expect(res.status).toBe(403);
  expect(await me(admin)).toBe(200);
});

it('refuses forged cookies: no signature, a tampered signature, another key, or someone else’s token re-signed', async () => {
  const mod = await signedIn(s, 'mod1');
  const value = cookieOf(mod);
  const [token, sig] = value.split('.');
  const flip = (x: string) => (x[0] === 'A' ? 'B' : 'A') + x.slice(1);
  for (const forged of [token, `${token}.`, `${token}.${flip(sig)}`, signToken(token, 'x'.repeat(32)), `${flip(token)}.${sig}`, `.${sig}`, `${token}.${sig}.${sig}`, 'a'.repeat(4000)]) {
    const res = await withCookie(forged);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  }
  expect((await withCookie(signToken('g'.repeat(43), 'not-the-server-secret-not-the-server'))).status).toBe(401);
  expect(await me(mod)).toBe(200);
});

it('ends every session of a moderator whose password changes or who is disabled', async () => {
  const admin = await signedIn(s, 'admin1', 'admin');
  const mod = await signedIn(s, 'mod1');
  const other = (await login(s, 'mod1')).agent;
  expect((await mod.post('/api/admin/password', { current: 'correct-horse-battery', next: 'a-brand-new-password' })).status).toBe(200);
  expect([await me(mod), await me(other)]).toEqual([401, 401]);
  const again = (await login(s, 'mod1', 'a-brand-new-password')).agent;
  expect(await me(again)).toBe(200);
  expect((await admin.patch(`/api/admin/moderators/${mod.moderator.id}`, { disabled: true })).status).toBe(200);
  expect(await me(again)).toBe(401);
  expect((await login(s, 'mod1', 'a-brand-new-password')).res.status).toBe(401);
});

describe('author tokens', () => {
  it('ignores malformed author cookies and never maps a token hash or a guess onto someone else', async () => {
    const victim = reader(s);
    const id = (await postComment(victim, s.article.slug, { body: '受害者的评论' })).body.comment.id;
    const token = /yl_author=([^;]+)/.exec(victim.cookie())![1];
    const forged = [hashToken(token), token.slice(0, 42), `${token}A`, `${token.slice(0, 42)}+`, '../../etc/passwd', 'a'.repeat(4000)];
    for (const value of forged) {
      const res = await request(s.url).patch(`/api/comments/${id}`).set('Origin', s.origin).set('Cookie', `yl_author=${value}`).send({ body: '被篡改' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('not_author');
    }
    expect(s.db.prepare('SELECT body FROM comments WHERE id = ?').pluck().get(id)).toBe('受害者的评论');
    // Only the token itself, which only the victim's browser holds, acts as the victim.
    expect((await victim.patch(`/api/comments/${id}`, { body: '本人修改' })).status).toBe(200);
  });

  it('stores only the hash of an author token', async () => {
    const r = reader(s);
    await postComment(r, s.article.slug, { body: '一条' });
    const token = /yl_author=([^;]+)/.exec(r.cookie())![1];
    const dump = JSON.stringify(s.db.prepare('SELECT * FROM authors').all());
    expect(dump).not.toContain(token);
    expect(dump).toContain(hashToken(token));
  });
});
