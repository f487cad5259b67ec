// Owns the Store interface: what the services may ask of storage. Promise-based so that the SQLite store
// (synchronous inside) and the PostgreSQL store (server/db/postgres/) stand side by side. Every type the
// Store speaks lives under server/db/ (rows.ts, moderation.types.ts, moderators.types.ts).
import type { ArticlesRepo, AuthorsRepo, CommentsRepo } from './rows';
import type { ModerationRepo } from './moderation.types';
import type { ModeratorsRepo } from './moderators.types';
import type { TransferRepo } from './transfer.types';
import type { NotifyRepo } from './notify.types';
import type { EmbedRepo } from './embed.types';

export * from './rows';
export type { ModerationRepo, ModeratorsRepo };
export type * from './embed.types';

/** Whether storage can take writes now: readiness (GET /readyz) answers 503 when it cannot. */
export type StoreHealth = { ok: true } | { ok: false; code: 'storage_busy' | 'storage_unavailable'; problem: string };

export interface Store {
  articles: ArticlesRepo;
  comments: CommentsRepo;
  authors: AuthorsRepo;
  moderation: ModerationRepo;
  moderators: ModeratorsRepo;
  transfer: TransferRepo;
  notify: NotifyRepo;
  embed: EmbedRepo;
  health(): Promise<StoreHealth>;
  /**
   * Takes (or renews) the lease `name` for ttlMs when no other node holds it: periodic jobs run where it
   * answers true. Always true on SQLite (one server per file); a row lease in PostgreSQL.
   */
  tryLease(name: string, ttlMs: number): Promise<boolean>;
  /** Answers every queued write, then closes (a failed final checkpoint is logged, not thrown). */
  close(): Promise<void>;
}
