// Owns word-list matching that works for Chinese: NFKC (full/half width), case-folded, and blind to
// spaces, punctuation and invisible characters inserted between the characters of a listed word.
import type { Word, WordKind } from '../db/moderation.types';

// What an evader may put between the characters of a word: separators, punctuation, symbols, format chars.
const GAP = '[\\p{Z}\\p{P}\\p{S}\\p{Cc}\\p{Cf}_]*';
const ASCII_ALNUM = /^[a-z0-9]$/;

/** The canonical form of text and of list entries. */
export function normalizeForMatch(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** One listed word as a pattern; Latin words keep word boundaries so "ass" does not match "class". */
function wordPattern(word: string): string | null {
  const chars = [...normalizeForMatch(word)].filter((ch) => !/[\p{Z}\p{P}\p{S}\p{Cc}\p{Cf}_]/u.test(ch));
  if (chars.length === 0) return null;
  const body = chars.map(escapeRegExp).join(GAP);
  // Only Latin letters and digits extend a Latin word: Chinese runs straight into English ("你是ass吧").
  const head = ASCII_ALNUM.test(chars[0]) ? '(?<![\\p{Script=Latin}\\p{N}])' : '';
  const tail = ASCII_ALNUM.test(chars[chars.length - 1]) ? '(?![\\p{Script=Latin}\\p{N}])' : '';
  return head + body + tail;
}

export interface WordMatcher {
  /** The first listed word of this kind found in text, as it was listed. */
  find(text: string, kind: WordKind): string | undefined;
}

export function compileWords(words: Word[]): WordMatcher {
  const byKind = new Map<WordKind, { re: RegExp; words: string[] } | null>();
  for (const kind of ['banned', 'suspect'] as WordKind[]) {
    const listed = words.filter((w) => w.kind === kind);
    const kept: string[] = [];
    const groups: string[] = [];
    for (const w of listed) {
      const p = wordPattern(w.word);
      if (p === null) continue;
      kept.push(w.word);
      groups.push(`(${p})`);
    }
    byKind.set(kind, groups.length ? { re: new RegExp(groups.join('|'), 'u'), words: kept } : null);
  }
  return {
    find(text, kind) {
      const entry = byKind.get(kind);
      if (!entry) return undefined;
      const m = entry.re.exec(normalizeForMatch(text));
      if (!m) return undefined;
      const i = m.slice(1).findIndex((g) => g !== undefined);
      return entry.words[i];
    },
  };
}

export const emptyMatcher: WordMatcher = compileWords([]);
