// Owns the domain events services hand to the injected publish(); only realtime/publish.ts turns them into emits.
import type { Article, CommentChange } from './db/store';
import type { InboxEntry } from './notify/notify.view';
import type { ArticlePulse } from './heat/pulse';

export type DomainEvent =
  | { type: 'comment.changed'; article: Pick<Article, 'id' | 'slug'>; changes: CommentChange[]; commentCount: number }
  | { type: 'reaction.changed'; article: Pick<Article, 'id' | 'slug'>; seq: number; commentId: number; likes: number; authorId: number; liked: boolean }
  | { type: 'reactions.changed'; article: Pick<Article, 'id' | 'slug'>; seq: number; commentId: number; reactions: Record<string, number>; authorId: number; kind: string; on: boolean }
  | { type: 'article.changed'; article: Article; seq: number }
  /** A page thread's comments went into another thread of its site: its readers and count widgets move there. */
  | { type: 'thread.merged'; from: Pick<Article, 'id' | 'slug'>; into: Pick<Article, 'id' | 'slug'>; commentCount: number }
  | { type: 'comment.reported'; article: Pick<Article, 'id' | 'slug'>; commentId: number; reportCount: number }
  | { type: 'moderation.changed'; commentIds: number[] }
  /** The console's pulse (heat/pulse.ts) and an article that has just crossed a heat threshold. */
  | { type: 'heat.pulse'; pulse: { at: string; thresholds: { commentsPerMinute: number; openReports: number }; articles: ArticlePulse[] } }
  | { type: 'heat.alarm'; alarm: ArticlePulse & { at: string } }
  /** With tokenHash only that session's sockets end; without, every socket of the moderator. */
  | { type: 'moderator.signed_out'; moderatorId: number; tokenHash?: string }
  /** A reply to one of this author's comments reached their inbox (notify/): every open page of theirs hears it. */
  | { type: 'reply.received'; authorId: number; unread: number; reply: InboxEntry };

export type Publish = (event: DomainEvent) => void;
