// Owns the embed's talk with Yilun from another origin: CORS fetches without cookies, the author token kept
// in the host origin's storage and sent as a bearer credential, the site's SSO token passed on as given.
import { ApiError, NetworkError } from '../api.js';

/** Where the reader's author token lives (host origin's localStorage; memory when storage is blocked). */
const memory = new Map<string, string>();

export class EmbedClient {
  private readonly key: string;

  constructor(readonly base: string, public sso: string | null) {
    this.key = `yilun-token:${base}`;
  }

  get token(): string | null {
    try {
      return localStorage.getItem(this.key);
    } catch {
      return memory.get(this.key) ?? null;
    }
  }

  set token(t: string | null) {
    try {
      if (t) localStorage.setItem(this.key, t);
    } catch {
      if (t) memory.set(this.key, t);
    }
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = this.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (this.sso) headers['Yilun-SSO'] = this.sso;
    const res = await fetch(this.base + path, { method, headers, credentials: 'omit', mode: 'cors', body: body === undefined ? undefined : JSON.stringify(body) }).catch((err: unknown) => {
      throw new NetworkError(err instanceof Error ? err.message : 'network');
    });
    const data = (await res.json().catch(() => null)) as (T & { error?: ApiError['body']; token?: string }) | null;
    if (!res.ok) throw new ApiError(res.status, data?.error ?? { code: `http_${res.status}`, message: res.statusText || 'error' });
    // The first action of a reader without identity returns their new token: kept, never put in a URL.
    if (data?.token) this.token = data.token;
    return data as T;
  }
}
