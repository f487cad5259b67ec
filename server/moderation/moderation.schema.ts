// Owns validation at the edge for the moderation API.
import { z } from 'zod';
import { normalizeName } from '../comments/comments.schema';

const reason = z.string().max(500, { error: '原因最多 500 个字符。' }).transform(normalizeName).optional();
const ids = z.array(z.number().int().positive(), { error: 'ids 必须是评论编号数组。' }).min(1).max(200);

export const loginSchema = z.object({
  username: z.string({ error: '请输入用户名。' }).min(1, { error: '请输入用户名。' }).max(64),
  password: z.string({ error: '请输入密码。' }).min(1, { error: '请输入密码。' }).max(256),
});

export const actionSchema = z.strictObject({ reason }, { error: '请求体必须是 JSON 对象。' });

export const bulkSchema = z.strictObject({
  ids,
  action: z.enum(['approve', 'reject'], { error: 'action 必须是 approve 或 reject。' }),
  reason,
});

export const banSchema = z.strictObject({
  commentId: z.number().int().positive(),
  scope: z.enum(['author', 'network', 'both']).default('author'),
  reason: z.string().min(1, { error: '请填写封禁原因。' }).max(500).transform(normalizeName),
  durationMinutes: z.number().int().min(1).max(60 * 24 * 365 * 10).optional(),
  removeComments: z.boolean().default(false),
});

export const articleSettingsSchema = z
  .strictObject({
    moderationMode: z.enum(['post', 'pre']).nullable().optional(),
    commentsClosed: z.boolean().optional(),
  })
  .refine((v) => v.moderationMode !== undefined || v.commentsClosed !== undefined, { error: '没有要修改的设置。' });

export const siteSettingsSchema = z
  .strictObject({
    moderationMode: z.enum(['post', 'pre']).optional(),
    linkLimit: z.number().int().min(0).max(100).optional(),
    reportThreshold: z.number().int().min(1).max(1000).optional(),
    holdFirstLink: z.boolean().optional(),
    duplicateWindowMinutes: z.number().int().min(0).max(24 * 60).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的设置。' });

export const wordSchema = z.strictObject({
  word: z.string().min(1).max(100),
  kind: z.enum(['banned', 'suspect'], { error: 'kind 必须是 banned 或 suspect。' }),
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
    .regex(/^\d{1,15}(,\d{1,15}){0,199}$/, { error: 'ids 必须是逗号分隔的编号。' })
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
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的内容。' });

export const passwordSchema = z.strictObject({ current: z.string().min(1).max(256), next: z.string().min(1).max(256) });
