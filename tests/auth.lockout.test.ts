// Locking out the admin is not possible from another network: locks are per (account, network), the
// account-wide counter only slows, the owner is told how many failures happened since the last login,
// and password hashes made with older scrypt parameters are upgraded at the next login.
import { hashPassword, SCRYPT, verifyPassword } from '../server/moderation/auth.service';
import { reader, useTestServer } from './helpers/server';
import { createMod, PASSWORD } from './helpers/moderation';

const ATTACKERS = ['203.0.113.7', '203.0.113.8'];
const OWNER = '198.51.100.9';

describe('per-network login lockout', () => {
  const s = useTestServer({ env: { TRUST_PROXY: 'loopback' } });

  const attempt = (username: string, password: string, from: string, r = reader(s)) =>
    r.agent.post('/api/admin/login').set('Origin', s.origin).set('X-Forwarded-For', from).send({ username, password });
  const fail = (from: string) => attempt('admin1', 'wrong password!', from);

  it('locks the attacking network after 5 failures while the owner signs in from another network and sees the count', async () => {
    await createMod(s, 'admin1', 'admin');
    const failures = await Promise.all([...Array(5).fill(ATTACKERS[0]), ...Array(2).fill(ATTACKERS[1])].map(fail));
    expect(failures.map((f) => f.status)).toEqual(Array(7).fill(401));
    // The attacking network is locked for this account, even with the right password.
    const locked = await attempt('admin1', PASSWORD, ATTACKERS[0]);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('login_locked');
    expect(Number(locked.headers['retry-after'])).toBe(15 * 60);

    const r = reader(s);
    const owner = await r.agent.post('/api/admin/login').set('Origin', s.origin).set('X-Forwarded-For', OWNER).send({ username: 'admin1', password: PASSWORD });
    expect(owner.status).toBe(200);
    expect(owner.body.loginNotice).toEqual({ failures: 7, networks: 2 });
    const consolePage = await r.agent.get('/admin').set('X-Forwarded-For', OWNER);
    expect(consolePage.status).toBe(200);
    expect(consolePage.text).toContain('有 7 次登录失败，来自 2 个网络');

    // The next login starts counting afresh.
    const r2 = reader(s);
    const again = await attempt('admin1', PASSWORD, OWNER, r2);
    expect(again.body.loginNotice).toEqual({ failures: 0, networks: 0 });
    expect((await r2.agent.get('/admin')).text).not.toContain('login-notice');
  });

  it('keeps the attacking network locked for the whole 15 minutes, then lets it try again', async () => {
    await createMod(s, 'admin1', 'admin');
    await Promise.all(Array.from({ length: 5 }, () => fail(ATTACKERS[0])));
    s.clock.advance(14 * 60_000);
    expect((await attempt('admin1', PASSWORD, ATTACKERS[0])).status).toBe(429);
    s.clock.advance(60_000 + 1);
    expect((await attempt('admin1', PASSWORD, ATTACKERS[0])).status).toBe(200);
  });

  it('slows every attempt on an attacked account but never locks it: the owner still signs in after 30 failures from 6 networks', async () => {
    await createMod(s, 'admin1', 'admin');
    const nets = Array.from({ length: 6 }, (_, i) => `203.0.113.${20 + i}`);
    await Promise.all(nets.flatMap((n) => Array.from({ length: 5 }, () => fail(n))));
    expect((await attempt('admin1', PASSWORD, OWNER)).status).toBe(200);
  });
});

describe('password hash upgrade', () => {
  const s = useTestServer({ env: { SCRYPT_LOG2_N: '15' } });

  it('hashes with N=2^17, r=8, p=1 by default and stores the parameters in the hash', async () => {
    expect(SCRYPT).toEqual({ N: 131072, r: 8, p: 1 });
    const h = await hashPassword('a long enough password');
    expect(h).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('a long enough password', h)).toBe(true);
  });

  it('rehashes a stored hash with older parameters at the next successful login, and not after a failed one', async () => {
    const m = await createMod(s, 'old1');
    await s.store.moderators.update(m.id, { passwordHash: await hashPassword(PASSWORD, { N: 2 ** 14, r: 8, p: 1 }) });
    const stored = async () => (await s.store.moderators.getByUsername('old1'))!.passwordHash;
    expect((await reader(s).post('/api/admin/login', { username: 'old1', password: 'wrong password!' })).status).toBe(401);
    expect(await stored()).toMatch(/^scrypt\$16384\$/);
    expect((await reader(s).post('/api/admin/login', { username: 'old1', password: PASSWORD })).status).toBe(200);
    const upgraded = await stored();
    expect(upgraded).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword(PASSWORD, upgraded)).toBe(true);
    expect((await reader(s).post('/api/admin/login', { username: 'old1', password: PASSWORD })).status).toBe(200);
    expect(await stored()).toBe(upgraded);
  });
});
