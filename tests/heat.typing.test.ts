// "N 人正在输入": a count only, coalesced to one event per article per interval, none when unchanged, a typist
// counted for a while after the last keystroke, cleared when they leave or disconnect.
import { createTyping } from '../server/heat/typing';
import { connectSocket, emitAck, nextEvent, record, reader, postComment, useTestServer, TEST_SLUG } from './helpers/server';

describe('typing counts (unit, fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const setup = () => {
    let now = 1_000_000;
    const sent: { slug: string; count: number }[] = [];
    const typing = createTyping({ now: () => now, emit: (a, count) => sent.push({ slug: a.slug, count }), intervalMs: 1000, ttlMs: 5000 });
    return { typing, sent, advance: async (ms: number) => { now += ms; await jest.advanceTimersByTimeAsync(ms); } };
  };
  const art = { id: 1, slug: 'a' };

  it('coalesces 50 typists hammering keys into one event per interval, and sends nothing while the count holds', async () => {
    const { typing, sent, advance } = setup();
    for (let k = 0; k < 20; k++) for (let i = 0; i < 50; i++) typing.typed(art, `s${i}`);
    expect(sent).toEqual([]);
    await advance(1000);
    expect(sent).toEqual([{ slug: 'a', count: 50 }]);
    for (let t = 0; t < 3; t++) {
      for (let i = 0; i < 50; i++) typing.typed(art, `s${i}`);
      await advance(1000);
    }
    expect(sent).toHaveLength(1);
    typing.stop();
  });

  it('counts a typist until a few seconds after the last keystroke, then sends the drop once', async () => {
    const { typing, sent, advance } = setup();
    typing.typed(art, 'x');
    typing.typed(art, 'y');
    await advance(1000);
    await advance(3000);
    typing.typed(art, 'y');
    await advance(1000);
    expect(sent).toEqual([{ slug: 'a', count: 2 }, { slug: 'a', count: 1 }]);
    for (let i = 0; i < 10; i++) await advance(1000);
    expect(sent).toEqual([{ slug: 'a', count: 2 }, { slug: 'a', count: 1 }, { slug: 'a', count: 0 }]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops a typist at once when they stop (left, disconnected)', async () => {
    const { typing, sent, advance } = setup();
    typing.typed(art, 'x');
    await advance(1000);
    typing.stopped(1, 'x');
    await advance(1000);
    expect(sent.map((e) => e.count)).toEqual([1, 0]);
    expect(typing.current(1)).toBe(0);
  });
});

describe('typing over sockets', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;

  it('tells other readers how many type, never who, and clears a typist who disconnects or leaves', async () => {
    const watcher = await connectSocket(s);
    await emitAck(watcher, 'join', { article: slug });
    const seen = record(watcher, ['typing:count']);
    const a = await connectSocket(s);
    const b = await connectSocket(s);
    await emitAck(a, 'join', { article: slug });
    await emitAck(b, 'join', { article: slug });
    const two = nextEvent(watcher, 'typing:count', (e) => e.count === 2);
    for (let i = 0; i < 10; i++) {
      a.emit('typing');
      b.emit('typing');
    }
    expect(await two).toEqual({ article: slug, count: 2 });
    const one = nextEvent(watcher, 'typing:count', (e) => e.count === 1);
    a.disconnect();
    await one;
    const zero = nextEvent(watcher, 'typing:count', (e) => e.count === 0);
    b.emit('leave');
    await zero;
    const counts = seen.map((e) => e.payload.count);
    expect(counts.slice(-2)).toEqual([1, 0]);
    expect(counts.every((c, i) => i === 0 || c !== counts[i - 1])).toBe(true);
    expect(counts.length).toBeLessThanOrEqual(4);
    expect(Object.keys(seen[0].payload).sort()).toEqual(['article', 'count']);
  });

  it('ignores typing from a socket that joined no article', async () => {
    const r = reader(s);
    await postComment(r, slug, { body: '有人' });
    const watcher = await connectSocket(s);
    await emitAck(watcher, 'join', { article: slug });
    const stray = await connectSocket(s);
    stray.emit('typing');
    const a = await connectSocket(s);
    await emitAck(a, 'join', { article: slug });
    a.emit('typing');
    expect(await nextEvent(watcher, 'typing:count')).toEqual({ article: slug, count: 1 });
  });
});
