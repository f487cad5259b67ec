import {
  banned,
  bannedWords,
  BODY_MAX,
  bodyLength,
  closedArticle,
  decide,
  duplicate,
  firstTimeLink,
  NAME_MAX,
  nameLength,
  postRate,
  preModeration,
  spamSignals,
  suspectWords,
  tooManyLinks,
  type RuleContext,
} from '../server/moderation/moderation.rules';
import { DEFAULT_SETTINGS, type Ban } from '../server/moderation/moderation.types';
import { compileWords } from '../server/moderation/words';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const MIN = 60_000;

const words = compileWords([
  { id: 1, word: '禁词', kind: 'banned', createdAt: 0 },
  { id: 2, word: '可疑', kind: 'suspect', createdAt: 0 },
]);

/** A context in which every rule passes; each test changes only what its rule reads. */
function ctx(over: Partial<RuleContext> = {}): RuleContext {
  return {
    now: NOW,
    kind: 'create',
    authorName: '读者',
    body: '一条普通的评论',
    article: { commentsClosed: false, moderationMode: null },
    settings: { ...DEFAULT_SETTINGS },
    ban: undefined,
    words,
    linkCount: 0,
    authorPublishedCount: 3,
    recentBodies: [],
    rate: { author: { limit: 5, windowMs: MIN, times: [] }, ip: { limit: 20, windowMs: MIN, times: [] } },
    spam: { honeypot: false, tooFast: false },
    ...over,
  };
}

const ban = (over: Partial<Ban> = {}): Ban => ({ id: 1, authorId: 7, ipHash: null, reason: '刷屏', createdAt: NOW - MIN, expiresAt: null, createdBy: 1, liftedAt: null, ...over });

describe('moderation rules, one at a time', () => {
  it('publishes an ordinary comment', () => {
    expect(decide(ctx())).toEqual({ action: 'publish' });
  });

  it('rejects a 41-character name with 422 name_too_long and accepts 40 (counting code points, not UTF-16 units)', () => {
    expect(nameLength(ctx({ authorName: '名'.repeat(NAME_MAX) }))).toBeUndefined();
    expect(nameLength(ctx({ authorName: '😀'.repeat(NAME_MAX) }))).toBeUndefined();
    expect(nameLength(ctx({ authorName: '名'.repeat(NAME_MAX + 1) }))).toMatchObject({ action: 'reject', code: 'name_too_long', status: 422 });
  });

  it('rejects a 5,001-character comment with 422 comment_too_long and accepts 5,000', () => {
    expect(bodyLength(ctx({ body: '字'.repeat(BODY_MAX) }))).toBeUndefined();
    expect(bodyLength(ctx({ body: '字'.repeat(BODY_MAX + 1) }))).toMatchObject({ action: 'reject', code: 'comment_too_long', status: 422, details: { max: 5000 } });
  });

  it('rejects any comment on a closed article with 403 comments_closed', () => {
    expect(closedArticle(ctx())).toBeUndefined();
    expect(closedArticle(ctx({ article: { commentsClosed: true, moderationMode: null } }))).toMatchObject({ action: 'reject', code: 'comments_closed', status: 403 });
  });

  it('rejects a banned author with 403 banned, giving the reason and the end time', () => {
    expect(banned(ctx())).toBeUndefined();
    const until = NOW + 60 * MIN;
    const v = banned(ctx({ ban: ban({ expiresAt: until }) }));
    expect(v).toMatchObject({ action: 'reject', code: 'banned', status: 403, details: { reason: '刷屏', until: new Date(until).toISOString() } });
    expect(banned(ctx({ ban: ban() }))).toMatchObject({ details: { reason: '刷屏', until: null } });
  });

  it('rejects the sixth post inside the author window with 429 and a Retry-After until the oldest leaves the window', () => {
    const times = [NOW - 50_000, NOW - 40_000, NOW - 30_000, NOW - 20_000, NOW - 10_000];
    expect(postRate(ctx({ rate: { author: { limit: 5, windowMs: MIN, times: times.slice(1) }, ip: null } }))).toBeUndefined();
    const v = postRate(ctx({ rate: { author: { limit: 5, windowMs: MIN, times }, ip: null } }));
    expect(v).toMatchObject({ action: 'reject', code: 'rate_limited', status: 429, retryAfterSeconds: 10 });
  });

  it('counts only posts inside the window, and limits the network as well as the author', () => {
    const old = [NOW - 5 * MIN, NOW - 4 * MIN, NOW - 3 * MIN, NOW - 2 * MIN, NOW - 61_000];
    expect(postRate(ctx({ rate: { author: { limit: 5, windowMs: MIN, times: old }, ip: null } }))).toBeUndefined();
    const ipTimes = Array.from({ length: 3 }, (_, i) => NOW - 30_000 + i);
    const v = postRate(ctx({ rate: { author: { limit: 5, windowMs: MIN, times: [] }, ip: { limit: 3, windowMs: MIN, times: ipTimes } } }));
    expect(v).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 30 });
  });

  it('does not rate-limit edits', () => {
    const times = Array.from({ length: 10 }, (_, i) => NOW - i);
    expect(postRate(ctx({ kind: 'edit', rate: { author: { limit: 5, windowMs: MIN, times }, ip: null } }))).toBeUndefined();
  });

  it('rejects the same body within 10 minutes with 422 duplicate_comment, ignoring white space, width and case', () => {
    const v = duplicate(ctx({ body: 'Hello  世界', recentBodies: [{ body: 'ＨＥＬＬＯ 世界', createdAt: NOW - 9 * MIN }] }));
    expect(v).toMatchObject({ action: 'reject', code: 'duplicate_comment', status: 422 });
  });

  it('allows the same body again once the duplicate window has passed, and allows a different body', () => {
    expect(duplicate(ctx({ body: '同样的话', recentBodies: [{ body: '同样的话', createdAt: NOW - 11 * MIN }] }))).toBeUndefined();
    expect(duplicate(ctx({ body: '另一句话', recentBodies: [{ body: '同样的话', createdAt: NOW - MIN }] }))).toBeUndefined();
  });

  it('rejects a banned word in the body or the name with 422 banned_word naming the word', () => {
    expect(bannedWords(ctx({ body: '这里有禁词' }))).toMatchObject({ action: 'reject', code: 'banned_word', status: 422, details: { word: '禁词' } });
    expect(bannedWords(ctx({ authorName: '禁词大王' }))).toMatchObject({ code: 'banned_word' });
    expect(bannedWords(ctx())).toBeUndefined();
  });

  it('holds a form post with a filled honeypot or submitted too fast as spam_suspected', () => {
    expect(spamSignals(ctx())).toBeUndefined();
    expect(spamSignals(ctx({ spam: { honeypot: true, tooFast: false } }))).toEqual({ action: 'hold', reason: 'spam_suspected' });
    expect(spamSignals(ctx({ spam: { honeypot: false, tooFast: true } }))).toEqual({ action: 'hold', reason: 'spam_suspected' });
  });

  it('holds a suspect word in the body or the name as suspect_word', () => {
    expect(suspectWords(ctx({ body: '有点可疑' }))).toEqual({ action: 'hold', reason: 'suspect_word' });
    expect(suspectWords(ctx({ authorName: '可疑的人' }))).toEqual({ action: 'hold', reason: 'suspect_word' });
    expect(suspectWords(ctx())).toBeUndefined();
  });

  it('holds more links than the link limit (default 2) as too_many_links', () => {
    expect(tooManyLinks(ctx({ linkCount: 2 }))).toBeUndefined();
    expect(tooManyLinks(ctx({ linkCount: 3 }))).toEqual({ action: 'hold', reason: 'too_many_links' });
    expect(tooManyLinks(ctx({ linkCount: 1, settings: { ...DEFAULT_SETTINGS, linkLimit: 0 } }))).toEqual({ action: 'hold', reason: 'too_many_links' });
  });

  it('holds a link from a first-time author as first_time_link, unless the setting is off', () => {
    expect(firstTimeLink(ctx({ linkCount: 1, authorPublishedCount: 0 }))).toEqual({ action: 'hold', reason: 'first_time_link' });
    expect(firstTimeLink(ctx({ linkCount: 1, authorPublishedCount: 1 }))).toBeUndefined();
    expect(firstTimeLink(ctx({ linkCount: 0, authorPublishedCount: 0 }))).toBeUndefined();
    expect(firstTimeLink(ctx({ linkCount: 1, authorPublishedCount: 0, settings: { ...DEFAULT_SETTINGS, holdFirstLink: false } }))).toBeUndefined();
  });

  it('holds every comment under pre-moderation, the article mode overriding the site default', () => {
    const site = (m: 'pre' | 'post') => ({ ...DEFAULT_SETTINGS, moderationMode: m });
    expect(preModeration(ctx())).toBeUndefined();
    expect(preModeration(ctx({ settings: site('pre') }))).toEqual({ action: 'hold', reason: 'pre_moderation' });
    expect(preModeration(ctx({ article: { commentsClosed: false, moderationMode: 'pre' } }))).toEqual({ action: 'hold', reason: 'pre_moderation' });
    expect(preModeration(ctx({ settings: site('pre'), article: { commentsClosed: false, moderationMode: 'post' } }))).toBeUndefined();
  });
});

