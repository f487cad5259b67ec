import { MODERATION_EVENTS } from '../server/moderation/moderation.socket';
import { emitAck, reader, useTestServer } from './helpers/server';
import { adminRouteTable, login, modSocket, refusedConnect, registeredAdminRoutes, send, signedIn } from './helpers/moderation';

const HOUR = 3_600_000;

describe('every /api/admin route, enumerated from adminRoutes(ctx)', () => {
  const s = useTestServer();

  it('declares a role for every route, and Express registered exactly the table plus the public login', () => {
    const table = adminRouteTable(s);
    expect(table.length).toBeGreaterThan(20);
    for (const r of table) expect(['admin', 'moderator']).toContain(r.role);
    const declared = table.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(new Set(declared).size).toBe(declared.length);
    expect(registeredAdminRoutes(s)).toEqual([...declared, 'POST /api/admin/login'].sort());
  });

  it('refuses every route without a session cookie with 401 unauthenticated', async () => {
    const anon = reader(s);
    for (const route of adminRouteTable(s)) {
      const res = await send(anon, route);
      expect({ route: `${route.method} ${route.path}`, status: res.status, code: res.body.error?.code }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
        code: 'unauthenticated',
      });
    }
  });

  it('refuses every route with a forged session cookie with 401', async () => {
    const forged = reader(s);
    for (const route of adminRouteTable(s)) {
      const res = await send(forged, route).set('Cookie', 'yl_mod=forged-token.forged-signature');
      expect({ route: route.path, status: res.status }).toEqual({ route: route.path, status: 401 });
    }
  });

  it('refuses every route with a logged-out session cookie with 401', async () => {
    const mod = await signedIn(s, 'admin1', 'admin');
    const oldCookie = mod.cookie();
    expect((await mod.post('/api/admin/logout')).status).toBe(200);
    for (const route of adminRouteTable(s)) {
      const res = await send(reader(s), route).set('Cookie', oldCookie);
      expect({ route: route.path, status: res.status }).toEqual({ route: route.path, status: 401 });
    }
  });

  it('refuses every route with an expired session with 401', async () => {
    const mod = await signedIn(s, 'admin1', 'admin');
    s.clock.advance(s.config.sessionTtlMs + 1);
    for (const route of adminRouteTable(s)) {
      const res = await send(mod, route);
      expect({ route: route.path, status: res.status }).toEqual({ route: route.path, status: 401 });
    }
  });

  it('refuses every admin-only route to a moderator with 403 forbidden, and lets the moderator through every other route', async () => {
    const mod = await signedIn(s, 'mod1', 'moderator');
    // Logout last: it ends the session the remaining requests use.
    const routes = adminRouteTable(s).sort((a, b) => Number(a.path.endsWith('/logout')) - Number(b.path.endsWith('/logout')));
    expect(routes.some((r) => r.role === 'admin')).toBe(true);
    for (const route of routes) {
      const res = await send(mod, route);
      const label = `${route.method} ${route.path}`;
      if (route.role === 'admin') expect({ label, status: res.status, code: res.body.error?.code }).toEqual({ label, status: 403, code: 'forbidden' });
      else expect({ label, refused: [401, 403].includes(res.status) }).toEqual({ label, refused: false });
    }
  });

  it('lets an admin through every route', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    const routes = adminRouteTable(s).sort((a, b) => Number(a.path.endsWith('/logout')) - Number(b.path.endsWith('/logout')));
    for (const route of routes) {
      const res = await send(admin, route);
      const label = `${route.method} ${route.path}`;
      expect({ label, refused: [401, 403].includes(res.status) }).toEqual({ label, refused: false });
    }
  });

  it('marks admin responses no-store so a shared cache never keeps them', async () => {
    const mod = await signedIn(s, 'mod1');
    const res = await mod.get('/api/admin/me');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.moderator).toMatchObject({ username: 'mod1', role: 'moderator' });
  });
});

describe('every event of the /moderation namespace, enumerated from MODERATION_EVENTS', () => {
  const s = useTestServer();

  const events = Object.entries(MODERATION_EVENTS);

  it('lists at least the moderate and counts events, each with a role', () => {
    expect(events.map(([e]) => e)).toEqual(expect.arrayContaining(['comment:moderate', 'queue:counts']));
    for (const [, role] of events) expect(['admin', 'moderator']).toContain(role);
  });

  it('refuses a connection without a session, or with a forged one, with connect_error unauthenticated', async () => {
    const none = await refusedConnect(s);
    expect(none?.data).toMatchObject({ code: 'unauthenticated' });
    const forged = await refusedConnect(s, 'yl_mod=forged.sig');
    expect(forged?.data).toMatchObject({ code: 'unauthenticated' });
    const readerOnly = reader(s);
    await readerOnly.post(`/api/articles/${s.article.slug}/comments`, { authorName: '读者', body: '我只是读者' });
    expect((await refusedConnect(s, readerOnly.cookie()))?.data).toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a connection with a logged-out session', async () => {
    const mod = await signedIn(s, 'mod1');
    const cookie = mod.cookie();
    await mod.post('/api/admin/logout');
    expect((await refusedConnect(s, cookie))?.data).toMatchObject({ code: 'unauthenticated' });
  });

  it.each(events)('answers %s with 401 once the session has expired, then disconnects the socket', async (event) => {
    const mod = await signedIn(s, 'mod1');
    const socket = await modSocket(s, mod);
    const gone = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    s.clock.advance(s.config.sessionTtlMs + HOUR);
    const ack = await emitAck(socket, event, {});
    expect(ack).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await gone).toBe('io server disconnect');
  });

  it.each(events)('answers %s with 401 after the session was ended by logout-everywhere', async (event) => {
    const mod = await signedIn(s, 'mod1');
    const socket = await modSocket(s, mod);
    // Straight in the store, so that no disconnect is published: the per-event check alone must catch it.
    await s.store.moderators.deleteSessionsOf(mod.moderator.id);
    const ack = await emitAck(socket, event, {});
    expect(ack).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    socket.disconnect();
  });

  it.each(events)('checks the role for %s: a moderator is refused with 403 only when the event is admin-only', async (event, role) => {
    const mod = await signedIn(s, 'mod1', 'moderator');
    const socket = await modSocket(s, mod);
    const ack = await emitAck(socket, event, {});
    if (role === 'admin') expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    else expect(['unauthenticated', 'forbidden']).not.toContain(ack.error?.code);
    socket.disconnect();
  });

  it('answers queue:counts with the pending and reported counts for a signed-in moderator', async () => {
    const mod = await signedIn(s, 'mod1');
    const socket = await modSocket(s, mod);
    expect(await emitAck(socket, 'queue:counts', {})).toEqual({ ok: true, data: { counts: { pending: 0, reported: 0 } } });
    expect(await emitAck(socket, 'queue:counts', { article: 'nope' })).toMatchObject({ ok: false, error: { code: 'article_not_found' } });
    socket.disconnect();
  });
});

describe('login endpoint basics', () => {
  const s = useTestServer();

  it('sets a signed httpOnly SameSite=Strict yl_mod cookie and never echoes the password hash', async () => {
    await signedIn(s, 'mod1');
    const { res } = await login(s, 'mod1');
    expect(res.status).toBe(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('yl_mod='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie.split(';')[0]).toMatch(/^yl_mod=[\w-]+\.[\w-]+$/);
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|passwordHash/);
    expect(res.body.moderator).toMatchObject({ username: 'mod1', role: 'moderator' });
  });
});
