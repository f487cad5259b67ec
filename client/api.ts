// Owns talking to the JSON API: same-origin fetch, errors surfaced as ApiError with the server's code and message.
import type { ErrorBody } from './types.js';

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly body: ErrorBody) {
    super(body.message);
  }
}

/** The request never reached the server (offline, DNS, a dropped connection): nothing was changed. */
export class NetworkError extends Error {}

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) throw new NetworkError('offline');
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((err: unknown) => {
    throw new NetworkError(err instanceof Error ? err.message : 'network');
  });
  const data = (await res.json().catch(() => null)) as (T & { error?: ErrorBody }) | null;
  if (!res.ok) throw new ApiError(res.status, data?.error ?? { code: 'http_' + res.status, message: res.statusText || 'error' });
  return data as T;
}

/** A readable message from an error, listing field problems when the server named them. */
export function describeError(err: unknown, fallback: string, offline?: string): string {
  if (err instanceof NetworkError && offline) return offline;
  if (err instanceof ApiError) {
    const d = err.body.details;
    if (err.body.code === 'invalid_input' && Array.isArray(d)) return d.map((x: { message?: string }) => x.message).filter(Boolean).join(' ') || err.message;
    return err.message;
  }
  return fallback;
}
