// The first-page cache: one public answer per article seq, each reader's own view merged exactly, nothing stale
// after any change (on this node or another), seq ETags with 304, and Cache-Control public only without identity.
import express from 'express';
import request from 'supertest';
import { listComments, type Viewer } from '../server/comments/comments.service';
import { createPageCache } from '../server/comments/comments.cache';
import { PRIVATE_CACHE_CONTROL, PUBLIC_CACHE_CONTROL, setCacheControl } from '../server/http/http.caching';
import { postComment, reader, startServer, useTestServer, TEST_SLUG, type Reader, type TestServer } from './helpers/server';
import { signedIn } from './helpers/moderation';

const slug = TEST_SLUG;
const api = `/api/articles/${slug}/comments`;
const page = `/articles/${slug}`;

/** The answer as computed without any cache, for this viewer, now. */
const uncached = async (s: TestServer, viewer: Viewer, sort: 'newest' | 'oldest' | 'top' = 'newest') =>
  JSON.parse(JSON.stringify(await listComments(s.app.deps, slug, { sort, limit: 20 }, viewer)));
const authorOf = async (s: TestServer, r: Reader) => {
  const token = /yl_author=([^;]+)/.exec(r.cookie())![1];
  const { hashToken } = await import('../server/identity/author.cookie');
  return (await s.store.authors.getByTokenHash(hashToken(token)))!.id;
};
/** The thread part of a page (the form stamp differs per request). */
const thread = (html: string) => html.slice(html.indexOf('<ol class="thread"'), html.indexOf('<script type="application/json"'));
const dataBlock = (html: string) => JSON.parse(/<script type="application\/json" id="yl-data">([^<]*)<\/script>/.exec(html)![1]);

