import { compileWords, normalizeForMatch } from '../server/moderation/words';
import type { Word, WordKind } from '../server/moderation/moderation.types';

let nextId = 1;
const list = (entries: [string, WordKind][]): Word[] => entries.map(([word, kind]) => ({ id: nextId++, word, kind, createdAt: 0 }));

describe('word-list matching', () => {
  const m = compileWords(list([['禁词', 'banned'], ['ass', 'banned'], ['spam link', 'banned'], ['可疑', 'suspect']]));
  const banned = (text: string) => m.find(text, 'banned');

  it('finds a listed Chinese word anywhere in the text', () => {
    expect(banned('这句话里有禁词啊')).toBe('禁词');
    expect(banned('禁词')).toBe('禁词');
  });

  it('sees through spaces, punctuation and zero-width characters between the characters', () => {
    for (const body of ['禁 词', '禁,词', '禁,词', '禁。词', '禁\u200b词', '禁\u200d词', '禁\ufeff词', '禁 \t 词', '禁*-*词', '禁_词', '禁\u3000词']) {
      expect({ body, hit: banned(body) }).toEqual({ body, hit: '禁词' });
    }
  });

  it('matches full-width and upper-case Latin (NFKC, case-folded)', () => {
    expect(banned('ＡＳＳ')).toBe('ass');
    expect(banned('you ASS')).toBe('ass');
    expect(banned('Ａ.S.s!')).toBe('ass');
  });

  it('keeps word boundaries for Latin words: "class" and "assume" do not match "ass"', () => {
    expect(banned('first class ticket')).toBeUndefined();
    expect(banned('I assume so')).toBeUndefined();
    expect(banned('bass')).toBeUndefined();
    expect(banned('an ass.')).toBe('ass');
    expect(banned('中文ass中文')).toBe('ass');
  });

  it('matches a multi-word Latin entry with any separator', () => {
    expect(banned('get my SPAM-link now')).toBe('spam link');
    expect(banned('spamlink')).toBe('spam link');
  });

  it('does not match characters of the word that are apart by other letters', () => {
    expect(banned('禁止用词')).toBeUndefined();
    expect(banned('禁')).toBeUndefined();
  });

  it('keeps the kinds apart: a suspect word is not banned and a banned word is not suspect', () => {
    expect(m.find('可疑', 'banned')).toBeUndefined();
    expect(m.find('可 疑', 'suspect')).toBe('可疑');
    expect(m.find('禁词', 'suspect')).toBeUndefined();
  });

  it('returns the word as it was listed when several are listed', () => {
    const many = compileWords(list([['甲乙', 'banned'], ['丙丁', 'banned'], ['Foo', 'banned']]));
    expect(many.find('xx丙 丁xx', 'banned')).toBe('丙丁');
    expect(many.find('FOO!', 'banned')).toBe('Foo');
  });

  it('treats regular-expression characters in a listed word literally', () => {
    const re = compileWords(list([['a+b', 'banned'], ['(x)', 'banned']]));
    expect(re.find('aaab', 'banned')).toBeUndefined();
    expect(re.find('a b', 'banned')).toBe('a+b');
    expect(re.find('x', 'banned')).toBe('(x)');
  });

  it('ignores an entry made only of punctuation and matches nothing with an empty list', () => {
    expect(compileWords(list([['!!!', 'banned']])).find('!!!', 'banned')).toBeUndefined();
    expect(compileWords([]).find('禁词', 'banned')).toBeUndefined();
  });

  it('normalizes text to NFKC lower case', () => {
    expect(normalizeForMatch('ＡＢＣ１２３')).toBe('abc123');
    expect(normalizeForMatch('ｶﾀｶﾅ')).toBe('カタカナ');
  });
});
