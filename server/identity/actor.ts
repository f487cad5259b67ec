// Owns resolving who acts, for HTTP and sockets alike: the author behind a token hash, from a hashed network.
import type { Actor } from '../deps';
import type { Store } from '../db/store';

export async function resolveActor(store: Store, tokenHash: string | null, ipHash: string | null): Promise<Actor> {
  const author = tokenHash ? await store.authors.getByTokenHash(tokenHash) : undefined;
  return { authorId: author?.id ?? null, tokenHash, ipHash };
}
