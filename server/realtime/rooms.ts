// Owns room names: one room per article, one per author per article (their own view), one for moderators.
export const articleRoom = (articleId: number) => `art:${articleId}`;
export const authorRoom = (articleId: number, authorId: number) => `art:${articleId}:author:${authorId}`;
/** Every open page of one author, whatever article it shows (reply notifications). */
export const readerRoom = (authorId: number) => `reader:${authorId}`;
export const MODERATION_NAMESPACE = '/moderation';
export const moderatorRoom = (moderatorId: number) => `moderator:${moderatorId}`;
export const moderatorSessionRoom = (tokenHash: string) => `modsession:${tokenHash}`;
/** Watchers of a thread's count (<yilun-count>, an embedded page before its first comment), by slug. */
export const watchRoom = (slug: string) => `watch:${slug}`;
