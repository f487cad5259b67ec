// "N 人正在输入" over several nodes: each node's typists add up through Redis, each node tells its own readers
// the total once per change, and a node that stops renewing (died) drops out after its TTL. A real redis-server
// on a free port; the clock is injected (entries run out by the boards' clock, not Redis's).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePorts, startRedisServer, stopChild, waitForRedis } from '../server/cli/cluster.lib';
import { connectRedis, type SharedRedis } from '../server/shared/redis';
import { createLogger } from '../server/log';
import { createTyping, type TypingBoard } from '../server/heat/typing';
import { redisTypingBoard, TYPING_NODE_TTL_MS } from '../server/heat/typing.redis';

const hasRedis = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((f) => fs.existsSync(f));
const describeRedis = hasRedis ? describe : describe.skip;

describeRedis('typing counts across nodes (Redis board)', () => {
  let server: ChildProcess;
  let url: string;
  let dir: string;
  const open: SharedRedis[] = [];
  const log = createLogger('error', () => undefined);
  let prefixN = 0;

  beforeAll(async () => {
    const [port] = await freePorts(1, false);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-typing-'));
    server = startRedisServer(port, dir);
    await waitForRedis(port);
    url = `redis://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await stopChild(server);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Boards of `n` nodes sharing one Redis prefix (one cluster per test). */
  const nodes = async (n: number) => {
    const prefix = `typing${++prefixN}:`;
    const out: TypingBoard[] = [];
    for (let i = 0; i < n; i++) {
      const r = connectRedis(url, prefix, `node${i}`, log);
      open.push(r);
      await new Promise<void>((resolve) => (r.cmd.status === 'ready' ? resolve() : r.cmd.once('ready', () => resolve())));
      out.push(redisTypingBoard(r, log));
    }
    return out;
  };
  const art = { id: 7, slug: 'hot' };
  const countOf = async (b: TypingBoard, now: number) => (await b.counts(now)).get(art.id) ?? { slug: art.slug, count: 0 };

  it('adds up every node\'s typists, slug included, so a node with none of its own sees them', async () => {
    const [a, b, c] = await nodes(3);
    const now = 1_000_000;
    a.touch(art, 's1', now + 5000);
    a.touch(art, 's2', now + 5000);
    b.touch(art, 's3', now + 5000);
    await countOf(a, now);
    await countOf(b, now);
    expect(await countOf(a, now)).toEqual({ slug: 'hot', count: 3 });
    expect(await countOf(b, now)).toEqual({ slug: 'hot', count: 3 });
    expect(await countOf(c, now)).toEqual({ slug: 'hot', count: 3 });
    // A typist who stops on one node leaves every total at that node's next write.
    b.drop(art.id, 's3');
    await countOf(b, now + 1000);
    expect(await countOf(c, now + 1000)).toEqual({ slug: 'hot', count: 2 });
  });

  it('drops a node that stops renewing (died) once its entry runs out, and one that stops cleanly at once', async () => {
    const [a, dead, c] = await nodes(3);
    const now = 2_000_000;
    a.touch(art, 's1', now + 60_000);
    dead.touch(art, 's2', now + 60_000);
    c.touch(art, 's3', now + 60_000);
    await Promise.all([a, dead, c].map((x) => x.counts(now)));
    expect((await countOf(a, now)).count).toBe(3);
    // `dead` is never asked again (its process is gone); a and c keep ticking.
    for (let t = 1000; t < TYPING_NODE_TTL_MS; t += 1000) await countOf(c, now + t);
    expect((await countOf(a, now + TYPING_NODE_TTL_MS - 1)).count).toBe(3);
    expect((await countOf(a, now + TYPING_NODE_TTL_MS + 1)).count).toBe(2);
    c.stop();
    expect((await countOf(a, now + TYPING_NODE_TTL_MS + 2)).count).toBe(1);
  });

  it('has each node send its own readers the total once per change (count emitted events)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const [ra, rb] = await nodes(2);
      // Each tick's Redis round trips are real I/O under fake timers: the test waits for them to end (however
      // loaded the machine), so what it counts is the boards' logic, not the machine's speed.
      const inflight = new Set<Promise<unknown>>();
      const tracked = (b: TypingBoard): TypingBoard => ({
        touch: (art, id, until) => b.touch(art, id, until),
        drop: (id, sock) => b.drop(id, sock),
        counts: (at) => {
          const p = b.counts(at);
          inflight.add(p);
          void p.finally(() => inflight.delete(p)).catch(() => undefined);
          return p;
        },
        watching: () => b.watching(),
        stop: () => b.stop(),
      });
      const [a, b] = [tracked(ra), tracked(rb)];
      let now = 3_000_000;
      const sent: string[] = [];
      const ta = createTyping({ now: () => now, board: a, emit: (x, n) => sent.push(`a:${x.slug}=${n}`) });
      const tb = createTyping({ now: () => now, board: b, emit: (x, n) => sent.push(`b:${x.slug}=${n}`) });
      const tick = async () => {
        now += 1000;
        await jest.advanceTimersByTimeAsync(1000);
        while (inflight.size) await Promise.allSettled([...inflight]);
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      };
      for (let i = 0; i < 3; i++) {
        for (let k = 0; k < 5; k++) ta.typed(art, `a${k}`);
        tb.typed(art, 'b0');
        await tick();
      }
      await tick();
      expect(sent.filter((e) => e.startsWith('a:')).at(-1)).toBe('a:hot=6');
      expect(sent.filter((e) => e.startsWith('b:')).at(-1)).toBe('b:hot=6');
      // At most one event per tick per node, and only on a change: never the same count twice in a row. (How many
      // distinct values a node passes through depends on when the other node's entry lands in Redis.)
      for (const node of ['a:', 'b:']) {
        const mine = sent.filter((e) => e.startsWith(node));
        expect(mine.length).toBeLessThanOrEqual(4);
        for (let i = 1; i < mine.length; i++) expect(mine[i]).not.toBe(mine[i - 1]);
      }
      ta.stop();
      tb.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
