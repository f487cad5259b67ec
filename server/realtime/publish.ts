// Owns turning domain events into Socket.IO emits: the only place that knows rooms and event names.
// Each payload is built once per audience; Socket.IO encodes a room broadcast once for all its sockets.
// Events carrying seqs leave in seq order per article (see sequencer.ts).
import type { Server } from 'socket.io';
import type { CommentEvent, SeqAdvanced, ThreadMerged } from '../../contracts/api';
import type { CommentChange } from '../db/store';
import type { DomainEvent, Publish } from '../events';
import { isPubliclyVisible } from '../comments/comments.writer';
import { toCommentJson, type CommentJson } from '../comments/comments.view';
import { articleRoom, authorRoom, watchRoom, moderatorRoom, moderatorSessionRoom, MODERATION_NAMESPACE, readerRoom } from './rooms';
import { createSequencer } from './sequencer';
import type { LocalWrites } from './local-writes';

/** How long an event waits for an earlier seq of its article that has not been published. */
export const SEQ_GAP_MS = 100;

/**
 * Where a handler emits. `heard` says whether anyone may listen in a room (or a whole namespace): with this
 * node's own adapter its rooms are the whole audience, and an empty one is skipped before any payload is built or
 * encoded (most articles, most of the time, have nobody reading live); with a cluster adapter (Redis) the other
 * nodes' sockets are not listed here, so every emit goes out.
 */
interface Out {
  io: Server;
  heard(room: string | null, nsp?: string): boolean;
}

type Handler<T extends DomainEvent['type']> = (out: Out, e: Extract<DomainEvent, { type: T }>) => void;

/** Event name for an audience: a visible published comment is created/updated; anything else leaves (or turns placeholder). */
function eventName(change: CommentChange, view: CommentJson | null): 'comment:created' | 'comment:updated' | 'comment:removed' {
  if (view === null || view.status === 'deleted' || view.status === 'removed' || view.status === 'hidden') return 'comment:removed';
  return change.type === 'created' ? 'comment:created' : 'comment:updated';
}

const commentChanged: Handler<'comment.changed'> = ({ io, heard }, e) => {
  const room = articleRoom(e.article.id);
  const readers = heard(room);
  for (const change of e.changes) {
    const c = change.comment;
    const own = authorRoom(e.article.id, c.authorId);
    const base = { seq: change.seq, article: e.article.slug, id: c.id, count: e.commentCount };
    if (readers) {
      const publicView = isPubliclyVisible(c) ? toCommentJson(c) : null;
      // Readers hear of a comment they never saw only when it becomes visible to them.
      if (publicView !== null || change.type === 'removed') {
        io.to(room).except(own).emit(eventName(change, publicView), { ...base, comment: publicView } satisfies CommentEvent);
      } else {
        // The seq still moved: readers learn there is nothing for them at it, so it is no gap to fetch again.
        io.to(room).except(own).emit('seq:advanced', { seq: change.seq, article: e.article.slug } satisfies SeqAdvanced);
      }
    }
    if (heard(own)) {
      const ownView = isPubliclyVisible(c) || c.status === 'pending' ? toCommentJson(c, { mine: true }) : null;
      io.to(own).emit(eventName(change, ownView), { ...base, comment: ownView } satisfies CommentEvent);
    }
  }
  if (heard(null, MODERATION_NAMESPACE)) io.of(MODERATION_NAMESPACE).emit('queue:changed', { ids: e.changes.map((ch) => ch.comment.id) });
  const watchers = watchRoom(e.article.slug);
  if (heard(watchers)) io.to(watchers).emit('count:updated', { article: e.article.slug, count: e.commentCount });
};

const reactionChanged: Handler<'reaction.changed'> = ({ io, heard }, e) => {
  const room = articleRoom(e.article.id);
  const own = authorRoom(e.article.id, e.authorId);
  if (!heard(room) && !heard(own)) return;
  const payload = { seq: e.seq, article: e.article.slug, commentId: e.commentId, likes: e.likes };
  io.to(room).except(own).emit('reaction:updated', payload);
  io.to(own).emit('reaction:updated', { ...payload, liked: e.liked });
};

/** Counts to the room; the reader who reacted (every tab of theirs) also hears which kind went on or off. */
const reactionsChanged: Handler<'reactions.changed'> = ({ io, heard }, e) => {
  const room = articleRoom(e.article.id);
  const own = authorRoom(e.article.id, e.authorId);
  if (!heard(room) && !heard(own)) return;
  const payload = { seq: e.seq, article: e.article.slug, commentId: e.commentId, reactions: e.reactions };
  io.to(room).except(own).emit('reactions:updated', payload);
  io.to(own).emit('reactions:updated', { ...payload, kind: e.kind, on: e.on });
};

