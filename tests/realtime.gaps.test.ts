// A live reader that misses an event while connected (as a Redis pub/sub message can be lost between nodes)
// fills the gap from the event log within a second, shows every change exactly once, and never lets a late
// event replace a newer state. The page's own logic (client/seq-tracker.ts) drives a real socket.io client.
import { connectSocket, postComment, reader, sleep, useTestServer, TEST_SLUG } from './helpers/server';
import { duplicates, liveReader } from './helpers/live-reader';

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

describe('gaps noticed while connected', () => {
  const s = useTestServer({ realClock: true });

  it('fills a dropped comment from the event log, once, and sees every comment exactly once', async () => {
    const sock = await connectSocket(s);
    let created = 0;
    const live = liveReader(sock, TEST_SLUG, { drop: (event) => event === 'comment:created' && ++created === 2 });
    await live.ready;
    const author = reader(s);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await postComment(author, TEST_SLUG, { body: `第${i}条` })).body.comment.id);
    await until(() => ids.every((id) => live.comments.get(id)), 'all four comments on the page');
    expect(live.dropped).toBe(1);
    expect(live.tracker.fills).toBe(1);
    expect(duplicates(live)).toEqual([]);
    const article = await s.store.articles.getBySlug(TEST_SLUG);
    await until(() => live.tracker.seq === article!.seq, 'contiguous seq at the article seq');
    expect(live.tracker.hasGap).toBe(false);
    live.stop();
  });

  it('does not fetch for a bare seq tick (a held comment): no fill, no gap', async () => {
    const sock = await connectSocket(s);
    const live = liveReader(sock, TEST_SLUG);
    await live.ready;
    const before = live.tracker.seq;
    // A first post with a link is held for review: readers get only seq:advanced for it.
    const held = await postComment(reader(s), TEST_SLUG, { body: '看看 https://example.com/x' });
    expect(held.body.comment.status).toBe('pending');
    expect((await postComment(reader(s), TEST_SLUG, { body: '普通评论' })).status).toBe(201);
    await until(() => live.tracker.seq >= before + 2, 'both seqs seen');
    await sleep(800);
    expect(live.tracker.fills).toBe(0);
    expect(live.comments.has(held.body.comment.id)).toBe(false);
    live.stop();
  });

  it('never applies a late event over a newer state of the same comment', async () => {
    const sock = await connectSocket(s);
    let late: { event: string; payload: { seq: number } } | undefined;
    // Hold back the first edit's event and deliver it after everything else, as a reordered message would arrive.
    const live = liveReader(sock, TEST_SLUG, {
      drop: (event, payload) => {
        if (event !== 'comment:updated' || late) return false;
        late = { event, payload };
        return true;
      },
    });
    await live.ready;
    const author = reader(s);
    const id = (await postComment(author, TEST_SLUG, { body: '原文' })).body.comment.id;
    await until(() => live.comments.get(id)?.body === '原文', 'comment shown');
    expect((await author.patch(`/api/comments/${id}`, { body: '第一次修改' })).status).toBe(200);
    expect((await author.patch(`/api/comments/${id}`, { body: '第二次修改' })).status).toBe(200);
    await until(() => live.comments.get(id)?.body === '第二次修改' && !live.tracker.hasGap, 'newest edit shown, gap filled');
    const applied = live.applied.length;
    live.deliver(late!.event, late!.payload);
    expect(live.comments.get(id)?.body).toBe('第二次修改');
    expect(live.applied.length).toBe(applied);
    expect(duplicates(live)).toEqual([]);
    live.stop();
  });
});
