// Sign-in from the host site: an HS256 token signed with the site's secret names a verified author keyed
// by site and sub; expired, forged and other-site tokens are refused with a clear error.
import { useTestServer } from './helpers/server';
import { createSite, embedReader, embedSocket, ssoToken } from './helpers/embed';

const SECRET = 's'.repeat(40);

describe('embed SSO', () => {
  const s = useTestServer();

  it('posts under the name the site signed, as one author across devices', async () => {
    await createSite(s, { ssoSecret: SECRET });
    const phone = embedReader(s);
    const laptop = embedReader(s);
    phone.signIn(await ssoToken(SECRET, { sub: 'u-42', name: '王小明', avatar: 'https://cdn.example.com/a.png' }));
    laptop.signIn(await ssoToken(SECRET, { sub: 'u-42', name: '王小明' }));
    const posted = await phone.post('sso-page', { authorName: '冒名', body: '登录后发言' });
    expect(posted.status).toBe(201);
    expect(posted.body.comment).toMatchObject({ authorName: '王小明', verified: true });
    expect(posted.body.token).toBeUndefined();
    expect((await laptop.edit(posted.body.comment.id, '换台电脑改')).status).toBe(200);
    const view = await phone.thread('sso-page');
    expect(view.body.viewer.signedIn).toEqual({ name: '王小明', avatar: 'https://cdn.example.com/a.png' });
  });

  it('refuses expired, forged and other-site tokens with sso_expired / sso_invalid, and creates nothing', async () => {
    const site = await createSite(s, { ssoSecret: SECRET });
    const r = embedReader(s);
    r.signIn(await ssoToken(SECRET, { sub: 'u1', name: '甲' }, Math.floor(Date.now() / 1000) - 60));
    const expired = await r.post('p', {});
    expect([expired.status, expired.body.error.code]).toEqual([401, 'sso_expired']);
    r.signIn(await ssoToken('x'.repeat(40), { sub: 'u1', name: '甲' }));
    const forged = await r.post('p', {});
    expect([forged.status, forged.body.error.code]).toEqual([401, 'sso_invalid']);
    const good = await ssoToken(SECRET, { sub: 'u1', name: '甲' });
    r.signIn(good.slice(0, -3) + (good.endsWith('AAA') ? 'BBB' : 'AAA'));
    expect((await r.post('p', {})).body.error.code).toBe('sso_invalid');
    r.signIn('not-a-jwt');
    expect((await r.post('p', {})).body.error.code).toBe('sso_invalid');
    expect(await s.store.embed.pageThread(site.id, 'id:p')).toBeUndefined();
    await expect(embedSocket(s, { sso: await ssoToken('x'.repeat(40), { sub: 'u1', name: '甲' }) })).rejects.toThrow(/登录凭据无效/);
  });

  it('makes guests of a site that requires SSO sign in first, with the login link', async () => {
    await createSite(s, { ssoSecret: SECRET, ssoRequired: true, loginUrl: 'https://news.example.com/login' });
    const guest = embedReader(s);
    const refused = await guest.post('p', {});
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ code: 'sso_required', details: { loginUrl: 'https://news.example.com/login' } });
    expect((await guest.thread('p')).body.site).toMatchObject({ ssoRequired: true, loginUrl: 'https://news.example.com/login' });
    guest.signIn(await ssoToken(SECRET, { sub: 'u9', name: '乙' }));
    const ok = await guest.post('p', {});
    expect(ok.status).toBe(201);
    expect((await embedReader(s).thread('p')).body.thread.comments[0]).toMatchObject({ authorName: '乙', verified: true });
  });
});