const articleChanged: Handler<'article.changed'> = ({ io }, e) => {
  const a = e.article;
  const payload = { seq: e.seq, article: a.slug, commentsClosed: a.commentsClosed, commentCount: a.commentCount, moderationMode: a.moderationMode, slowModeSeconds: a.slowModeSeconds };
  io.to(articleRoom(a.id)).emit('article:updated', payload);
  io.of(MODERATION_NAMESPACE).emit('article:updated', payload);
};

/** Readers of the merged-away thread reload (their page now resolves to the target); counts follow the target. */
const threadMerged: Handler<'thread.merged'> = ({ io }, e) => {
  const payload = { article: e.from.slug, into: e.into.slug, count: e.commentCount } satisfies ThreadMerged;
  io.to(articleRoom(e.from.id)).to(watchRoom(e.from.slug)).emit('thread:merged', payload);
  io.to(watchRoom(e.into.slug)).emit('count:updated', { article: e.into.slug, count: e.commentCount });
};

const commentReported: Handler<'comment.reported'> = ({ io }, e) => {
  io.of(MODERATION_NAMESPACE).emit('queue:changed', { ids: [e.commentId] });
};

const moderationChanged: Handler<'moderation.changed'> = ({ io }, e) => {
  io.of(MODERATION_NAMESPACE).emit('queue:changed', { ids: e.commentIds });
};

const moderatorSignedOut: Handler<'moderator.signed_out'> = ({ io }, e) => {
  const room = e.tokenHash ? moderatorSessionRoom(e.tokenHash) : moderatorRoom(e.moderatorId);
  io.of(MODERATION_NAMESPACE).in(room).disconnectSockets(true);
};

const replyReceived: Handler<'reply.received'> = ({ io }, e) => {
  io.to(readerRoom(e.authorId)).emit('reply:received', { unread: e.unread, reply: e.reply });
};

const heatPulse: Handler<'heat.pulse'> = ({ io }, e) => {
  io.of(MODERATION_NAMESPACE).emit('heat:pulse', e.pulse);
};

const heatAlarm: Handler<'heat.alarm'> = ({ io }, e) => {
  io.of(MODERATION_NAMESPACE).emit('heat:alarm', e.alarm);
};

const HANDLERS: { [T in DomainEvent['type']]: Handler<T> } = {
  'comment.changed': commentChanged,
  'reaction.changed': reactionChanged,
  'reactions.changed': reactionsChanged,
  'article.changed': articleChanged,
  'thread.merged': threadMerged,
  'comment.reported': commentReported,
  'moderation.changed': moderationChanged,
  'moderator.signed_out': moderatorSignedOut,
  'reply.received': replyReceived,
  'heat.pulse': heatPulse,
  'heat.alarm': heatAlarm,
};

/** The article and seqs of an event that has a place in its article's sequence, or null. */
function sequenceOf(e: DomainEvent): { articleId: number; seqs: number[] } | null {
  switch (e.type) {
    case 'comment.changed':
      return e.changes.length ? { articleId: e.article.id, seqs: e.changes.map((c) => c.seq) } : null;
    case 'reaction.changed':
    case 'reactions.changed':
    case 'article.changed':
      return { articleId: e.article.id, seqs: [e.seq] };
    default:
      return null;
  }
}

/** What the publisher reports (ops/metrics.ts); optional so tests can build a bare publisher. */
export interface PublishMetrics {
  commentsPosted: { inc(n?: number): void };
  fanoutSeconds: { startTimer(labels: { event: string }): () => void };
  seqGaps?: { inc(labels: { outcome: 'foreign' | 'timeout' }): void };
}

/** With `local` (this node's writes in flight) a gap no local write can fill is skipped at once. */
export function createPublisher(io: Server, gapMs = SEQ_GAP_MS, metrics?: PublishMetrics, local?: LocalWrites, opts: { clustered?: boolean } = {}): Publish {
  const out: Out = {
    io,
    heard: opts.clustered
      ? () => true
      : (room, nsp = '/') => {
          const n = io.of(nsp);
          return room === null ? n.sockets.size > 0 : n.adapter.rooms.has(room);
        },
  };
  const emit = (e: DomainEvent) => {
    const end = metrics?.fanoutSeconds.startTimer({ event: e.type });
    (HANDLERS[e.type] as Handler<typeof e.type>)(out, e as never);
    end?.();
    if (metrics && e.type === 'comment.changed') {
      const created = e.changes.filter((c) => c.type === 'created').length;
      if (created) metrics.commentsPosted.inc(created);
    }
  };
  const sequencer = createSequencer(emit, { gapMs, local, onGap: (outcome) => metrics?.seqGaps?.inc({ outcome }) });
  return (e) => {
    const s = sequenceOf(e);
    if (s) sequencer.push(s.articleId, s.seqs, e);
    else emit(e);
  };
}

