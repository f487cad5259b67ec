// Owns resolving who acts, for HTTP and sockets alike: the author behind a token hash, from a hashed network.
import type { Actor } from '../deps';
import type { Store } from '../db/store';

/** An actor with a token: everyone who acts over HTTP (a fresh one if need be), and socket users with a cookie. */
export type TokenActor = Actor & { tokenHash: string };

export async function resolveActor(store: Store, tokenHash: string, ipHash: string): Promise<TokenActor> {
  const author = tokenHash ? await store.authors.getByTokenHash(tokenHash) : undefined;
  return author ? { authorId: author.id, tokenHash, ipHash, author } : { authorId: null, tokenHash, ipHash };
}
