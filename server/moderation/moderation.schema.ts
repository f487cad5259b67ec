// Owns validation at the edge for the moderation API.
import { z } from 'zod';
import { normalizeName } from '../comments/comments.schema';
import { msg } from '../i18n/messages';
import { REACTION_KINDS } from '../db/moderation.types';
import { SLOW_MODE_MAX_SECONDS } from '../heat/slow-mode';

const reason = z.string().max(500, { error: () => msg('reason_too_long', { max: 500 }) }).transform(normalizeName).optional();
const ids = z.array(z.number().int().positive(), { error: () => msg('ids_not_array') }).min(1).max(200);

const usernameRequired = { error: () => msg('username_required') };
const passwordRequired = { error: () => msg('password_required') };

export const loginSchema = z.object({
  username: z.string(usernameRequired).min(1, usernameRequired).max(64),
  password: z.string(passwordRequired).min(1, passwordRequired).max(256),
});

export const actionSchema = z.strictObject({ reason }, { error: () => msg('body_not_object') });

export const bulkSchema = z.strictObject({
  ids,
  action: z.enum(['approve', 'reject'], { error: () => msg('bulk_action_invalid') }),
  reason,
});

export const banSchema = z.strictObject({
  commentId: z.number().int().positive(),
  scope: z.enum(['author', 'network', 'both']).default('author'),
  reason: z.string().min(1, { error: () => msg('ban_reason_required') }).max(500).transform(normalizeName),
  durationMinutes: z.number().int().min(1).max(60 * 24 * 365 * 10).optional(),
  removeComments: z.boolean().default(false),
});

export const articleSettingsSchema = z
  .strictObject({
    moderationMode: z.enum(['post', 'pre']).nullable().optional(),
    commentsClosed: z.boolean().optional(),
    slowModeSeconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS).optional(),
  })
  .refine((v) => v.moderationMode !== undefined || v.commentsClosed !== undefined || v.slowModeSeconds !== undefined, { error: () => msg('no_setting_changes') });

export const siteSettingsSchema = z
  .strictObject({
    moderationMode: z.enum(['post', 'pre']).optional(),
    linkLimit: z.number().int().min(0).max(100).optional(),
    reportThreshold: z.number().int().min(1).max(1000).optional(),
    holdFirstLink: z.boolean().optional(),
    duplicateWindowMinutes: z.number().int().min(0).max(24 * 60).optional(),
    reactionSet: z.array(z.enum(REACTION_KINDS)).min(1).max(REACTION_KINDS.length).optional(),
    heatCommentsPerMinute: z.number().int().min(1).max(10_000).optional(),
    heatOpenReports: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: () => msg('no_setting_changes') });

export const wordSchema = z.strictObject({
  word: z.string().min(1).max(100),
  kind: z.enum(['banned', 'suspect'], { error: () => msg('word_kind_invalid') }),
});

export const queueQuerySchema = z.object({
  queue: z.enum(['pending', 'reported', 'published', 'rejected']).default('pending'),
  article: z.string().max(100).optional(),
  cursor: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const idsQuerySchema = z.object({
  ids: z
    .string()
    .regex(/^\d{1,15}(,\d{1,15}){0,199}$/, { error: () => msg('ids_not_list') })
    .transform((s) => s.split(',').map(Number)),
});

export const createModeratorSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  role: z.enum(['admin', 'moderator']).default('moderator'),
});

export const updateModeratorSchema = z
  .strictObject({
    role: z.enum(['admin', 'moderator']).optional(),
    disabled: z.boolean().optional(),
    password: z.string().min(1).max(256).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: () => msg('no_changes') });

export const passwordSchema = z.strictObject({ current: z.string().min(1).max(256), next: z.string().min(1).max(256) });
