// Owns the public JSON shape of a comment (HTTP API, socket events and the page's templates alike).
import type { CommentJson, PublicStatus } from '../../contracts/api';
import type { CommentRow } from '../db/store';
import { parseCounts } from '../heat/heat.counts';

export const EDIT_WINDOW_MS = 15 * 60_000;

export type { CommentJson, PublicStatus };

export interface Perspective {
  mine?: boolean;
  liked?: boolean;
}

/** An https URL with nothing that could leave an attribute (the template escapes it as well). */
export const SAFE_AVATAR = /^https:\/\/[^\s"'<>]{1,500}$/;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * A deleted or removed comment keeps its place for its replies but shows none of its content; so does a
 * held one (status 'hidden') for everyone but its author, until a moderator decides.
 */
export function toCommentJson(c: CommentRow, p: Perspective = {}): CommentJson {
  const hidden = c.status === 'pending' && p.mine !== true;
  const gone = c.status === 'deleted' || c.status === 'rejected' || hidden;
  const mine = p.mine === true && !gone;
  return {
    id: c.id,
    parentId: c.parentId,
    rootId: c.rootId,
    depth: c.depth,
    authorName: gone ? '' : c.authorName,
    replyToName: c.replyToName,
    body: gone ? '' : c.body,
    html: gone ? '' : c.html,
    createdAt: iso(c.createdAt)!,
    editedAt: gone ? null : iso(c.editedAt),
    likes: gone ? 0 : c.likes,
    replyCount: c.replyCount,
    status: c.status === 'rejected' ? 'removed' : hidden ? 'hidden' : c.status,
    pinned: c.pinnedAt !== null && !gone,
    mine,
    liked: p.liked === true && !gone,
    editableUntil: mine && c.status !== 'deleted' ? iso(c.createdAt + EDIT_WINDOW_MS) : null,
    ...(c.staff && !gone ? { staff: c.staff } : {}),
    verified: c.verifiedSiteId != null && !gone,
    // Checked https when the SSO token was verified; checked again here, since it goes into an img src.
    ...(c.verifiedSiteId != null && !gone && c.verifiedAvatar && SAFE_AVATAR.test(c.verifiedAvatar) ? { avatar: c.verifiedAvatar } : {}),
    featured: c.featuredAt !== null && !gone,
    reactions: gone ? {} : parseCounts(c.reactionCounts),
  };
}
