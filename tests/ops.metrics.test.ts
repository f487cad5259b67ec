// Operations endpoints: /metrics closed unless METRICS_TOKEN is set and then only with it as a Bearer token;
// /readyz reports a Redis that does not answer; request lines carry an id and no address, header or query.
import request from 'supertest';
import { createLogger } from '../server/log';
import { loadConfig } from '../server/config';
import { connectSocket, emitAck, postComment, reader, startServer, TEST_SLUG } from './helpers/server';

const TOKEN = 'metrics-token-for-tests-0123456789';

describe('GET /metrics', () => {
  it('answers 404 when METRICS_TOKEN is not configured', async () => {
    const s = await startServer();
    try {
      expect((await request(s.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('answers 401 without the token or with a wrong one, and Prometheus text with it', async () => {
    const s = await startServer({ env: { METRICS_TOKEN: TOKEN }, realClock: true });
    try {
      expect((await request(s.url).get('/metrics')).status).toBe(401);
      expect((await request(s.url).get('/metrics').set('Authorization', 'Bearer wrong-token-wrong-token')).status).toBe(401);
      const sock = await connectSocket(s);
      expect((await emitAck(sock, 'join', { article: TEST_SLUG, since: 0 })).ok).toBe(true);
      expect((await postComment(reader(s), TEST_SLUG, { body: '计数' })).status).toBe(201);
      await request(s.url).get(`/api/articles/${TEST_SLUG}/comments`);
      const res = await request(s.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/yilun_http_request_duration_seconds_count\{method="GET",route="\/api\/articles\/:slug\/comments",status="200"\} 1/);
      expect(res.text).toMatch(/yilun_sockets_connected\{namespace="\/"\} 1/);
      expect(res.text).toMatch(/yilun_joins_total\{catchup="true"\} 1/);
      expect(res.text).toMatch(/yilun_comments_posted_total 1/);
      expect(res.text).toMatch(/yilun_broadcast_fanout_seconds_count\{event="comment.changed"\} 1/);
      expect(res.text).toMatch(/yilun_moderation_queue_size\{queue="pending"\} 0/);
      expect(res.text).toMatch(/yilun_event_loop_lag_seconds\{stat="p99"\}/);
    } finally {
      await s.close();
    }
  });

  it('refuses a METRICS_TOKEN shorter than 16 characters, a bad REDIS_URL or REDIS_PREFIX at start', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ REDIS_URL: 'http://user:pw@host' })).toThrow(/REDIS_URL must be a redis:\/\//);
    expect(() => loadConfig({ REDIS_URL: 'http://user:pw@host' })).not.toThrow(/pw/);
    expect(() => loadConfig({ REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
    expect(loadConfig({})).toMatchObject({ redisPrefix: 'yilun', redisUrl: undefined, metricsToken: undefined });
  });
});

describe('with REDIS_URL set and Redis not answering', () => {
  it('reports 503 redis_unavailable on /readyz, keeps /healthz up, and still serves with per-node limits', async () => {
    // Port 1 on loopback: nothing listens, connections are refused at once.
    const s = await startServer({ env: { REDIS_URL: 'redis://127.0.0.1:1', RATE_POST_ATTEMPT: '2/60' }, realClock: true });
    try {
      expect((await request(s.url).get('/healthz')).status).toBe(200);
      const ready = await request(s.url).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'redis_unavailable' });
      // The in-memory insurance limiter answers instead of Redis: requests neither hang nor pass unlimited.
      const r = reader(s);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await postComment(r, TEST_SLUG, { body: `第${i}条` })).status);
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await s.close();
    }
  });
});

describe('request log lines', () => {
  it('carry a request id (kept from a sane X-Request-Id) and no cookie, header, query or address', async () => {
    const lines: string[] = [];
    const s = await startServer({ log: createLogger('info', (l) => lines.push(l)), realClock: true });
    try {
      const res = await request(s.url).get(`/api/articles/${TEST_SLUG}/comments?cursor=SECRETQUERY`).set('X-Request-Id', 'req-12345678').set('Cookie', 'yl_author=SECRETCOOKIE');
      expect(res.headers['x-request-id']).toBe('req-12345678');
      const fresh = await request(s.url).get('/api/nothing-here').set('X-Request-Id', 'bad id with spaces');
      expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const line = lines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'req-12345678');
      expect(line).toMatchObject({ level: 'info', msg: 'request', route: '/api/articles/:slug/comments', req: { method: 'GET', path: `/api/articles/${TEST_SLUG}/comments` }, res: { status: 400 } });
      // Each key once: the route used to be bound at the start too, as "other", before any route had matched.
      const raw = lines.find((l) => l.includes('req-12345678') && l.includes('"msg":"request"'))!;
      expect(raw.match(/"route":/g)).toHaveLength(1);
      const missing = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.req?.path === '/api/nothing-here');
      expect(missing).toMatchObject({ route: 'other', res: { status: 404 } });
      const all = lines.join('\n');
      expect(all).not.toMatch(/SECRETQUERY|SECRETCOOKIE|127\.0\.0\.1|remoteAddress|user-agent/i);
    } finally {
      await s.close();
    }
  });
});
