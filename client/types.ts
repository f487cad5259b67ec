// Owns the client's view of the server's JSON (mirrors server/comments/comments.view.ts).
export interface CommentJson {
  id: number;
  parentId: number | null;
  rootId: number | null;
  depth: number;
  authorName: string;
  replyToName: string | null;
  body: string;
  html: string;
  createdAt: string;
  editedAt: string | null;
  likes: number;
  replyCount: number;
  status: 'published' | 'pending' | 'deleted' | 'removed';
  pinned: boolean;
  mine: boolean;
  liked: boolean;
  editableUntil: string | null;
  replies?: CommentJson[];
}

export interface PageData {
  slug: string;
  seq: number;
  sort: 'newest' | 'oldest' | 'top';
  nextCursor: string | null;
  commentCount: number;
  commentsClosed: boolean;
  hasIdentity: boolean;
  nest: number;
  tz: number;
  strings: Record<string, string>;
  comments: CommentJson[];
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export interface CommentEvent {
  seq: number;
  article: string;
  id: number;
  count: number;
  comment: CommentJson | null;
}
