// Owns which sites may embed threads: the origin -> site lookup behind CORS and the socket handshake
// (cached briefly, so every node sees console edits within seconds), and the EMBED_ORIGINS bootstrap.
import type { Site, Store } from '../db/store';
import type { Maybe } from '../shared/maybe';

/** How long a node trusts its copy of the sites table; console edits reach every node within this. */
const CACHE_MS = 5000;

export interface SiteRegistry {
  /** The site whose allowed origins hold this exact origin: at once while the cached list is fresh (every handshake asks). */
  forOrigin(origin: string | undefined): Maybe<Site | undefined>;
  /** Drops the cached copy (after an edit on this node). */
  invalidate(): void;
}

export function createSiteRegistry(store: Store, now: () => number = Date.now): SiteRegistry {
  let cached: { at: number; byOrigin: Map<string, Site> } | undefined;
  let loading: Promise<Map<string, Site>> | undefined;
  const load = async () => {
    const byOrigin = new Map<string, Site>();
    for (const site of await store.embed.listSites()) for (const o of site.origins) if (!byOrigin.has(o)) byOrigin.set(o, site);
    cached = { at: now(), byOrigin };
    return byOrigin;
  };
  return {
    // Only an origin exactly as a site lists it matches (the table holds origins in their canonical form):
    // a lookup by the header as sent, no URL parse per handshake.
    forOrigin(origin) {
      if (!origin) return undefined;
      if (cached && now() - cached.at < CACHE_MS) return cached.byOrigin.get(origin);
      return (loading ??= load().finally(() => (loading = undefined))).then((map) => map.get(origin));
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/** EMBED_ORIGINS: creates the default site with these origins when no site exists yet (as ADMIN_USER does). */
export async function ensureDefaultSite(store: Store, origins: readonly string[], at: number): Promise<Site | undefined> {
  if (!origins.length || (await store.embed.listSites()).length) return undefined;
  return store.embed.createSite({ name: 'default', origins: [...origins], moderationMode: null, ssoSecret: null, ssoRequired: false, loginUrl: null }, at);
}