describe('first pages from the cache', () => {
  const s = useTestServer();
  const hits = () => s.app.pageCache.stats().hits;

  let writer: Reader;
  let liker: Reader;
  let ids: number[];
  beforeEach(async () => {
    writer = reader(s);
    liker = reader(s);
    ids = [];
    for (let i = 0; i < 5; i++) ids.push((await postComment(i === 2 ? writer : reader(s), slug, { body: `评论 ${i}` })).body.comment.id);
    await liker.post(`/api/comments/${ids[0]}/like`).expect(200);
  });

  it('gives two readers with different activity different, exact answers from the same cached page', async () => {
    const bystander = reader(s);
    const anon = (await bystander.get(api).expect(200)).body;
    const before = hits();
    const asWriter = (await writer.get(api).expect(200)).body;
    const asLiker = (await liker.get(api).expect(200)).body;
    expect(hits() - before).toBe(2);
    expect(anon).toEqual(await uncached(s, { authorId: null }));
    expect(asWriter).toEqual(await uncached(s, { authorId: await authorOf(s, writer) }));
    expect(asLiker).toEqual(await uncached(s, { authorId: await authorOf(s, liker) }));
    const byId = (p: { comments: { id: number; mine: boolean; liked: boolean; editableUntil: string | null }[] }, id: number) => p.comments.find((c) => c.id === id)!;
    expect(byId(asWriter, ids[2])).toMatchObject({ mine: true, liked: false });
    expect(byId(asWriter, ids[2]).editableUntil).not.toBeNull();
    expect(byId(asLiker, ids[0])).toMatchObject({ mine: false, liked: true });
    expect(byId(anon, ids[2])).toMatchObject({ mine: false, liked: false, editableUntil: null });
    expect(byId(anon, ids[0])).toMatchObject({ liked: false, likes: 1 });
  });

  it('merges nothing for a reader with a cookie but no activity on the article: the public answer, privately', async () => {
    const other = reader(s);
    await postComment(other, slug, { body: '我的评论' });
    // Its comment is on the page; a second reader with an identity but nothing on this page gets the public one.
    const stranger = reader(s);
    await stranger.post(`/api/comments/${ids[1]}/like`).expect(200);
    await stranger.post(`/api/comments/${ids[1]}/like`).expect(200);
    const res = await stranger.get(api).expect(200);
    expect(res.body).toEqual((await reader(s).get(api).expect(200)).body);
    expect(res.headers['cache-control']).toBe(PRIVATE_CACHE_CONTROL);
  });

  it('shows a reader their own held comment, and nobody else', async () => {
    const mod = await signedIn(s, 'mod1');
    await mod.patch(`/api/admin/articles/${slug}`, { moderationMode: 'pre' }).expect(200);
    const held = (await postComment(writer, slug, { body: '等待审核的评论' })).body.comment;
    expect(held.status).toBe('pending');
    const mine = (await writer.get(api).expect(200)).body;
    expect(mine.comments[0]).toMatchObject({ id: held.id, status: 'pending', mine: true });
    expect(mine).toEqual(await uncached(s, { authorId: await authorOf(s, writer) }));
    const others = (await reader(s).get(api).expect(200)).body;
    expect(others.comments.map((c: { id: number }) => c.id)).not.toContain(held.id);
    expect(others).toEqual(await uncached(s, { authorId: null }));
  });

  describe('is never stale', () => {
    /** Warms the cache for the API (two sorts) and the page, runs the change, then checks every answer. */
    const check = async (change: () => Promise<unknown>, expectChange: (api: any, html: string) => void) => {
      const watcher = reader(s);
      for (const sort of ['newest', 'top']) await watcher.get(`${api}?sort=${sort}`).expect(200);
      await watcher.get(page).expect(200);
      await change();
      for (const sort of ['newest', 'top'] as const) {
        const now = (await watcher.get(`${api}?sort=${sort}`).expect(200)).body;
        expect(now).toEqual(await uncached(s, { authorId: null }, sort));
        const asWriter = (await writer.get(`${api}?sort=${sort}`).expect(200)).body;
        expect(asWriter).toEqual(await uncached(s, { authorId: await authorOf(s, writer) }, sort));
      }
      const html = (await watcher.get(page).expect(200)).text;
      expect(dataBlock(html).seq).toBe((await s.store.articles.getBySlug(slug))!.seq);
      expectChange((await watcher.get(api).expect(200)).body, thread(html));
    };
    const find = (p: { comments: any[] }, id: number) => p.comments.flatMap((c) => [c, ...(c.replies ?? [])]).find((c) => c.id === id);

    it('after an edit', async () => {
      await check(
        () => writer.patch(`/api/comments/${ids[2]}`, { body: '改过的文字' }).expect(200),
        (p, html) => {
          expect(find(p, ids[2]).body).toBe('改过的文字');
          expect(html).toContain('改过的文字');
        },
      );
    });

    it('after a like', async () => {
      await check(
        () => reader(s).post(`/api/comments/${ids[3]}/like`).expect(200),
        (p, html) => {
          expect(find(p, ids[3]).likes).toBe(1);
          expect(html).toMatch(new RegExp(`id="c-${ids[3]}"[\\s\\S]*?<span class="like-count">1</span>`));
        },
      );
    });

    it('after a removal by its author', async () => {
      await check(
        () => writer.delete(`/api/comments/${ids[2]}`).expect(200),
        (p, html) => {
          expect(find(p, ids[2])).toBeUndefined();
          expect(html).not.toContain(`id="c-${ids[2]}"`);
        },
      );
    });

    it('after a reply', async () => {
      await check(
        () => postComment(reader(s), slug, { body: '一条回复', parentId: ids[4] }),
        (p, html) => {
          expect(find(p, ids[4]).replies.map((r: { body: string }) => r.body)).toEqual(['一条回复']);
          expect(html).toContain('一条回复');
        },
      );
    });

    it('after a pin and an unpin', async () => {
      const mod = await signedIn(s, 'mod1');
      await check(
        () => mod.post(`/api/admin/comments/${ids[0]}/pin`).expect(200),
        (p, html) => {
          expect(p.comments[0]).toMatchObject({ id: ids[0], pinned: true });
          expect(html).toMatch(new RegExp(`^<ol class="thread" id="thread" aria-live="off"><li class="comment is-pinned" id="c-${ids[0]}"`));
        },
      );
      await check(
        () => mod.post(`/api/admin/comments/${ids[0]}/unpin`).expect(200),
        (p) => expect(p.comments[0].id).toBe(ids[4]),
      );
    });

    it("after a moderator's reject and approve", async () => {
      const mod = await signedIn(s, 'mod1');
      await check(
        () => mod.post(`/api/admin/comments/${ids[3]}/reject`, { reason: '离题' }).expect(200),
        (p, html) => {
          expect(find(p, ids[3])).toBeUndefined();
          expect(html).not.toContain(`id="c-${ids[3]}"`);
        },
      );
      await check(
        () => mod.post(`/api/admin/comments/${ids[3]}/restore`).expect(200),
        (p) => expect(find(p, ids[3]).status).toBe('published'),
      );
      await mod.patch(`/api/admin/articles/${slug}`, { moderationMode: 'pre' }).expect(200);
      const held = (await postComment(reader(s), slug, { body: '先审后发' })).body.comment;
      await check(
        () => mod.post(`/api/admin/comments/${held.id}/approve`).expect(200),
        (p, html) => {
          expect(find(p, held.id).status).toBe('published');
          expect(html).toContain('先审后发');
        },
      );
    });

    it('after comments are closed', async () => {
      const mod = await signedIn(s, 'mod1');
      await check(
        () => mod.patch(`/api/admin/articles/${slug}`, { commentsClosed: true }).expect(200),
        (p, html) => {
          expect(p.commentsClosed).toBe(true);
          expect(html).toBeDefined();
        },
      );
      expect((await reader(s).get(page).expect(200)).text).toContain('id="closed-notice"');
    });
  });

  it('serves the article page from the cache with a fresh form stamp per request, the same thread', async () => {
    const r = reader(s);
    const first = (await r.get(page).expect(200)).text;
    s.clock.advance(5000);
    const second = (await r.get(page).expect(200)).text;
    expect(thread(second)).toBe(thread(first));
    const stamp = (html: string) => /name="ts" value="(\d+)\./.exec(html)![1];
    expect(Number(stamp(second)) - Number(stamp(first))).toBe(5000);
    expect(dataBlock(second)).toEqual(dataBlock(first));
    const before = hits();
    await r.get(page).expect(200);
    // One hit for the page's comments, one for its HTML.
    expect(hits() - before).toBe(2);
  });

  it('sends a browser asking for gzip the cached page compressed once per second, the same page, stamped in that second', async () => {
    const plain = (await request(s.url).get(page).set('Accept-Encoding', 'identity').expect(200)).text;
    const spy = jest.spyOn(require('node:zlib'), 'gzipSync');
    try {
      const t0 = s.clock.now;
      const zipped = [];
      for (let i = 0; i < 3; i++) zipped.push(await request(s.url).get(page).set('Accept-Encoding', 'gzip, deflate').expect(200));
      expect(spy).toHaveBeenCalledTimes(1);
      s.clock.advance(1000);
      zipped.push(await request(s.url).get(page).set('Accept-Encoding', 'gzip').expect(200));
      expect(spy).toHaveBeenCalledTimes(2);
      for (const res of zipped) {
        expect(res.headers['content-encoding']).toBe('gzip');
        expect(res.headers.vary).toMatch(/Accept-Encoding/);
        expect(res.headers['cache-control']).toBe(PUBLIC_CACHE_CONTROL);
        expect(thread(res.text)).toBe(thread(plain));
        expect(dataBlock(res.text)).toEqual(dataBlock(plain));
      }
      // The shared stamp is the start of its second: never ahead of the request (a reader who waited is not held).
      const stamp = (html: string) => Number(/name="ts" value="(\d+)\./.exec(html)![1]);
      expect(stamp(zipped[0].text)).toBe(Math.floor(t0 / 1000) * 1000);
      expect(stamp(zipped[3].text)).toBe(Math.floor((t0 + 1000) / 1000) * 1000);
    } finally {
      spy.mockRestore();
    }
  });

  it('sends a browser taking brotli the cached page in brotli, compressed once per second, the same page', async () => {
    const plain = (await request(s.url).get(page).set('Accept-Encoding', 'identity').expect(200)).text;
    const spy = jest.spyOn(require('node:zlib'), 'brotliCompressSync');
    try {
      const answers = [];
      // superagent decodes brotli as it does gzip: the text is the page.
      for (let i = 0; i < 3; i++) answers.push(await request(s.url).get(page).set('Accept-Encoding', 'gzip, deflate, br').expect(200));
      expect(spy).toHaveBeenCalledTimes(1);
      for (const res of answers) {
        expect(res.headers['content-encoding']).toBe('br');
        expect(res.headers.vary).toMatch(/Accept-Encoding/);
        expect(thread(res.text)).toBe(thread(plain));
        expect(dataBlock(res.text)).toEqual(dataBlock(plain));
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('never serves relative times more than a minute old from the cached page of an unchanged article', async () => {
    const labels = (html: string) => [...html.matchAll(/<time [^>]*>([^<]*)<\/time>/g)].map((m) => m[1]);
    const first = labels((await reader(s).get(page).expect(200)).text);
    expect(first[0]).toBe('刚刚');
    s.clock.advance(61_000);
    const later = labels((await reader(s).get(page).expect(200)).text);
    expect(later[0]).toBe('1 分钟前');
    expect(later).toHaveLength(first.length);
  });

  it("gzips a reader's own view too (API and page), the same answer as without compression", async () => {
    for (let i = 0; i < 3; i++) await postComment(writer, slug, { body: `一条足够长的评论,好让第一页超过一千字节。第 ${i} 条。`.repeat(3) });
    for (const path of [api, page]) {
      const plain = await writer.get(path).set('Accept-Encoding', 'identity').expect(200);
      const zipped = await writer.get(path).set('Accept-Encoding', 'gzip').expect(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
      expect(zipped.headers['cache-control']).toBe(PRIVATE_CACHE_CONTROL);
      if (path === api) expect(zipped.body).toEqual(plain.body);
      else expect(thread(zipped.text)).toBe(thread(plain.text));
    }
  });

  it('renders the page of a reader with activity for them alone: their edit button, their like', async () => {
    await reader(s).get(page).expect(200);
    const mine = (await writer.get(page).expect(200)).text;
    expect(mine).toMatch(new RegExp(`<li class="comment is-mine" id="c-${ids[2]}"`));
    expect(mine).toContain('data-act="edit"');
    expect(dataBlock(mine).hasIdentity).toBe(true);
    const liked = (await liker.get(page).expect(200)).text;
    expect(liked).toMatch(new RegExp(`id="c-${ids[0]}"[\\s\\S]*?act-like[^"]*is-on`));
    const anon = (await reader(s).get(page).expect(200)).text;
    expect(anon).not.toContain('is-mine');
    expect(anon).not.toMatch(/act-like[^"]*is-on/);
    expect(dataBlock(anon).hasIdentity).toBe(false);
  });
});

describe('HTTP caching of reads', () => {
  const s = useTestServer();

  it('tags API pages with a seq ETag and answers If-None-Match with 304 until the next change', async () => {
    await postComment(reader(s), slug, { body: '第一条' });
    const r = reader(s);
    const first = await r.get(api).expect(200);
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^W\/"\d+\.\d+\.newest\.-\.20\.zh-CN\.p"$/);
    const again = await r.get(api).set('If-None-Match', tag).expect(304);
    expect(again.text).toBe('');
    for (const q of ['?sort=top', '?limit=10', `?cursor=${encodeURIComponent(first.body.nextCursor ?? 'x')}`]) {
      const other = await r.get(`${api}${q}`);
      if (other.status === 200) expect(other.headers.etag).not.toBe(tag);
    }
    await postComment(reader(s), slug, { body: '第二条' });
    const changed = await r.get(api).set('If-None-Match', tag).expect(200);
    expect(changed.headers.etag).not.toBe(tag);
    expect(changed.body.comments).toHaveLength(2);
  });

  it("gives a reader's own view its own ETag, never the public one", async () => {
    const w = reader(s);
    await postComment(w, slug, { body: '我的' });
    const publicTag = (await reader(s).get(api).expect(200)).headers.etag as string;
    const own = await w.get(api).expect(200);
    expect(own.headers.etag).not.toBe(publicTag);
    expect(own.headers.etag).toMatch(/\.v[A-Za-z0-9_-]{12}"$/);
    await w.get(api).set('If-None-Match', own.headers.etag).expect(304);
    await w.get(api).set('If-None-Match', publicTag).expect(200);
  });

  it('lets a shared cache keep answers for readers without identity only', async () => {
    const anonApi = await reader(s).get(api).expect(200);
    const anonPage = await reader(s).get(page).expect(200);
    for (const res of [anonApi, anonPage]) {
      expect(res.headers['cache-control']).toBe(PUBLIC_CACHE_CONTROL);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers.vary).toMatch(/Cookie/);
    }
    const w = reader(s);
    await postComment(w, slug, { body: '有身份的读者' });
    for (const p of [api, page]) expect((await w.get(p).expect(200)).headers['cache-control']).toBe(PRIVATE_CACHE_CONTROL);
    // A cookie without an author behind it still names a reader: private.
    const ghost = await request(s.url).get(page).set('Cookie', `yl_author=${'a'.repeat(43)}`).expect(200);
    expect(ghost.headers['cache-control']).toBe(PRIVATE_CACHE_CONTROL);
  });

  /** Asks for the first page with each Accept-Encoding given: every answer in `encoding`, the same JSON and ETag as the
   * uncompressed one, and the shared answer compressed once (zlib's `compressor` called a single time). */
  async function compressedOnce(acceptEncodings: string[], encoding: string, compressor: 'gzipSync' | 'brotliCompressSync') {
    for (let i = 0; i < 5; i++) await postComment(reader(s), slug, { body: `一条足够长的评论,好让第一页超过一千字节。第 ${i} 条。`.repeat(3) });
    const plain = await request(s.url).get(api).set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const spy = jest.spyOn(require('node:zlib'), compressor);
    try {
      for (const ae of acceptEncodings) {
        const res = await request(s.url).get(api).set('Accept-Encoding', ae).expect(200);
        expect(res.headers['content-encoding']).toBe(encoding);
        expect(res.headers.vary).toMatch(/Accept-Encoding/);
        expect(res.body).toEqual(plain.body);
        expect(res.headers.etag).toBe(plain.headers.etag);
      }
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  }

  it('compresses a shared answer for a browser asking for gzip once, and sends the same JSON', async () => {
    await compressedOnce(['gzip, deflate', 'gzip'], 'gzip', 'gzipSync');
  });

  it('compresses a shared answer for a browser taking brotli once, and sends the same JSON', async () => {
    await compressedOnce(['gzip, deflate, br', 'gzip, deflate, br'], 'br', 'brotliCompressSync');
    // Brotli refused (q=0), weighed below gzip, or not listed: gzip.
    for (const ae of ['gzip, br;q=0', 'gzip;q=1.0, BR; q=0.0', 'br;q=0.5, gzip', 'gzip, deflate']) {
      expect((await request(s.url).get(api).set('Accept-Encoding', ae).expect(200)).headers['content-encoding']).toBe('gzip');
    }
    expect((await request(s.url).get(api).set('Accept-Encoding', 'gzip;q=0.8, br').expect(200)).headers['content-encoding']).toBe('br');
  });

  it('never marks a response that sets a cookie public', async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.cookie('x', '1');
      setCacheControl(res, { authorId: null, identified: false });
      res.send('ok');
    });
    expect((await request(app).get('/')).headers['cache-control']).toBe(PRIVATE_CACHE_CONTROL);
  });
});

describe('the cache across nodes', () => {
  it('never serves a node a page changed on another node: the seq read per request misses', async () => {
    const dbFile = `${require('node:os').tmpdir()}/yilun-cache-${process.pid}-${Date.now()}.db`;
    const a = await startServer({ dbFile });
    const b = await startServer({ dbFile });
    try {
      await postComment(reader(a), slug, { body: '节点甲' });
      const before = (await reader(a).get(api).expect(200)).body;
      await reader(a).get(page).expect(200);
      expect(before.comments).toHaveLength(1);
      await postComment(reader(b), slug, { body: '节点乙' });
      const after = (await reader(a).get(api).expect(200)).body;
      expect(after.comments.map((c: { body: string }) => c.body)).toEqual(['节点乙', '节点甲']);
      expect((await reader(a).get(page).expect(200)).text).toContain('节点乙');
    } finally {
      await b.close();
      await a.close();
      for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) require('node:fs').rmSync(f, { force: true });
    }
  });
});

describe('the page cache itself', () => {
  it('keeps its total under the byte bound, dropping the least recently used', async () => {
    const cache = createPageCache(1000);
    const put = (k: string, bytes: number) => cache.get(k, async () => ({ value: k, bytes, keep: true }));
    for (const k of ['a', 'b', 'c']) await put(k, 200);
    await put('a', 200); // a is now the most recent
    await put('d', 200);
    await put('e', 200);
    expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
    let computed = 0;
    await cache.get('b', async () => ({ value: 'b2', bytes: 200, keep: true }));
    await cache.get('a', async () => ((computed++, { value: 'a2', bytes: 200, keep: true })));
    expect(computed).toBe(0);
    expect(cache.stats().entries).toBeLessThanOrEqual(5);
  });

  it('computes a missing entry once for concurrent requests, and keeps nothing built across a change', async () => {
    const cache = createPageCache(10_000);
    let runs = 0;
    const compute = async () => ({ value: ++runs, bytes: 10, keep: false });
    const got = await Promise.all([cache.get('k', compute), cache.get('k', compute), cache.get('k', compute)]);
    expect(got).toEqual([1, 1, 1]);
    expect(await cache.get('k', compute)).toBe(2);
    expect(cache.stats().entries).toBe(0);
  });

  it('stores nothing with PAGE_CACHE_BYTES=0, nor a value above a quarter of the bound', async () => {
    const off = createPageCache(0);
    expect(off.enabled).toBe(false);
    await off.get('k', async () => ({ value: 1, bytes: 1, keep: true }));
    expect(off.stats().entries).toBe(0);
    const small = createPageCache(100);
    await small.get('big', async () => ({ value: 1, bytes: 26, keep: true }));
    expect(small.stats().entries).toBe(0);
  });

  it('answers exactly the same with the cache off', async () => {
    const off = await startServer({ env: { PAGE_CACHE_BYTES: '0' } });
    try {
      await postComment(reader(off), slug, { body: '无缓存' });
      const res = await reader(off).get(api).expect(200);
      expect(res.body).toEqual(JSON.parse(JSON.stringify(await listComments(off.app.deps, slug, { sort: 'newest', limit: 20 }, { authorId: null }))));
      expect(res.headers.etag).toMatch(/\.p"$/);
    } finally {
      await off.close();
    }
  });
});
