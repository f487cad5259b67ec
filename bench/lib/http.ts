// Owns the bench's own HTTP calls (posts with a known send time, timed GETs) over a keep-alive agent.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface HttpResult {
  status: number;
  text: string;
  /** Wall-clock ms (performance.timeOrigin + now) just before the request was handed to the socket. */
  sentAt: number;
  /** Milliseconds from sending to the end of the response body (before it is decompressed). */
  ms: number;
  /** Content-Encoding of the answer (text is always decoded); bytes as received. */
  encoding?: string;
  bytes: number;
}

/** What Chromium sends on every request (a browser's article page and its API calls). */
export const BROWSER_HEADERS: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br, zstd' };

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  if (encoding === 'deflate') return zlib.inflateSync(body);
  return body;
}

/** Wall clock with sub-millisecond resolution, comparable across processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now();

/**
 * A GET on a kept-alive connection the server closed as idle (its keepAliveTimeout) fails with a reset before
 * anything was sent or done: it is tried once more on a fresh connection. Other methods are never retried.
 */
export async function request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  try {
    return await requestOnce(method, url, body, headers);
  } catch (err) {
    if (method !== 'GET' || !/socket hang up|ECONNRESET/.test((err as Error).message)) throw err;
    return requestOnce(method, url, body, headers);
  }
}

function requestOnce(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(url, {
      method,
      agent,
      headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...headers },
      timeout: 30_000,
    });
    let sentAt = 0;
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const ms = wallNow() - sentAt;
        const raw = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        resolve({ status: res.statusCode ?? 0, text: decode(raw, encoding).toString('utf8'), sentAt, ms, encoding, bytes: raw.length });
      });
    });
    sentAt = wallNow();
    req.end(payload);
  });
}

export const getJson = (url: string) => request('GET', url);

export function postComment(baseUrl: string, slug: string, authorName: string, body: string, origin?: string): Promise<HttpResult> {
  return request('POST', `${baseUrl}/api/articles/${slug}/comments`, { authorName, body }, origin ? { origin } : {});
}

/** n sequential GETs after a short warm-up; the latencies in ms. */
export async function timeGets(url: string, n: number, warmup = 10): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await expectOk(await request('GET', url), url);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await request('GET', url);
    expectOk(r, url);
    out.push(r.ms);
  }
  return out;
}

function expectOk(r: HttpResult, what: string): HttpResult {
  if (r.status !== 200) throw new Error(`GET ${what} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r;
}
