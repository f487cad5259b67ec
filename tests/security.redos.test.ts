// One request must not stall the process: every function that reads user text does work that grows at most
// linearly with it (measured as a ratio of two sizes in the same run, never against the wall clock), and the
// over-long posts that used to block the event loop for seconds are refused cheaply on every transport.
import { countLinks, linkTarget, renderBody, trimUrl } from '../server/comments/comments.render';
import { editCommentSchema, normalizeBody, normalizeName, parseInput, postCommentSchema, reportSchema } from '../server/comments/comments.schema';
import { canonicalBody, overLength } from '../server/moderation/moderation.rules';
import { compileWords } from '../server/moderation/words';
import type { Word } from '../server/moderation/moderation.types';
import { connectSocket, emitAck, postComment, reader, useTestServer } from './helpers/server';

const N = 5_000;
const REPEATS = 5;

/** Best of a few runs: the least disturbed by GC or a busy machine. */
function cost(f: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/**
 * Linear work takes about 4x as long on 4x the input; quadratic takes 16x. The margin (10x plus 25 ms)
 * absorbs GC and a busy machine, and still fails each of the quadratic scans this file was written for
 * (their 4x run took 0.8-1.2 s against 50-75 ms for the 1x run).
 */
function expectLinear(name: string, f: (s: string) => unknown, make: (n: number) => string): void {
  const small = make(N);
  const large = make(4 * N);
  // Warm up the JIT and the heap on the same shapes, so the timed runs compare the work alone.
  f(small);
  f(large);
  const t1 = cost(() => f(small));
  const t4 = cost(() => f(large));
  expect({ name, linear: t4 < 10 * t1 + 25 }).toEqual({ name, linear: true });
}

const words: Word[] = [
  { id: 1, word: 'abc', kind: 'banned', createdAt: 0 },
  { id: 2, word: '广告', kind: 'banned', createdAt: 0 },
  { id: 3, word: 'spam link', kind: 'suspect', createdAt: 0 },
  { id: 4, word: 'aaa', kind: 'suspect', createdAt: 0 },
];
const matcher = compileWords(words);

const rep = (unit: string, n: number) => unit.repeat(Math.max(1, Math.floor(n / unit.length)));

/** Inputs that make naive regexes backtrack: long runs, unclosed markup, near-misses of a pattern. */
const ADVERSARIAL: [string, (n: number) => string][] = [
  ['url + ")" run', (n) => 'http://a.b/' + ')'.repeat(n)],
  ['url + "(" run', (n) => 'http://a.b/' + '('.repeat(n)],
  ['url + "." run + x', (n) => 'http://a.b/' + '.'.repeat(n) + 'x'],
  ['url + punctuation run', (n) => 'https://a.b/' + rep('.,;:!?*\'"', n)],
  ['url + ")." pairs', (n) => 'http://a.b/' + rep(').', n)],
  ['"http://" repeated', (n) => rep('http://', n)],
  ['many links', (n) => rep('http://a.b/ ', n)],
  ['"*" run', (n) => '*'.repeat(n)],
  ['"**a" repeated', (n) => rep('**a', n)],
  ['" *a" repeated', (n) => rep(' *a', n)],
  ['unclosed **', (n) => '**' + rep('a ', n)],
  ['unclosed *', (n) => ' *' + rep('a ', n) + '*b'],
  ['"`" run', (n) => '`'.repeat(n)],
  ['"`a" repeated', (n) => rep('`a', n)],
  ['spaces then x', (n) => ' '.repeat(n) + 'x'],
  ['x, spaces, x', (n) => 'x' + ' '.repeat(n) + 'x'],
  ['blank lines', (n) => rep(' \n', n) + 'x'],
  ['">" run', (n) => '>'.repeat(n)],
  ['"> " lines', (n) => rep('> \n', n)],
  ['"a." bare-domain near miss', (n) => rep('a.', n)],
  ['"a-" run', (n) => rep('a-', n) + '!'],
  ['"www." run', (n) => rep('www.', n) + 'com'],
  ['many bare domains', (n) => rep('a.com ', n)],
  ['CR run', (n) => '\r'.repeat(n) + 'x'],
  ['zero-width run', (n) => '\u200b'.repeat(n) + 'x'],
  ['bidi controls', (n) => rep('a\u202e', n)],
  ['word-list near miss "ab" + gaps', (n) => rep('ab' + '.'.repeat(50), n)],
  ['word-list "a" run', (n) => 'a'.repeat(n)],
  ['word-list "广" + spaces', (n) => rep('广' + ' '.repeat(30), n)],
  ['word-list gap run', (n) => 'a' + ' '.repeat(n) + 'b'],
  ['word-list "spam " run', (n) => rep('spam ', n) + 'x'],
];

const FUNCTIONS: [string, (s: string) => unknown][] = [
  ['renderBody', renderBody],
  ['countLinks', countLinks],
  ['trimUrl', trimUrl],
  ['linkTarget', (s) => linkTarget(trimUrl(s))],
  ['normalizeBody', normalizeBody],
  ['normalizeName', normalizeName],
  ['canonicalBody', canonicalBody],
  ['word matching (banned)', (s) => matcher.find(s, 'banned')],
  ['word matching (suspect)', (s) => matcher.find(s, 'suspect')],
  ['overLength', (s) => overLength({ authorName: s, body: s })],
  ['post schema (body)', (s) => postCommentSchema.safeParse({ authorName: '甲', body: s.slice(0, 20_000) })],
  ['post schema (name)', (s) => postCommentSchema.safeParse({ authorName: s.slice(0, 20_000), body: '正文' })],
  ['edit schema', (s) => editCommentSchema.safeParse({ body: s.slice(0, 20_000) })],
  ['report note', (s) => reportSchema.safeParse({ reason: 'other', note: s.slice(0, 500) })],
];

describe('work on user text grows linearly', () => {
  it.each(FUNCTIONS)('%s', (name, f) => {
    for (const [input, make] of ADVERSARIAL) expectLinear(`${name}: ${input}`, f, make);
  });

  it('validates a 20,000-character body in one pass before refusing it as too long', () => {
    const body = normalizeBody(parseInput(postCommentSchema, { authorName: '甲', body: 'http://a.b/' + ')'.repeat(19_980) }).body);
    expect(overLength({ authorName: '甲', body })).toMatchObject({ code: 'comment_too_long', status: 422 });
  });
});

describe('autolinks keep their meaning while getting linear', () => {
  it('drops trailing punctuation and unmatched closing parentheses only', () => {
    expect(trimUrl('https://a.b/x).')).toBe('https://a.b/x');
    expect(trimUrl('https://a.b/(x))')).toBe('https://a.b/(x)');
    expect(trimUrl('https://a.b/x' + ')'.repeat(1000))).toBe('https://a.b/x');
    expect(trimUrl('https://a.b/(x).,;')).toBe('https://a.b/(x)');
    expect(trimUrl('https://a.b/x*).')).toBe('https://a.b/x');
  });

  it('counts bare domains once per dotted name and ignores near misses', () => {
    expect(countLinks('看 example.com/x 和 www.a.b.cn')).toBe(2);
    expect(countLinks('a.com.b.com')).toBe(1);
    expect(countLinks('a.com..b.com')).toBe(2);
    expect(countLinks('a..com, com, .com, a.comx, a.com-x')).toBe(1);
    expect(countLinks('a.'.repeat(5000))).toBe(0);
    expect(countLinks('见 https://a.b/c 与 (http://c.d/e)')).toBe(2);
  });
});

describe('over-long posts on every transport', () => {
  const s = useTestServer();
  const BODY = 'http://a.b/' + ')'.repeat(19_980);

  it('answers the 20,000-character ")" post with 422 over HTTP, the form and a socket, and stays responsive', async () => {
    const r = reader(s);
    const first = await postComment(r, s.article.slug, { body: '先有身份' });
    expect(first.status).toBe(201);
    const socket = await connectSocket(s, { cookie: r.cookie() });
    expect((await emitAck(socket, 'join', { article: s.article.slug })).ok).toBe(true);
    const [http, form, ack, edit, ackEdit, list] = await Promise.all([
      postComment(r, s.article.slug, { body: BODY }),
      r.agent.post(`/articles/${s.article.slug}/comments`).set('Origin', s.origin).type('form').send({ authorName: '读者', body: BODY, ts: '', website: '' }),
      emitAck(socket, 'comment:post', { authorName: '读者', body: BODY }),
      r.patch(`/api/comments/${first.body.comment.id}`, { body: BODY }),
      emitAck(socket, 'comment:edit', { id: first.body.comment.id, body: BODY }),
      r.get(`/api/articles/${s.article.slug}/comments`),
    ]);
    expect(http.status).toBe(422);
    expect(http.body.error).toMatchObject({ code: 'comment_too_long', details: { max: 5000 } });
    expect(form.status).toBe(303);
    expect((await r.get(String(form.headers.location).replace(/#.*$/, ''))).status).toBe(422);
    expect(ack).toMatchObject({ ok: false, error: { code: 'comment_too_long' } });
    expect(edit.status).toBe(422);
    expect(edit.body.error.code).toBe('comment_too_long');
    expect(ackEdit).toMatchObject({ ok: false, error: { code: 'comment_too_long' } });
    expect(list.status).toBe(200);
    expect(s.db.prepare('SELECT COUNT(*) FROM comments').pluck().get()).toBe(1);
    expect(s.db.prepare('SELECT body FROM comments').pluck().get()).toBe('先有身份');
    expect((await postComment(r, s.article.slug, { body: '服务器还在' })).status).toBe(201);
  });

  it('refuses a 20,000-character name with 422 name_too_long before reading it any further', async () => {
    const res = await postComment(reader(s), s.article.slug, { authorName: '\u200b'.repeat(10) + 'a'.repeat(19_000) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('name_too_long');
  });

  it('still renders a 5,000-character body of a link and ")" run, linking only the URL', async () => {
    const body = 'http://a.b/x' + ')'.repeat(4_988);
    const res = await postComment(reader(s), s.article.slug, { body });
    expect(res.status).toBe(201);
    expect(res.body.comment.html).toContain('<a href="http://a.b/x" rel="nofollow ugc noopener" target="_blank" dir="ltr">http://a.b/x</a>))');
  });
});
