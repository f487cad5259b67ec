// Live events leave in seq order per article: a burst of posts, likes, edits and deletes sharing one
// group commit reaches a second reader strictly increasing and without gaps; and the sequencer alone.
import type { Socket } from 'socket.io-client';
import { createSequencer } from '../server/realtime/sequencer';
import { connectSocket, emitAck, postComment, reader, useTestServer, TEST_SLUG, type Reader } from './helpers/server';

const SEQ_EVENTS = ['comment:created', 'comment:updated', 'comment:removed', 'reaction:updated', 'article:updated', 'seq:advanced'];

describe('event order on the wire', () => {
  const s = useTestServer();

  async function author(name: string): Promise<{ r: Reader; sock: Socket; ids: number[] }> {
    const r = reader(s);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await postComment(r, TEST_SLUG, { authorName: name, body: `${name} 的第 ${i} 条` });
      expect(res.status).toBe(201);
      ids.push(res.body.comment.id);
    }
    const sock = await connectSocket(s, { cookie: r.cookie() });
    expect((await emitAck(sock, 'join', { article: TEST_SLUG })).ok).toBe(true);
    return { r, sock, ids };
  }

  it('delivers a concurrent burst of mixed writes in strictly increasing, complete seq order', async () => {
    const writers = await Promise.all(['甲', '乙', '丙', '丁'].map(author));
    const observer = await connectSocket(s);
    const joined = await emitAck<{ seq: number }>(observer, 'join', { article: TEST_SLUG });
    const start = joined.data!.seq;
    const seqs: number[] = [];
    for (const ev of SEQ_EVENTS) observer.on(ev, (e: { seq: number }) => seqs.push(e.seq));

    // One synchronous burst: the server reads these in the same turns, so they share group commits.
    const acks: Promise<{ ok: boolean }>[] = [];
    writers.forEach((w, k) => {
      const other = writers[(k + 1) % writers.length];
      for (let round = 0; round < 5; round++) {
        acks.push(emitAck(w.sock, 'comment:like', { id: other.ids[round % 2] }));
        acks.push(emitAck(w.sock, 'comment:post', { authorName: '作者', body: `爆发 ${k}-${round}` }));
        acks.push(emitAck(w.sock, 'comment:like', { id: other.ids[(round + 1) % 2] }));
      }
      acks.push(emitAck(w.sock, 'comment:edit', { id: w.ids[0], body: `改过的 ${k}` }));
      acks.push(emitAck(w.sock, 'comment:delete', { id: w.ids[2] }));
      // Too many links: held, so the observer hears only that the seq moved.
      const links = [1, 2, 3, 4, 5, 6].map((n) => `https://example.com/${k}/${n}`).join(' ');
      acks.push(emitAck(w.sock, 'comment:post', { authorName: '作者', body: `链接 ${k} ${links}` }));
    });
    const results = await Promise.all(acks);
    expect(results.filter((r) => !r.ok)).toEqual([]);

    const end = (await s.store.articles.getBySlug(TEST_SLUG))!.seq;
    expect(end - start).toBe(results.length);
    // Wait until the observer has heard of the last seq (each event below is in order, so this is the end).
    if (!seqs.includes(end)) {
      await new Promise<void>((resolve) => {
        for (const ev of SEQ_EVENTS) observer.on(ev, (e: { seq: number }) => e.seq === end && resolve());
      });
    }
    expect(seqs).toEqual(Array.from({ length: end - start }, (_, i) => start + 1 + i));
  });
});

describe('the sequencer', () => {
  function collect(gapMs: number, maxPending?: number) {
    const out: string[] = [];
    let wake: (() => void) | null = null;
    const seq = createSequencer<string>(
      (item) => {
        out.push(item);
        wake?.();
      },
      { gapMs, maxPending },
    );
    const released = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (out.length >= n ? resolve() : void (wake = check));
        check();
      });
    return { seq, out, released };
  }

  it('releases an out-of-order feed in seq order, the first turn setting the baseline', async () => {
    const { seq, out, released } = collect(60_000);
    seq.push(1, [12], 'c12');
    seq.push(1, [10, 11], 'c10+11');
    seq.push(2, [1], 'other article');
    seq.push(1, [9], 'c9');
    expect(out).toEqual([]);
    await released(4);
    expect(out).toEqual(['c9', 'c10+11', 'c12', 'other article']);

    // Once the baseline is known, a successor waits for its predecessor and no longer.
    seq.push(1, [14], 'c14');
    seq.push(1, [15], 'c15');
    expect(out).toHaveLength(4);
    seq.push(1, [13], 'c13');
    expect(out.slice(4)).toEqual(['c13', 'c14', 'c15']);
    expect(seq.pending()).toBe(0);
    seq.stop();
  });

  it('skips a seq that never comes after the gap timeout, and still releases it if it comes late', async () => {
    const { seq, out, released } = collect(20);
    seq.push(7, [1], 'c1');
    await released(1);
    seq.push(7, [3], 'c3');
    seq.push(7, [4], 'c4');
    expect(out).toEqual(['c1']);
    expect(seq.pending()).toBe(2);
    await released(3);
    expect(out).toEqual(['c1', 'c3', 'c4']);
    seq.push(7, [2], 'c2 late');
    seq.push(7, [5], 'c5');
    expect(out).toEqual(['c1', 'c3', 'c4', 'c2 late', 'c5']);
    seq.stop();
  });

  it('bounds what waits per article: past maxPending the gap is skipped at once', async () => {
    const { seq, out, released } = collect(60_000, 3);
    seq.push(3, [1], 'c1');
    await released(1);
    for (const n of [3, 4, 5]) seq.push(3, [n], `c${n}`);
    expect(out).toEqual(['c1']);
    seq.push(3, [6], 'c6');
    expect(out).toEqual(['c1', 'c3', 'c4', 'c5', 'c6']);
    expect(seq.pending()).toBe(0);
    seq.stop();
  });
});
