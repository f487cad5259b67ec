// Owns validation at the edge for comment input (HTTP and socket alike): types, presence and the
// documented normalization. Business limits (5,000 characters, 40-character names) are moderation rules.
import { z } from 'zod';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import type { SortOrder } from '../db/store';

/**
 * Hard ceiling before anything else, so a giant string is refused unread (400). Normalization, the only work
 * done on a longer text than the business limit allows, is linear; the services then apply the length rules
 * (422) before any other processing. 4x the 5,000-character limit leaves room for CRLF line ends and
 * astral characters (two UTF-16 units each), since the limit counts characters after normalization.
 */
const HARD_MAX = 20_000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Body normalization: NFC, CRLF/CR to LF, tabs kept, other control characters (C0 except tab and newline,
 * DEL, C1) removed, outer blank space trimmed. Self-contained: the compose box's preview runs its source.
 */
export function normalizeBody(s: string): string {
  // trim() removes exactly what /^\s+|\s+$/ would, without the regex's quadratic retries on inner runs of spaces.
  return s.normalize('NFC').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '').trim();
}

// Invisible characters that let a name pass for another ("\u202Enimda" shows as "admin"): bidi controls and
// marks, zero-width characters, the BOM and every other format character (Cf), plus the invisible fillers
// (combining grapheme joiner, Hangul fillers, Khmer inherent vowels) that render as nothing.
const INVISIBLE = /[\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u3164\uFFA0]/gu;

/**
 * Name normalization: NFC, every control character and line break made a space, invisible format
 * characters removed, runs of white space made one space, trimmed.
 */
export function normalizeName(s: string): string {
  return s
    .normalize('NFC')
    .replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ')
    .replace(INVISIBLE, '')
    .replace(/[\s\u2028\u2029]+/g, ' ')
    .trim();
}

// Messages are made when a refusal happens (error: () => ...), so they read in that request's language.
const text = (label: 'label_author_name' | 'label_body', normalize: (s: string) => string) =>
  z
    .string({ error: () => msg('field_not_string', { field: msg(label) }) })
    .max(HARD_MAX, { error: () => msg('field_too_long', { field: msg(label) }) })
    .refine((s) => !LONE_SURROGATE.test(s), { error: () => msg('field_lone_surrogate', { field: msg(label) }) })
    .transform(normalize)
    .refine((s) => s.length > 0, { error: () => msg('field_empty', { field: msg(label) }) });

const positiveInt = { error: () => msg('field_positive_int') };
const id = z.number(positiveInt).int(positiveInt).positive(positiveInt);

export const postCommentSchema = z.strictObject(
  {
    authorName: text('label_author_name', normalizeName),
    body: text('label_body', normalizeBody),
    parentId: id.nullish(),
    /** Post with a staff badge: honoured only for a signed-in moderator (the route checks the session). */
    asStaff: z.literal(true, { error: () => msg('field_format_invalid') }).optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? msg('unknown_fields', { keys: iss.keys.join(', ') }) : msg('body_not_object')) },
);

export const editCommentSchema = z.strictObject({ body: text('label_body', normalizeBody) }, { error: () => msg('body_not_object') });

export const reportSchema = z.strictObject(
  {
    reason: z.enum(['spam', 'abuse', 'off_topic', 'other'], { error: () => msg('report_reason_invalid') }),
    note: z
      .string()
      .max(500, { error: () => msg('note_too_long', { max: 500 }) })
      .refine((s) => !LONE_SURROGATE.test(s), { error: () => msg('note_invalid') })
      .transform(normalizeName)
      .optional(),
  },
  { error: () => msg('body_not_object') },
);

export const listQuerySchema = z.object({
  sort: z.enum(['newest', 'oldest', 'top'], { error: () => msg('sort_invalid') }).default('newest'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number({ error: () => msg('limit_invalid') }).int().min(1).max(50).default(20),
});

export interface FieldProblem {
  field: string;
  message: string;
}

/** Parses or throws 400 invalid_input listing every failing field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details: FieldProblem[] = r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  throw new AppError('invalid_input', 400, msg('invalid_input', { problems: details.map((d) => `${d.field} ${d.message}`).join(msg('problem_separator')) }), details);
}

export function parseId(raw: unknown): number {
  const n = typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new AppError('invalid_input', 400, msg('invalid_comment_id'), [{ field: 'id', message: msg('field_positive_int') }]);
  return n;
}

export interface Cursor {
  sort: SortOrder;
  id: number;
  likes?: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c.likes === undefined ? [c.sort, c.id] : [c.sort, c.id, c.likes])).toString('base64url');
}

/** A cursor only makes sense for the sort it was made for. */
export function decodeCursor(raw: string, sort: SortOrder): Cursor {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v[0] === sort && Number.isSafeInteger(v[1]) && v[1] >= 0) {
      if (sort !== 'top') return { sort, id: v[1] };
      if (Number.isSafeInteger(v[2]) && v[2] >= 0) return { sort, id: v[1], likes: v[2] };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid_cursor', 400, msg('invalid_cursor'), [{ field: 'cursor', message: msg('field_invalid_cursor') }]);
}
