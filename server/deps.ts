// Owns the shape of what every service is handed: storage, the clock, publish, config and the moderation policy.
import type { Config } from './config';
import type { Store } from './db/store';
import type { Author } from './db/rows';
import type { Publish } from './events';
import type { Logger } from './log';
import type { ModerationPolicy } from './moderation/moderation.policy';
import type { LocalWrites } from './realtime/local-writes';

export interface Deps {
  store: Store;
  publish: Publish;
  now: () => number;
  config: Readonly<Config>;
  log: Logger;
  policy: ModerationPolicy;
  /** This node's seq-bumping writes in flight (realtime/local-writes.ts); absent in bare test deps. */
  writes?: LocalWrites;
}

/** Who is acting: an accountless author (maybe not yet created) seen from a network. */
export interface Actor {
  authorId: number | null;
  /** Hash of the author cookie's token; for a first post, the token about to be set. */
  tokenHash: string | null;
  /** Keyed hash of the client's network; never null, so no per-network check can skip itself. */
  ipHash: string;
  /** The author row read when the actor was resolved (its id is authorId): the rules need not read it again. */
  author?: Author;
}
