import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, reader, useTestServer, type Reader } from './helpers/server';
import { auditEntries, commentBy, forId, modSocket, signedIn, type ModAgent } from './helpers/moderation';

describe('reader reports', () => {
  let admin: ModAgent;
  let otherReader: Socket;
  let modSock: Socket;

  // Hiding counts distinct networks and weighs established authors (moderation.report-weights.test.ts):
  // reporters here each speak from their own network and have a published comment.
  const s = useTestServer({ env: { TRUST_PROXY: 'loopback' } });
  beforeEach(async () => {
    admin = await signedIn(s, 'admin1', 'admin');
    otherReader = await connectSocket(s);
    await emitAck(otherReader, 'join', { article: s.article.slug });
    modSock = await modSocket(s, admin);
  });

  const report = (r: Reader, id: number, body: object = { reason: 'spam' }) => r.post(`/api/comments/${id}/report`, body);
  let nets = 0;
  /** A reader from a network of their own, with one published comment (a report from them weighs 1). */
  const trusted = async (): Promise<Reader> => {
    const r = reader(s);
    const ip = `198.51.100.${++nets}`;
    const from: Reader = { ...r, post: (p: string, body?: object) => r.agent.post(p).set('Origin', s.origin).set('X-Forwarded-For', ip).send(body) };
    // Their history is on another article, so this thread's listing stays the comment under test.
    if (!(await s.store.articles.getBySlug('elsewhere'))) await s.store.articles.insert({ slug: 'elsewhere', title: '别处', body: '正文', createdAt: s.clock.now });
    await from.post('/api/articles/elsewhere/comments', { authorName: '常客', body: `常客的评论 ${ip}` });
    return from;
  };

  const listed = async (r: Reader) => (await r.get(`/api/articles/${s.article.slug}/comments`)).body.comments as { id: number; status: string }[];
  const reportedQueue = async () => (await admin.get('/api/admin/queue?queue=reported')).body;

  it('records a report, tells the moderators, and lists it in the reported queue with reason and note; the comment stays visible', async () => {
    const { comment } = await commentBy(s, '被举报的评论');
    const heard = nextEvent(modSock, 'queue:changed', (p: { ids: number[] }) => p.ids.includes(comment.id));
    const res = await report(reader(s), comment.id, { reason: 'abuse', note: '骂人' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: comment.id, reported: true });
    await heard;
    const q = await reportedQueue();
    expect(q.counts).toEqual({ pending: 0, reported: 1 });
    expect(q.items[0]).toMatchObject({ comment: { id: comment.id, status: 'published', reportsOpen: 1 }, queues: ['reported', 'published'] });
    expect(q.items[0].reasons.reports).toEqual([{ commentId: comment.id, reason: 'abuse', count: 1, notes: ['骂人'] }]);
    expect((await listed(reader(s))).map((c) => c.id)).toEqual([comment.id]);
  });

  it('accepts one report per reader per comment: the second gets 409 already_reported', async () => {
    const { comment } = await commentBy(s, '只能举报一次');
    const r = reader(s);
    expect((await report(r, comment.id)).status).toBe(201);
    const again = await report(r, comment.id, { reason: 'other' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_reported');
    expect((await reportedQueue()).items[0].comment.reportCount).toBe(1);
  });

  it('refuses reporting your own comment (422), an unknown reason (400) and a comment that is not published (404)', async () => {
    const { reader: author, comment } = await commentBy(s, '自己的评论');
    expect((await report(author, comment.id)).body.error.code).toBe('cannot_report_own');
    const bad = await report(reader(s), comment.id, { reason: 'boring' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    await admin.post(`/api/admin/comments/${comment.id}/reject`, {});
    expect((await report(reader(s), comment.id)).status).toBe(404);
    expect((await report(reader(s), 999_999)).status).toBe(404);
  });

  it('hides a comment at the third open report (default threshold): gone live for readers, still pending for its author', async () => {
    const { reader: author, comment } = await commentBy(s, '惹人举报的评论');
    expect((await report(await trusted(), comment.id)).status).toBe(201);
    expect((await report(await trusted(), comment.id)).status).toBe(201);
    expect((await listed(reader(s))).map((c) => c.id)).toEqual([comment.id]);
    const removed = nextEvent(otherReader, 'comment:removed', forId(comment.id));
    expect((await report(await trusted(), comment.id)).status).toBe(201);
    expect(await removed).toMatchObject({ id: comment.id, comment: null });
    expect(await listed(reader(s))).toEqual([]);
    expect((await listed(author)).map((c) => [c.id, c.status])).toEqual([[comment.id, 'pending']]);
    const q = await reportedQueue();
    expect(q.items[0]).toMatchObject({ comment: { id: comment.id, status: 'pending', heldReason: 'reports', reportsOpen: 3 }, queues: ['reported'] });
    expect(q.items[0].reasons.reports).toEqual([{ commentId: comment.id, reason: 'spam', count: 3, notes: [] }]);
  });

  it('approving a hidden reported comment brings it back live and empties the reported queue', async () => {
    const { comment } = await commentBy(s, '其实没问题');
    for (let i = 0; i < 3; i++) await report(await trusted(), comment.id);
    const back = nextEvent(otherReader, 'comment:created', forId(comment.id));
    const res = await admin.post(`/api/admin/comments/${comment.id}/approve`, { reason: '举报不成立' });
    expect(res.status).toBe(200);
    expect(res.body.item.comment).toMatchObject({ status: 'published', reportsOpen: 0, reportCount: 3 });
    expect((await back).comment.body).toBe('其实没问题');
    expect((await reportedQueue()).items).toEqual([]);
    expect((await auditEntries(admin))[0]).toMatchObject({ moderatorName: 'admin1', action: 'comment.approve', reason: '举报不成立', details: { from: 'pending' } });
  });

  it('approving a reported but still visible comment dismisses its reports', async () => {
    const { comment } = await commentBy(s, '一个举报而已');
    await report(reader(s), comment.id);
    const res = await admin.post(`/api/admin/comments/${comment.id}/approve`, {});
    expect(res.body.item).toMatchObject({ comment: { status: 'published', reportsOpen: 0 }, queues: ['published'] });
    expect((await reportedQueue()).counts.reported).toBe(0);
  });

  it('uses the site reportThreshold set through PATCH /api/admin/settings: at 1, a single report hides the comment', async () => {
    const res = await admin.patch('/api/admin/settings', { reportThreshold: 1 });
    expect(res.status).toBe(200);
    expect(res.body.settings.reportThreshold).toBe(1);
    expect((await admin.get('/api/admin/settings')).body.settings.reportThreshold).toBe(1);
    const { comment } = await commentBy(s, '一举报就隐藏');
    const removed = nextEvent(otherReader, 'comment:removed', forId(comment.id));
    await report(await trusted(), comment.id);
    await removed;
    expect(await listed(reader(s))).toEqual([]);
    expect((await auditEntries(admin))[0]).toMatchObject({ moderatorName: 'admin1', action: 'site.settings', targetType: 'site', details: { reportThreshold: 1 } });
  });

  it('raising the threshold to 5 keeps a comment with 3 reports visible', async () => {
    await admin.patch('/api/admin/settings', { reportThreshold: 5 });
    const { comment } = await commentBy(s, '五次才隐藏');
    for (let i = 0; i < 4; i++) expect((await report(await trusted(), comment.id)).status).toBe(201);
    expect((await listed(reader(s))).map((c) => c.id)).toEqual([comment.id]);
    await report(await trusted(), comment.id);
    expect(await listed(reader(s))).toEqual([]);
  });

  it('refuses a threshold below 1 with 400', async () => {
    const res = await admin.patch('/api/admin/settings', { reportThreshold: 0 });
    expect(res.status).toBe(400);
    expect((await admin.get('/api/admin/settings')).body.settings.reportThreshold).toBe(3);
  });
});