describe('decide()', () => {
  it('lets a rejection win over any number of holds, even one from a rule listed earlier', () => {
    const v = decide(
      ctx({
        body: '可疑又有禁词',
        spam: { honeypot: true, tooFast: true },
        linkCount: 5,
        authorPublishedCount: 0,
        article: { commentsClosed: false, moderationMode: 'pre' },
      }),
    );
    expect(v).toMatchObject({ action: 'reject', code: 'banned_word' });
  });

  it('gives the first rejection in rule order: closed article before ban before rate', () => {
    const all = ctx({
      article: { commentsClosed: true, moderationMode: null },
      ban: ban(),
      rate: { author: { limit: 1, windowMs: MIN, times: [NOW - 1] }, ip: null },
    });
    expect(decide(all)).toMatchObject({ code: 'comments_closed' });
    expect(decide({ ...all, article: { commentsClosed: false, moderationMode: null } })).toMatchObject({ code: 'banned' });
    expect(decide({ ...all, article: { commentsClosed: false, moderationMode: null }, ban: undefined })).toMatchObject({ code: 'rate_limited' });
  });

  it('gives the first hold in rule order when nothing rejects', () => {
    expect(decide(ctx({ body: '可疑', linkCount: 5, settings: { ...DEFAULT_SETTINGS, moderationMode: 'pre' } }))).toEqual({ action: 'hold', reason: 'suspect_word' });
    expect(decide(ctx({ linkCount: 5, settings: { ...DEFAULT_SETTINGS, moderationMode: 'pre' } }))).toEqual({ action: 'hold', reason: 'too_many_links' });
    expect(decide(ctx({ settings: { ...DEFAULT_SETTINGS, moderationMode: 'pre' } }))).toEqual({ action: 'hold', reason: 'pre_moderation' });
  });

  it('runs a custom rule list: a hold listed first still loses to a later rejection', () => {
    const v = decide(ctx({ body: '禁词', spam: { honeypot: true, tooFast: false } }), [spamSignals, bannedWords]);
    expect(v).toMatchObject({ action: 'reject', code: 'banned_word' });
  });
});
