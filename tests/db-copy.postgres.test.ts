// npm run db:copy: a populated SQLite database copied into a fresh PostgreSQL schema answers the API exactly
// as the original does (threads, replies, likes, placeholders, the moderation queues and audit), and the
// copy refuses a PostgreSQL database that already holds data. Runs when TEST_DATABASE_URL is set.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../server/app';
import { readMigrations } from '../server/db/migrate';
import { copySqliteToPg } from '../server/db/postgres/pg.copy';
import { paths } from '../server/paths';
import { generateSecrets } from '../server/security/secrets';
import { silentLogger } from '../server/log';
import { openPgTestStore, TEST_DATABASE_URL } from './helpers/pg';
import { postComment, reader, startServer, type TestServer } from './helpers/server';
import { commentBy, signedIn } from './helpers/moderation';

const describePg = TEST_DATABASE_URL ? describe : describe.skip;
const sqliteVersion = () => readMigrations(paths.migrations()).length;

describePg('db:copy from SQLite to PostgreSQL', () => {
  let s: TestServer;
  let dir: string;
  const secrets = generateSecrets();
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-copy-'));
    s = await startServer({ dbFile: path.join(dir, 'yilun.db'), secrets });
  });
  afterEach(async () => {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives identical API answers on the copy: pages in every order, replies, likes, placeholders, queues and audit', async () => {
    const slug = s.article.slug;
    const mod = await signedIn(s, 'mod1', 'admin');
    const alice = reader(s);
    const roots: number[] = [];
    for (let i = 0; i < 6; i++) roots.push((await commentBy(s, `评论 ${i}`, i % 2 ? alice : reader(s))).comment.id);
    const mid = (await postComment(alice, slug, { body: '回复', parentId: roots[0] })).body.comment.id as number;
    await postComment(reader(s), slug, { body: '回复的回复', parentId: mid });
    for (const id of [roots[1], roots[1], roots[3]]) await reader(s).post(`/api/comments/${id}/like`).expect(200);
    await alice.post(`/api/comments/${roots[4]}/like`).expect(200);
    await alice.delete(`/api/comments/${mid}`).expect(200);
    await alice.patch(`/api/comments/${roots[1]}`, { body: '改过的' }).expect(200);
    await mod.post(`/api/admin/comments/${roots[2]}/pin`, {}).expect(200);
    await mod.post(`/api/admin/comments/${roots[5]}/reject`, { reason: '离题' }).expect(200);
    await reader(s).post(`/api/comments/${roots[3]}/report`, { reason: 'spam' }).expect(201);
    const troll = await commentBy(s, '捣乱');
    await mod.post('/api/admin/bans', { commentId: troll.comment.id, scope: 'both', reason: '捣乱', removeComments: true }).expect(201);
    await mod.post('/api/admin/words', { word: '坏词', kind: 'banned' });

    const pg = await openPgTestStore(TEST_DATABASE_URL!);
    const copied = createApp({ config: s.config, store: pg.store, log: silentLogger, secrets, now: () => s.clock.now });
    try {
      const report = await copySqliteToPg(s.db, pg.pool, sqliteVersion());
      expect(report.tables.find((t) => t.table === 'comments')?.rows).toBe(9);
      await new Promise<void>((resolve) => copied.httpServer.listen(0, '127.0.0.1', resolve));
      const other = `http://127.0.0.1:${(copied.httpServer.address() as AddressInfo).port}`;
      const get = async (base: string, p: string, cookie?: string) => {
        const req = request(base).get(p).set('Origin', base);
        const res = await (cookie ? req.set('Cookie', cookie) : req);
        return { status: res.status, body: res.body };
      };
      const paths = [
        ...['newest', 'oldest', 'top'].map((sort) => `/api/articles/${slug}/comments?sort=${sort}`),
        `/api/articles/${slug}/comments?sort=oldest&limit=2`,
        `/api/comments/${roots[0]}/replies`,
        '/api/articles',
      ];
      for (const p of paths) {
        for (const cookie of [undefined, alice.cookie()]) {
          const before = await get(s.url, p, cookie);
          expect(before.status).toBe(200);
          expect(await get(other, p, cookie)).toEqual(before);
        }
      }
      for (const p of ['/api/admin/queue?queue=rejected', '/api/admin/queue?queue=reported', '/api/admin/audit', '/api/admin/bans', '/api/admin/words']) {
        const before = await get(s.url, p, mod.cookie());
        expect(before.status).toBe(200);
        expect(await get(other, p, mod.cookie())).toEqual(before);
      }
      // The network ban holds on the copy; lifted there (with the copied session), new rows continue after
      // the copied ids and the article's seq continues its event log.
      const postThere = () => request(other).post(`/api/articles/${slug}/comments`).set('Origin', other).send({ authorName: '新', body: '迁移之后' });
      expect((await postThere()).body.error.code).toBe('banned');
      const bans = (await get(other, '/api/admin/bans', mod.cookie())).body.bans as { id: number }[];
      for (const b of bans) await request(other).delete(`/api/admin/bans/${b.id}`).set('Origin', other).set('Cookie', mod.cookie()).expect(200);
      const next = await postThere().expect(201);
      expect(next.body.comment.id).toBe(troll.comment.id + 1);
      const a = (await pg.store.articles.getBySlug(slug))!;
      expect((await pg.store.comments.eventsSince(a.id, a.seq - 1, 10)).map((e) => e.commentId)).toEqual([next.body.comment.id]);
    } finally {
      await copied.close();
      await pg.drop();
    }
  });

  it('refuses a PostgreSQL database that already holds data, and a SQLite database of another schema version', async () => {
    const pg = await openPgTestStore(TEST_DATABASE_URL!);
    try {
      await expect(copySqliteToPg(s.db, pg.pool, sqliteVersion() + 1)).rejects.toThrow(/schema version/);
      await pg.store.articles.insert({ slug: 'exists', title: 't', body: '', createdAt: 0 });
      await expect(copySqliteToPg(s.db, pg.pool, sqliteVersion())).rejects.toThrow(/not empty \(articles has 1 rows\)/);
    } finally {
      await pg.drop();
    }
  });
});
