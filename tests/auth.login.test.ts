import { emitAck, reader, useTestServer } from './helpers/server';
import { auditEntries, createMod, login, modSocket, PASSWORD, refusedConnect, signedIn } from './helpers/moderation';

const MIN = 60_000;

/** The reason the server gives when it ends this socket; 'still connected' if it has not within 3 s. */
const disconnected = (socket: { once(e: 'disconnect', f: (r: string) => void): unknown }) =>
  new Promise<string>((resolve) => {
    const t = setTimeout(() => resolve('still connected'), 3000);
    socket.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
/** n failed logins at once: each failure is answered more slowly, and waiting for them one by one adds up. */
const times = <T>(n: number, f: () => Promise<T>) => Promise.all(Array.from({ length: n }, f));

describe('moderator login', () => {
  const s = useTestServer({ env: { TRUST_PROXY: 'loopback' } });

  const fail = (username: string, from?: string) => {
    const r = reader(s);
    const req = r.agent.post('/api/admin/login').set('Origin', s.origin);
    if (from) req.set('X-Forwarded-For', from);
    return req.send({ username, password: 'wrong password!' });
  };
  const loginFrom = (username: string, from?: string) => {
    const req = reader(s).agent.post('/api/admin/login').set('Origin', s.origin);
    if (from) req.set('X-Forwarded-For', from);
    return req.send({ username, password: PASSWORD });
  };

  it('signs in with the right password and answers 401 invalid_credentials alike for a wrong password and an unknown name', async () => {
    await createMod(s, 'mod1');
    const ok = await login(s, 'mod1');
    expect(ok.res.status).toBe(200);
    expect((await ok.agent.get('/api/admin/me')).body.moderator.username).toBe('mod1');
    const wrong = await fail('mod1');
    const unknown = await fail('nobody');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a login without username or password with 400 invalid_input', async () => {
    const res = await reader(s).post('/api/admin/login', { username: 'mod1' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
  });

  it('locks an account after 5 failures: even the right password gets 429 login_locked with Retry-After, for 15 minutes', async () => {
    await createMod(s, 'mod1');
    await createMod(s, 'mod2');
    expect((await times(5, () => fail('mod1'))).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    const locked = await loginFrom('mod1');
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('login_locked');
    expect(Number(locked.headers['retry-after'])).toBe(15 * 60);
    // Another account from the same network is not locked by mod1's five failures.
    expect((await loginFrom('mod2')).status).toBe(200);
    s.clock.advance(14 * MIN);
    expect((await loginFrom('mod1')).status).toBe(429);
    s.clock.advance(MIN + 1);
    expect((await loginFrom('mod1')).status).toBe(200);
  });

  it('lets no more than 5 guesses at one account through even when they arrive all at once', async () => {
    await createMod(s, 'mod1');
    const statuses = (await times(12, () => fail('mod1'))).map((r) => r.status);
    expect(statuses.filter((x) => x === 401)).toHaveLength(5);
    expect(statuses.filter((x) => x === 429)).toHaveLength(7);
  });

  it('locks the account name case-insensitively', async () => {
    await createMod(s, 'mod1');
    for (const name of ['MOD1', 'Mod1', 'mod1', 'mOd1', 'MOD1']) expect((await fail(name)).status).toBe(401);
    expect((await loginFrom('mod1')).status).toBe(429);
  });

  it('does not lock when the failures are spread beyond the 15-minute window, and a success clears the count', async () => {
    await createMod(s, 'mod1');
    await times(4, () => fail('mod1'));
    s.clock.advance(16 * MIN);
    await times(4, () => fail('mod1'));
    expect((await loginFrom('mod1')).status).toBe(200);
    await times(4, () => fail('mod1'));
    expect((await loginFrom('mod1')).status).toBe(200);
  });

  it('locks a network after 20 failures across accounts; another network still signs in; the lock ends after 15 minutes', async () => {
    await createMod(s, 'mod1');
    const net = '203.0.113.7';
    // Twenty names, one failure each: no account lock, only the network's count reaches 20.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => fail(`guess${i}`, net)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(401));
    const locked = await loginFrom('mod1', net);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('login_locked');
    expect((await loginFrom('mod1', '198.51.100.9')).status).toBe(200);
    s.clock.advance(15 * MIN + 1);
    expect((await loginFrom('mod1', net)).status).toBe(200);
  });
});

describe('moderator sessions', () => {
  const s = useTestServer({ env: { SESSION_TTL_HOURS: '2' } });

  it('keeps a session until SESSION_TTL_HOURS have passed, then answers 401', async () => {
    const mod = await signedIn(s, 'mod1');
    s.clock.advance(2 * 3_600_000 - 1000);
    expect((await mod.get('/api/admin/me')).status).toBe(200);
    s.clock.advance(1000);
    const res = await mod.get('/api/admin/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect((await refusedConnect(s, mod.cookie()))?.data).toMatchObject({ code: 'unauthenticated' });
  });

  it('gives each login a new session token, and the previous one keeps working until it ends', async () => {
    await createMod(s, 'mod1');
    const a = await login(s, 'mod1');
    const b = await login(s, 'mod1');
    expect(a.agent.cookie()).not.toBe(b.agent.cookie());
    expect((await a.agent.get('/api/admin/me')).status).toBe(200);
    expect((await b.agent.get('/api/admin/me')).status).toBe(200);
  });

  it('logout ends that session: the old cookie gets 401, its socket is disconnected, another session of the same moderator lives on', async () => {
    await createMod(s, 'mod1');
    const laptop = (await login(s, 'mod1')).agent;
    const phone = (await login(s, 'mod1')).agent;
    const laptopSocket = await modSocket(s, laptop);
    const phoneSocket = await modSocket(s, phone);
    const cookie = laptop.cookie();
    const ended = disconnected(laptopSocket);
    const res = await laptop.post('/api/admin/logout');
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/yl_mod=;/);
    expect((await reader(s).get('/api/admin/me').set('Cookie', cookie)).status).toBe(401);
    expect(await ended).toBe('io server disconnect');
    expect(await emitAck(phoneSocket, 'queue:counts', {})).toMatchObject({ ok: true });
    expect((await phone.get('/api/admin/me')).status).toBe(200);
    phoneSocket.disconnect();
  });

  it('logout needs the Origin header like every cookie-bearing write (CSRF guard answers 403)', async () => {
    const mod = await signedIn(s, 'mod1');
    const res = await mod.agent.post('/api/admin/logout');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_rejected');
    expect((await mod.get('/api/admin/me')).status).toBe(200);
  });

  it('logout-everywhere by an admin ends every session of the moderator and disconnects all their sockets, and is audited', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    const m = await createMod(s, 'mod1');
    const sessions = [(await login(s, 'mod1')).agent, (await login(s, 'mod1')).agent];
    const sockets = await Promise.all(sessions.map((a) => modSocket(s, a)));
    const adminSocket = await modSocket(s, admin);
    const ends = sockets.map(disconnected);
    const res = await admin.post(`/api/admin/moderators/${m.id}/logout-everywhere`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessionsEnded: 2 });
    expect(await Promise.all(ends)).toEqual(['io server disconnect', 'io server disconnect']);
    for (const a of sessions) expect((await a.get('/api/admin/me')).status).toBe(401);
    expect(adminSocket.connected).toBe(true);
    expect((await admin.get('/api/admin/me')).status).toBe(200);
    const [entry] = await auditEntries(admin);
    expect(entry).toMatchObject({ moderatorName: 'admin1', action: 'moderator.logout_everywhere', targetId: m.id, details: { sessions: 2 } });
    adminSocket.disconnect();
  });

  it('disabling a moderator ends their sessions and sockets, and they cannot sign in again', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    const mod = await signedIn(s, 'mod1');
    const socket = await modSocket(s, mod);
    const ended = disconnected(socket);
    const res = await admin.patch(`/api/admin/moderators/${mod.moderator.id}`, { disabled: true });
    expect(res.status).toBe(200);
    expect(await ended).toBe('io server disconnect');
    expect((await mod.get('/api/admin/me')).status).toBe(401);
    expect((await login(s, 'mod1')).res.status).toBe(401);
  });

  it('lets an admin create a moderator through the API (audited), refusing a taken name (409) and a weak password (422)', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    const res = await admin.post('/api/admin/moderators', { username: 'helper', password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.moderator).toMatchObject({ username: 'helper', role: 'moderator', disabled: false });
    expect((await login(s, 'helper')).res.status).toBe(200);
    expect((await admin.post('/api/admin/moderators', { username: 'helper', password: PASSWORD })).status).toBe(409);
    expect((await admin.post('/api/admin/moderators', { username: 'weak', password: 'short' })).body.error.code).toBe('weak_password');
    const [entry] = await auditEntries(admin);
    expect(entry).toMatchObject({ moderatorName: 'admin1', action: 'moderator.create', targetId: res.body.moderator.id, details: { username: 'helper', role: 'moderator' } });
    expect((await admin.get('/api/admin/moderators')).body.moderators.map((m: { username: string }) => m.username)).toEqual(['admin1', 'helper']);
  });

  it('refuses to disable or demote the last admin with 422 last_admin', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    const res = await admin.patch(`/api/admin/moderators/${admin.moderator.id}`, { role: 'moderator' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('last_admin');
  });

  it('changing the password ends every session, and only the new password signs in', async () => {
    const mod = await signedIn(s, 'mod1');
    const res = await mod.post('/api/admin/password', { current: PASSWORD, next: 'a-brand-new-password' });
    expect(res.status).toBe(200);
    expect((await mod.get('/api/admin/me')).status).toBe(401);
    expect((await login(s, 'mod1')).res.status).toBe(401);
    expect((await login(s, 'mod1', 'a-brand-new-password')).res.status).toBe(200);
  });
});
