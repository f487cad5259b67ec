// Three nodes on PostgreSQL + Redis behind nginx (deploy/nginx.conf), as real processes: every reader on
// every node sees every change exactly once; moderators, presence, limits and bans hold across nodes; a node
// killed in a burst loses no acknowledged comment and its readers catch up through nginx; a Redis restart in
// a burst still leaves every reader with every change exactly once.
import type { Socket } from 'socket.io-client';
import type { CommentJson } from '../../contracts/api';
import { duplicates, liveReader, repeatedEvents, type LiveReader } from '../helpers/live-reader';
import superagent from 'superagent';
import { ADMIN, client, freshIp, METRICS_TOKEN, presenceSeen, SLUG, socketTo, socketsOn, startCluster, until, type Client, type ClusterWorld } from './harness';

let w: ClusterWorld;
/** The article's seq when the first readers joined. */
let suiteSince = 0;
const sockets: Socket[] = [];
const readers: { r: LiveReader; node: number | 'nginx'; sock: Socket }[] = [];

// Each test has its own bound (jest.cluster.config.js); every wait inside one is bounded too, so a failure
// fails fast and afterAll always stops nginx, the nodes and redis-server.
beforeAll(async () => {
  w = await startCluster({ RATE_POST_ATTEMPT: '4/60', SOCKET_MAX_PER_NETWORK: '12' });
}, 180_000);

afterAll(async () => {
  for (const r of readers) r.r.stop();
  for (const s of sockets) s.close();
  await w?.stop();
}, 60_000);

/** A node still running: reads never go to one the test has killed. */
const live = () => w.liveNodes()[0];

async function articleSeq(node = live()): Promise<number> {
  const res = await client().get(w.nodeUrl(node), `/api/articles/${SLUG}/comments?limit=1`);
  return res.body.seq as number;
}

