// The moderation storage types live with the Store (server/db/moderation.types.ts); re-exported for the feature code.
export * from '../db/moderation.types';
