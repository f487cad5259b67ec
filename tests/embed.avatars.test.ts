// SSO avatars: the https avatar a site's signed-in user carried is kept with their comment, answered as
// `avatar` beside `verified`, and drawn by the shared template as a fixed-size img with no referrer.
import { compileCommentTemplate } from '../server/comments/comments.html';
import { toCommentJson } from '../server/comments/comments.view';
import type { CommentRow } from '../server/db/store';
import { strings } from '../server/i18n/strings';
import { timeFormat } from '../server/i18n/time';
import { useTestServer } from './helpers/server';
import { createSite, embedReader, ssoToken } from './helpers/embed';

const SECRET = 'a'.repeat(32);

describe('SSO avatars', () => {
  const s = useTestServer();

  it('keeps an https avatar with the verified comment and answers it in the thread and to the viewer', async () => {
    await createSite(s, { ssoSecret: SECRET });
    const r = embedReader(s);
    r.signIn(await ssoToken(SECRET, { sub: 'u1', name: '王编辑', avatar: 'https://cdn.example.com/u/1.png?s=64&v=2' }));
    const posted = await r.post('p-av', { body: '有头像' });
    expect(posted.body.comment).toMatchObject({ verified: true, avatar: 'https://cdn.example.com/u/1.png?s=64&v=2' });
    const view = await r.thread('p-av');
    expect(view.body.viewer.signedIn).toEqual({ name: '王编辑', avatar: 'https://cdn.example.com/u/1.png?s=64&v=2' });
    expect(view.body.thread.comments[0].avatar).toBe('https://cdn.example.com/u/1.png?s=64&v=2');
  });

  it('drops an avatar that is not https, and never gives a guest one', async () => {
    await createSite(s, { ssoSecret: SECRET });
    const r = embedReader(s);
    r.signIn(await ssoToken(SECRET, { sub: 'u2', name: '李', avatar: 'http://cdn.example.com/u/2.png' }));
    expect((await r.post('p-av2', { body: '明文头像' })).body.comment.avatar).toBeUndefined();
    const q = embedReader(s);
    r.signIn(await ssoToken(SECRET, { sub: 'u3', name: '赵', avatar: 'https://x.example/"onerror="alert(1)' }));
    expect((await r.post('p-av2', { body: '引号头像' })).body.comment.avatar).toBeUndefined();
    const guest = await q.post('p-av2', { body: '游客', avatar: 'https://evil.example/a.png' });
    expect(guest.body.comment.avatar).toBeUndefined();
    expect(guest.body.comment.verified).toBe(false);
  });

  it('renders the avatar escaped, fixed size, without a referrer, and only for an https URL', () => {
    const render = compileCommentTemplate();
    const t = strings('zh-CN');
    const row = { id: 7, articleId: 1, parentId: null, rootId: null, depth: 0, authorId: 1, authorName: '王编辑', replyToName: null, body: 'x', html: '<p>x</p>', status: 'published', createdAt: 0, editedAt: null, deletedAt: null, likes: 0, replyCount: 0, ipHash: null, pinnedAt: null, heldReason: null, reportCount: 0, reportsOpen: 0, moderatedAt: null, moderatedBy: null, moderationNote: null, verifiedSiteId: 1, verifiedAvatar: 'https://cdn.example.com/a.png?x=1&y=2', featuredAt: null, reactionCounts: '{}', score: 0 } as unknown as CommentRow;
    const base = { t, nest: 3, tz: 480, now: 0, time: timeFormat('Asia/Shanghai', t), more: 0, childrenHtml: '' };
    const html = render({ ...base, c: toCommentJson(row) });
    expect(html).toContain('<img class="avatar avatar-img" src="https://cdn.example.com/a.png?x=1&amp;y=2" alt="" width="26" height="26" loading="lazy" decoding="async" referrerpolicy="no-referrer">');
    expect(html).not.toMatch(/avatar-\d/);
    // A JSON that somehow carries something else draws the letter avatar.
    const bad = render({ ...base, c: { ...toCommentJson(row), avatar: 'javascript:alert(1)' } });
    expect(bad).not.toContain('<img');
    expect(bad).toMatch(/class="avatar avatar-\d+"/);
  });
});