/** Every comment as the API lists it now (oldest first, every page). */
async function apiComments(node = live()): Promise<CommentJson[]> {
  const out: CommentJson[] = [];
  let cursor = '';
  for (;;) {
    const res = await client().get(w.nodeUrl(node), `/api/articles/${SLUG}/comments?limit=50&sort=oldest${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...(res.body.comments as CommentJson[]));
    if (!res.body.nextCursor) return out;
    cursor = res.body.nextCursor;
  }
}

async function addReader(node: number | 'nginx', since: number): Promise<LiveReader> {
  const base = node === 'nginx' ? w.publicUrl : w.nodeUrl(node);
  const sock = await socketTo(base, { ip: node === 'nginx' ? undefined : freshIp(), reconnection: node === 'nginx' });
  sockets.push(sock);
  const r = liveReader(sock, SLUG, { since });
  readers.push({ r, node, sock });
  await r.ready;
  return r;
}

/** Every live reader shows exactly what the API lists, with no change applied or received twice. */
async function expectConsistent(live: { r: LiveReader }[]): Promise<void> {
  const seq = await articleSeq();
  await until(() => live.every(({ r }) => r.tracker.seq >= seq && !r.tracker.hasGap), `every reader at seq ${seq}`, 20_000);
  const api = await apiComments();
  const visible = new Map(api.filter((c) => c.status === 'published').map((c) => [c.id, c]));
  for (const { r } of live) {
    const shown = new Map([...r.comments].filter(([, c]) => c !== null && c.status === 'published'));
    expect([...shown.keys()].sort()).toEqual([...visible.keys()].sort());
    for (const [id, c] of visible) {
      expect(shown.get(id)!.body).toBe(c.body);
      expect(r.likes.get(id)).toBe(c.likes);
    }
    expect(repeatedEvents(r)).toEqual([]);
    expect(duplicates(r)).toEqual([]);
  }
}

async function post(c: Client, node: number, body: string) {
  return c.post(w.nodeUrl(node), `/api/articles/${SLUG}/comments`, { authorName: '读者', body });
}

/** A reader on a node typing as the page does (a signal every 1.5 s, the server takes one a second at most). */
async function typist(node: number) {
  const sock = await socketTo(w.nodeUrl(node), { ip: freshIp() });
  sockets.push(sock);
  await sock.emitWithAck('join', { article: SLUG });
  sock.emit('typing');
  const timer = setInterval(() => sock.connected && sock.emit('typing'), 1500);
  return {
    stop() {
      clearInterval(timer);
      sock.disconnect();
    },
  };
}

/** A reader on a node who only watches "N 人正在输入": the last count it heard. */
async function typingWatcher(node: number) {
  const sock = await socketTo(w.nodeUrl(node), { ip: freshIp() });
  sockets.push(sock);
  let last = 0;
  sock.on('typing:count', (e: { article: string; count: number }) => {
    if (e.article === SLUG) last = e.count;
  });
  await sock.emitWithAck('join', { article: SLUG });
  return { sock, count: () => last };
}

describe('three nodes behind nginx', () => {
  it('gives readers spread over the nodes every post, edit, like and removal made through any node, exactly once', async () => {
    const since = (suiteSince = await articleSeq());
    for (const node of [0, 1, 2, 0, 1, 2]) await addReader(node, since);
    for (let i = 0; i < 3; i++) await addReader('nginx', since);
    const authors = Array.from({ length: 9 }, () => client());
    const mine: number[][] = authors.map(() => []);
    // Authors post at the same time through different nodes: seqs of one article interleave across nodes.
    await Promise.all(
      authors.map(async (a, i) => {
        for (let j = 0; j < 3; j++) {
          const res = await post(a, (i + j) % 3, `作者${i}的第${j}条`);
          expect(res.status).toBe(201);
          mine[i].push(res.body.comment.id);
        }
      }),
    );
    await Promise.all(
      authors.map(async (a, i) => {
        expect((await a.patch(w.nodeUrl((i + 1) % 3), `/api/comments/${mine[i][0]}`, { body: `作者${i}改过的第0条` })).status).toBe(200);
        expect((await a.post(w.nodeUrl(i % 3), `/api/comments/${mine[(i + 1) % 9][1]}/like`)).status).toBe(200);
        if (i < 3) expect((await a.delete(w.nodeUrl((i + 2) % 3), `/api/comments/${mine[i][2]}`)).status).toBe(200);
      }),
    );
    await expectConsistent(readers);
    expect(readers.every(({ r }) => r.applied.length >= 27)).toBe(true);
  });

  it("carries a moderator's action on one node to readers and moderator consoles on the others", async () => {
    const mod = client();
    expect((await mod.post(w.nodeUrl(0), '/api/admin/login', ADMIN)).status).toBe(200);
    const consoles = await Promise.all([1, 2].map((n) => socketTo(w.nodeUrl(n), { cookie: mod.cookie(), namespace: '/moderation', ip: mod.ip })));
    sockets.push(...consoles);
    const heard = consoles.map(() => [] as number[]);
    consoles.forEach((s, i) => s.on('queue:changed', (e: { ids: number[] }) => heard[i].push(...e.ids)));
    const author = client();
    const id = (await post(author, 1, '要被拒绝的评论')).body.comment.id as number;
    expect((await mod.post(w.nodeUrl(0), `/api/admin/comments/${id}/reject`, { reason: '测试' })).status).toBe(200);
    await until(() => readers.every(({ r }) => r.comments.has(id) && r.comments.get(id) === null), 'every reader saw the removal');
    await until(() => heard.every((ids) => ids.includes(id)), 'both consoles heard of it');
    await expectConsistent(readers);
  });

  it('holds a rate limit when requests alternate between nodes, and a ban made on one node on all', async () => {
    const flooder = client();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(flooder, i % 3, `第${i}次`)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);

    const mod = client();
    expect((await mod.post(w.nodeUrl(2), '/api/admin/login', ADMIN)).status).toBe(200);
    const troll = client();
    const res = await post(troll, 0, '捣乱');
    expect(res.status).toBe(201);
    expect((await mod.post(w.nodeUrl(2), '/api/admin/bans', { commentId: res.body.comment.id, reason: '捣乱', scope: 'author' })).status).toBe(201);
    for (const node of [0, 1, 2]) {
      const again = await post(troll, node, `又来 ${node}`);
      expect(again.status).toBe(403);
      expect(again.body.error.code).toBe('banned');
    }
  });

  it("caps one network's open sockets over all nodes, and frees a place when one closes", async () => {
    const ip = freshIp();
    const mine: Socket[] = [];
    for (let i = 0; i < 12; i++) mine.push(await socketTo(w.nodeUrl(i % 3), { ip }));
    for (const node of [0, 1, 2]) await expect(socketTo(w.nodeUrl(node), { ip })).rejects.toThrow(/too_many_connections|websocket error/);
    mine.pop()!.disconnect();
    await until(async () => {
      try {
        mine.push(await socketTo(w.nodeUrl(0), { ip }));
        return true;
      } catch {
        return false;
      }
    }, 'a place freed');
    for (const so of mine) so.disconnect();
  });

  it('exposes Prometheus metrics per node, the PostgreSQL pool included', async () => {
    const res = await superagent.get(`${w.nodeUrl(1)}/metrics`).set('Authorization', `Bearer ${METRICS_TOKEN}`).ok(() => true);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/yilun_db_pool_connections\{state="total"\} [1-9]/);
    expect(res.text).toMatch(/yilun_comments_posted_total [1-9]/);
    expect((await superagent.get(`${w.publicUrl}/metrics`).set('Authorization', `Bearer ${METRICS_TOKEN}`).ok(() => true)).status).toBe(404);
  });

  it("releases a node's own events without waiting for the seqs other nodes took when posts to one article alternate between two nodes", async () => {
    /** Gaps a node skipped, by outcome: `foreign` at once, `timeout` after holding events SEQ_GAP_MS. */
    const gaps = async (node: number) => {
      const text = (await superagent.get(`${w.nodeUrl(node)}/metrics`).set('Authorization', `Bearer ${METRICS_TOKEN}`)).text;
      const count = (outcome: string) => Number(new RegExp(`yilun_seq_gaps_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      return { foreign: count('foreign'), timeout: count('timeout') };
    };
    const since = await articleSeq();
    const watchers = [await addReader(0, since), await addReader(1, since)];
    const before = await Promise.all([gaps(0), gaps(1)]);
    for (let i = 0; i < 8; i++) expect((await post(client(), i % 2, `交替第${i}条`)).status).toBe(201);
    const end = await articleSeq();
    expect(end - since).toBe(8);
    await until(() => watchers.every((r) => r.tracker.seq >= end && !r.tracker.hasGap), `both readers at seq ${end}`);
    const after = await Promise.all([gaps(0), gaps(1)]);
    // Every post after the first few finds the other node's seq missing here: skipped at once, never held.
    expect(after.map((g, n) => g.timeout - before[n].timeout)).toEqual([0, 0]);
    expect(after.every((g, n) => g.foreign - before[n].foreign >= 2)).toBe(true);
    for (const r of watchers) expect(repeatedEvents(r)).toEqual([]);
    // They joined mid-thread (since = now): later tests check every reader against the whole thread.
    for (const r of watchers) {
      const i = readers.findIndex((x) => x.r === r);
      readers[i].r.stop();
      readers[i].sock.disconnect();
      readers.splice(i, 1);
    }
  });

  it('holds slow mode when posts alternate between nodes or land on two at once; reactions and picks made on one node reach readers on another', async () => {
    const mod = client();
    expect((await mod.post(w.nodeUrl(0), '/api/admin/login', ADMIN)).status).toBe(200);
    const watcher = await socketTo(w.nodeUrl(2), { ip: freshIp() });
    sockets.push(watcher);
    await watcher.emitWithAck('join', { article: SLUG });
    const heard: { event: string; e: Record<string, unknown> }[] = [];
    for (const event of ['reactions:updated', 'comment:updated', 'article:updated']) watcher.on(event, (e: Record<string, unknown>) => heard.push({ event, e }));
    const target = (await post(client(), 1, '会被精选的评论')).body.comment.id as number;
    // Two readers react through nodes 0 and 1 (their identity comes with it: no post needed); a pick on node 0.
    const [a, b] = [client(), client()];
    for (const [c, n] of [[a, 0], [b, 1]] as const) expect((await c.post(w.nodeUrl(n), `/api/comments/${target}/reactions`, { kind: 'agree' })).status).toBe(200);
    expect((await mod.post(w.nodeUrl(0), `/api/admin/comments/${target}/feature`)).status).toBe(200);
    await until(() => heard.some(({ event, e }) => event === 'reactions:updated' && (e.reactions as Record<string, number>).agree === 2), 'the reactions reached node 2');
    await until(() => heard.some(({ event, e }) => event === 'comment:updated' && (e.comment as CommentJson).featured === true), 'the pick reached node 2');
    expect((await client().get(w.nodeUrl(1), `/api/articles/${SLUG}/featured`)).body.comments.map((c: CommentJson) => c.id)).toEqual([target]);

    expect((await mod.patch(w.nodeUrl(0), `/api/admin/articles/${SLUG}`, { slowModeSeconds: 600 })).status).toBe(200);
    try {
      await until(() => heard.some(({ event, e }) => event === 'article:updated' && e.slowModeSeconds === 600), 'slow mode reached node 2');
      expect((await post(a, 1, '慢速模式下第一条')).status).toBe(201);
      for (const node of [2, 0, 1]) {
        const again = await post(a, node, `换到节点${node}再发`);
        expect([again.status, again.body.error?.code]).toEqual([429, 'slow_mode']);
      }
      // Two posts of one author at the same moment on two nodes: one passes.
      const both = await Promise.all([post(b, 1, '同时发在节点1'), post(b, 2, '同时发在节点2')]);
      expect(both.map((r) => r.status).sort()).toEqual([201, 429]);
    } finally {
      expect((await mod.patch(w.nodeUrl(0), `/api/admin/articles/${SLUG}`, { slowModeSeconds: 0 })).status).toBe(200);
      watcher.disconnect();
    }
  });

  it('adds up typists over the nodes for readers on any node, and drops the ones who leave', async () => {
    const typists = await Promise.all([0, 0, 1].map((n) => typist(n)));
    const watcher = await typingWatcher(2);
    try {
      await until(() => watcher.count() === 3, 'a reader on node 2 sees 3 typing', 10_000);
      typists[0].stop();
      await until(() => watcher.count() === 2, 'one left: 2', 10_000);
    } finally {
      for (const t of typists) t.stop();
      watcher.sock.disconnect();
    }
  });

  it('sums presence over the nodes', async () => {
    const total = readers.length;
    await until(async () => readers.every(({ sock }) => sock.connected), 'all connected');
    // A late-comer joins from the suite's first seq: its catch-up brings everything so far.
    await addReader(1, suiteSince);
    const presence = await new Promise<number>((resolve) => {
      const s = readers[readers.length - 1].sock;
      const check = () => s.emit('join', { article: SLUG }, (a: { data?: { presence: number } }) => (a.data!.presence === total + 1 ? resolve(total + 1) : setTimeout(check, 300)));
      check();
    });
    expect(presence).toBe(total + 1);
  });

  it('loses no acknowledged comment when a node is SIGKILLed in a burst; its readers reconnect through nginx, catch up exactly, and leave presence', async () => {
    // nginx hashes by client address: every nginx reader (all from 127.0.0.1) is on one node. Kill that one:
    // the node with more sockets than direct readers, once every node counts every reader.
    const direct = [0, 1, 2].map((n) => readers.filter((x) => x.node === n).length);
    let counts: number[] = [];
    await until(async () => {
      counts = await Promise.all([0, 1, 2].map((n) => socketsOn(w.nodeUrl(n))));
      return counts.reduce((a, b) => a + b, 0) === readers.length;
    }, 'socket counts settled');
    const extra = counts.map((c, n) => c - direct[n]);
    const victim = extra.indexOf(Math.max(...extra));
    const before = readers.length;
    const directOnVictim = readers.filter((x) => x.node === victim).length;
    const acked: number[] = [];
    const authors = Array.from({ length: 12 }, () => client());
    const burst = Promise.all(
      authors.map(async (a, i) => {
        for (let j = 0; j < 3; j++) {
          await new Promise((r) => setTimeout(r, 30 * i));
          const res = await post(a, (i + j) % 3, `爆发${i}-${j}`).catch(() => undefined);
          if (res?.status === 201) acked.push(res.body.comment.id);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 150));
    await w.killNode(victim);
    await burst;
    expect(acked.length).toBeGreaterThan(12);
    for (const x of readers.filter((y) => y.node === victim)) {
      x.r.stop();
      x.sock.disconnect();
    }
    const alive = readers.filter((x) => x.node !== victim);
    await until(() => alive.every(({ sock }) => sock.connected), 'nginx readers reconnected to another node', 20_000);
    // One more post after the burst: a reader whose last events were lost in the crash notices the gap.
    await post(client(), (victim + 1) % 3, '之后');
    const api = new Set((await apiComments((victim + 1) % 3)).map((c) => c.id));
    expect(acked.filter((id) => !api.has(id))).toEqual([]);
    const nginxReaders = alive.filter((x) => x.node === 'nginx');
    expect(nginxReaders.every(({ r }) => r.joins >= 2)).toBe(true);
    await expectConsistent(alive);
    // The killed node's direct readers fall out of presence within seconds (its heartbeat expired).
    const expected = before - directOnVictim;
    const s = alive.find((x) => x.node !== 'nginx')!.sock;
    await until(async () => (await presenceSeen(s, SLUG)) === expected, `presence back to ${expected}`, 20_000);
  });

  it('leaves every reader with every change exactly once across a Redis restart in the middle of a burst', async () => {
    const alive = readers.filter((x) => x.sock.connected);
    const nodes = w.liveNodes();
    const authors = Array.from({ length: 8 }, () => client());
    const burst = Promise.all(
      authors.map(async (a, i) => {
        for (let j = 0; j < 3; j++) {
          await new Promise((r) => setTimeout(r, 40 * i));
          const res = await post(a, nodes[(i + j) % nodes.length], `重启中${i}-${j}`);
          expect(res.status).toBe(201);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    await w.restartRedis();
    await burst;
    // Redis is back and every node ready again: the next change lets every reader notice what it missed.
    // Should that change itself be lost (a node's subscriber renews a moment after its commands answer),
    // one more follows.
    for (let i = 0; ; i++) {
      await post(client(), nodes[i % nodes.length], `恢复之后${i}`);
      const seq = await articleSeq();
      const caughtUp = await until(() => alive.every(({ r }) => r.tracker.seq >= seq && !r.tracker.hasGap), 'caught up', 5000).then(() => true, () => false);
      if (caughtUp || i === 4) break;
    }
    await expectConsistent(alive);
    // How the readers got there: events lost with the restart came back through gap fills from the event log.
    const fills = alive.reduce((n, { r }) => n + r.tracker.fills, 0);
    process.stdout.write(`redis restart: ${alive.length} readers, ${fills} gap fills in all\n`);
  });

  it("drops a killed node's typists from every count within seconds", async () => {
    const [victim, survivor] = w.liveNodes();
    const typists = await Promise.all([victim, victim, survivor].map((n) => typist(n)));
    const watcher = await typingWatcher(survivor);
    try {
      await until(() => watcher.count() === 3, 'the survivor\'s reader sees 3 typing', 10_000);
      await w.killNode(victim);
      // The victim's entry in Redis is not renewed: it runs out (3 s) and the survivor's next tick says so.
      await until(() => watcher.count() === 1, 'back to the survivor\'s own typist', 15_000);
    } finally {
      for (const t of typists) t.stop();
      watcher.sock.disconnect();
    }
  });
});
