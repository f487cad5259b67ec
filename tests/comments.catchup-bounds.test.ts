// Reconnect catch-up under load: bounded by bytes as well as events, joins rate limited per socket and per
// network, and one computation shared by every reader with no stake of their own in the gap.
import type { Store } from '../server/db/store';
import { CATCH_UP_MAX_BYTES } from '../server/comments/comments.catchup';
import { connectSocket, emitAck, postComment, reader, startServer, type TestServer } from './helpers/server';

interface JoinData {
  seq: number;
  reset: boolean;
  changes: { id: number; comment: { mine: boolean } | null }[];
}

let s: TestServer;
afterEach(async () => s?.close());

const join = async (since?: number, cookie?: string) => {
  const sock = await connectSocket(s, { cookie });
  return { sock, ack: await emitAck<JoinData>(sock, 'join', { article: s.article.slug, since }) };
};

/** Counts reads of the event log: one per catch-up actually computed. */
function countEventReads(store: Store) {
  const calls = { n: 0 };
  const original = store.comments.eventsSince.bind(store.comments);
  store.comments.eventsSince = (...args) => {
    calls.n++;
    return original(...args);
  };
  return calls;
}

describe('catch-up size', () => {
  it('answers reset when the missed comments are larger than the byte bound, and the changes when they fit', async () => {
    s = await startServer();
    const since = s.article.seq;
    const long = (i: number) => `${i}号` + '长'.repeat(4_900);
    // About 30 KB per comment (body and html): three fit in the bound, ten do not.
    for (let i = 0; i < 3; i++) expect((await postComment(reader(s), s.article.slug, { body: long(i) })).status).toBe(201);
    const small = await join(since);
    expect(small.ack.data).toMatchObject({ reset: false });
    expect(small.ack.data!.changes).toHaveLength(3);
    for (let i = 3; i < 10; i++) expect((await postComment(reader(s), s.article.slug, { body: long(i) })).status).toBe(201);
    const big = await join(since);
    expect(big.ack.data).toMatchObject({ reset: true, changes: [] });
    expect(10 * 3 * 4_900 * 2).toBeGreaterThan(CATCH_UP_MAX_BYTES);
  });
});

describe('join rate limits', () => {
  it('refuses the fourth join on one socket with RATE_JOIN=3/60, while another socket still joins', async () => {
    s = await startServer({ env: { RATE_JOIN: '3/60' } });
    const { sock } = await join();
    for (let i = 0; i < 2; i++) expect((await emitAck(sock, 'join', { article: s.article.slug, since: 0 })).ok).toBe(true);
    const refused = await emitAck(sock, 'join', { article: s.article.slug, since: 0 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect((await join(0)).ack.ok).toBe(true);
  });

  it('refuses joins from one network past RATE_JOIN_IP, whatever the socket', async () => {
    s = await startServer({ env: { RATE_JOIN_IP: '3/60' } });
    for (let i = 0; i < 3; i++) expect((await join(0)).ack.ok).toBe(true);
    const refused = await join(0);
    expect(refused.ack).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  });
});

describe('shared catch-up', () => {
  it('computes one catch-up for anonymous readers joining with the same since, at once or later', async () => {
    s = await startServer();
    const since = s.article.seq;
    for (let i = 0; i < 3; i++) await postComment(reader(s), s.article.slug, { body: `错过的评论 ${i}` });
    const reads = countEventReads(s.store);
    const socks = await Promise.all(Array.from({ length: 5 }, () => connectSocket(s)));
    const acks = await Promise.all(socks.map((sock) => emitAck<JoinData>(sock, 'join', { article: s.article.slug, since })));
    expect(acks.every((a) => a.ok && a.data!.changes.length === 3)).toBe(true);
    expect((await join(since)).ack.data!.changes).toHaveLength(3);
    expect(reads.n).toBe(1);
    // A new change moves the article's seq: the next reader gets a fresh computation with it.
    await postComment(reader(s), s.article.slug, { body: '又一条' });
    expect((await join(since)).ack.data!.changes).toHaveLength(4);
    expect(reads.n).toBe(2);
  });

  it('gives a reader with their own comment in the gap their own answer (mine); one with no stake shares', async () => {
    s = await startServer();
    const bystander = reader(s);
    await postComment(bystander, s.article.slug, { body: '断线前的评论' });
    const since = (await s.store.articles.getBySlug(s.article.slug))!.seq;
    const author = reader(s);
    await postComment(author, s.article.slug, { body: '我的评论' });
    await postComment(reader(s), s.article.slug, { body: '别人的评论' });
    const reads = countEventReads(s.store);
    const anonymous = await join(since);
    const own = await join(since, author.cookie());
    expect(anonymous.ack.data!.changes.map((c) => c.comment?.mine)).toEqual([false, false]);
    expect(own.ack.data!.changes.map((c) => c.comment?.mine)).toEqual([true, false]);
    expect(reads.n).toBe(2);
    const shared = await join(since, bystander.cookie());
    expect(shared.ack.data!.changes.map((c) => c.comment?.mine)).toEqual([false, false]);
    expect(reads.n).toBe(2);
  });
});
