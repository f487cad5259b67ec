// Spam friction on the no-JS form, attacked: a filled honeypot or a submit faster than FORM_MIN_SECONDS (or a
// missing or forged render stamp) is quietly held as pending spam_suspected behind a normal 303, never an error.
import { reader, startServer, type Reader, type TestServer } from './helpers/server';

let s: TestServer;
beforeEach(async () => {
  s = await startServer({ env: { FORM_MIN_SECONDS: '3' } });
});
afterEach(async () => s.close());

async function stampFor(r: Reader): Promise<string> {
  const page = await r.get(`/articles/${s.article.slug}`);
  return /name="ts" value="([^"]+)"/.exec(page.text)![1];
}

function submit(r: Reader, fields: Record<string, string | string[]>) {
  return r.agent.post(`/articles/${s.article.slug}/comments`).set('Origin', s.origin).type('form').send({ authorName: '读者', body: '表单评论', website: '', ...fields });
}

function heldRow(location: string) {
  const id = Number(/#c-(\d+)$/.exec(location)![1]);
  return s.db.prepare('SELECT status, held_reason AS heldReason FROM comments WHERE id = ?').get(id) as { status: string; heldReason: string | null };
}

it('publishes a form post made at human pace with the honeypot empty', async () => {
  const r = reader(s);
  const ts = await stampFor(r);
  s.clock.advance(5_000);
  const res = await submit(r, { ts });
  expect(res.status).toBe(303);
  expect(res.headers.location).not.toContain('posted=pending');
  expect(heldRow(res.headers.location)).toEqual({ status: 'published', heldReason: null });
});

it('holds a post with the honeypot filled as pending spam_suspected, answering with the usual 303', async () => {
  const r = reader(s);
  const ts = await stampFor(r);
  s.clock.advance(5_000);
  const res = await submit(r, { ts, website: 'http://spam.example' });
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/\?posted=pending#c-\d+$/);
  expect(heldRow(res.headers.location)).toEqual({ status: 'pending', heldReason: 'spam_suspected' });
});

it('holds a post submitted faster than FORM_MIN_SECONDS after the page was rendered', async () => {
  const r = reader(s);
  const ts = await stampFor(r);
  s.clock.advance(1_000);
  const res = await submit(r, { ts });
  expect(res.status).toBe(303);
  expect(heldRow(res.headers.location)).toEqual({ status: 'pending', heldReason: 'spam_suspected' });
});

it('holds a post whose render stamp is missing, forged, from the future or malformed, and never errors', async () => {
  const r = reader(s);
  const real = await stampFor(r);
  s.clock.advance(60_000);
  const [at, sig] = real.split('.');
  const forged = [
    undefined,
    '',
    `${Number(at) - 60_000}.${sig}`,
    `${at}.AAAAAAAAAAAAAAAA`,
    `${Number(at) + 3_600_000}.${sig}`,
    '.',
    '1e400.x',
    'x'.repeat(5_000),
    [real, real],
  ];
  for (const [i, ts] of forged.entries()) {
    const res = await submit(reader(s), { body: `第 ${i} 次伪造`, ...(ts === undefined ? {} : { ts }) });
    expect(res.status).toBe(303);
    expect(heldRow(res.headers.location)).toEqual({ status: 'pending', heldReason: 'spam_suspected' });
  }
});

it('shows a held comment to its author only', async () => {
  const r = reader(s);
  const ts = await stampFor(r);
  const res = await submit(r, { ts, website: 'filled' });
  const id = Number(/#c-(\d+)$/.exec(res.headers.location)![1]);
  const mine = await r.get(`/api/articles/${s.article.slug}/comments`);
  expect(mine.body.comments.map((c: { id: number; status: string }) => [c.id, c.status])).toEqual([[id, 'pending']]);
  const others = await reader(s).get(`/api/articles/${s.article.slug}/comments`);
  expect(others.body.comments).toEqual([]);
});
