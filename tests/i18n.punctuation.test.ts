// Chinese copy uses full-width punctuation next to Han characters (，？：（）), in every zh-CN table.
import { STRINGS } from '../server/i18n/strings';
import { MESSAGES } from '../server/i18n/messages';
import { ADMIN_STRINGS } from '../server/i18n/admin.strings';
import { MAIL_STRINGS } from '../server/i18n/mail.strings';

const TABLES: Record<string, Record<string, string>> = {
  'strings.ts zh-CN': STRINGS['zh-CN'],
  'messages.ts zh-CN': MESSAGES['zh-CN'],
  'admin.zh-CN.ts': ADMIN_STRINGS['zh-CN'],
  'mail.strings.ts zh-CN': MAIL_STRINGS['zh-CN'],
};
const HAN = '\\p{Script=Han}';
const ASCII_NEXT_TO_HAN = new RegExp(`${HAN}[,?:()]|[,?:()]${HAN}`, 'u');

describe('zh-CN string tables', () => {
  it.each(Object.keys(TABLES))('%s has no ASCII , ? : ( ) touching a Han character', (name) => {
    const bad = Object.entries(TABLES[name]).filter(([, v]) => ASCII_NEXT_TO_HAN.test(v));
    expect(bad).toEqual([]);
  });

  it('the check itself catches an ASCII comma or parenthesis beside Han text', () => {
    expect(ASCII_NEXT_TO_HAN.test('出错了,请稍后再试。')).toBe(true);
    expect(ASCII_NEXT_TO_HAN.test('怎么称呼你(1–40 个字符)')).toBe(true);
    expect(ASCII_NEXT_TO_HAN.test('出错了，请稍后再试。')).toBe(false);
    expect(ASCII_NEXT_TO_HAN.test('Markdown (subset), ok?')).toBe(false);
  });
});
