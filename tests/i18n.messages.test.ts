// The server message tables: what TypeScript cannot check (placeholders agree across languages) and how msg fills them.
import { MESSAGES, msg, type MessageKey } from '../server/i18n/messages';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('server messages', () => {
  it('gives every English message the same placeholders as its zh-CN original', () => {
    for (const key of Object.keys(MESSAGES['zh-CN']) as MessageKey[]) {
      expect([key, placeholders(MESSAGES.en[key])]).toEqual([key, placeholders(MESSAGES['zh-CN'][key])]);
    }
  });

  it('serves zh-CN by default and fills placeholders with the given values', () => {
    expect(msg('comment_not_found')).toBe('评论不存在或已被删除。');
    expect(msg('rate_limited', { seconds: 7 })).toBe('操作太频繁，请 7 秒后再试。');
    expect(msg('banned_forever', { reason: '刷屏' }, 'en')).toBe('You are permanently banned from commenting. Reason: 刷屏');
  });

  it('does not expand placeholders that appear inside a filled-in value', () => {
    expect(msg('banned_until', { until: '2030-01-01T00:00:00.000Z', reason: '{until} $& $1' })).toBe('你已被禁言至 2030-01-01T00:00:00.000Z，原因：{until} $& $1');
  });
});
