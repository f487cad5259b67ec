// Outbound webhooks against a real local HTTP receiver: signatures the receiver verifies, the 企业微信/钉钉/飞书
// body shapes, retries on 500 and on a receiver that does not answer, the delivery log, send-a-test, and the
// refusal of loopback destinations unless an admin allows private addresses.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postComment, reader, TEST_SLUG, useTestServer, type TestServer } from './helpers/server';
import { signedIn, type ModAgent } from './helpers/moderation';

interface Hit {
  url: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
}

/** A receiver whose answer per request the test decides (status code, or 'hang' to never answer). */
async function startReceiver(answers: (number | 'hang')[] = []) {
  const hits: Hit[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      hits.push({ url: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) });
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') return void hanging.push(res);
      res.writeHead(answer, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    hits,
    close: async () => {
      hanging.forEach((r) => r.destroy());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The verification snippet from the README, as a receiver runs it. */
function verify(secret: string, h: Hit): boolean {
  const timestamp = String(h.headers['x-yilun-timestamp']);
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${h.raw}`).digest('hex');
  const given = String(h.headers['x-yilun-signature']);
  return given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

async function until(check: () => boolean | Promise<boolean>, s: TestServer, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await s.app.notify.worker.runOnce();
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('webhooks', () => {
  const s = useTestServer({ env: { NOTIFY_POLL_MS: '50', NOTIFY_RETRY_MS: '10', NOTIFY_ATTEMPTS: '3', WEBHOOK_TIMEOUT_MS: '300' } });
  let admin: ModAgent;
  const allowLoopback = () => admin.post('/api/admin/notify/settings', { webhooksAllowPrivate: true });

  beforeEach(async () => {
    admin = await signedIn(s, 'root', 'admin');
  });

  it('refuses a loopback destination unless private addresses are allowed, and refuses it at send time too', async () => {
    const rx = await startReceiver();
    try {
      const refused = await admin.post('/api/admin/webhooks', { url: rx.url, format: 'json', events: ['comment.created'] });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('webhook_destination_refused');
      for (const url of ['http://localhost:9/x', 'http://[::1]:9/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest']) {
        expect((await admin.post('/api/admin/webhooks', { url, format: 'json', events: ['comment.created'] })).status).toBe(422);
      }
      expect((await admin.post('/api/admin/webhooks', { url: 'ftp://example.com/x', format: 'json', events: ['comment.created'] })).status).toBe(400);
      // Saved while allowed, then the setting is turned off: the send is refused and not retried.
      expect((await allowLoopback()).status).toBe(200);
      const created = await admin.post('/api/admin/webhooks', { url: rx.url, format: 'json', events: ['comment.created'] });
      expect(created.status).toBe(201);
      await admin.post('/api/admin/notify/settings', { webhooksAllowPrivate: false });
      await postComment(reader(s), TEST_SLUG, { body: '一条评论' });
      await until(async () => (await s.store.notify.listDeliveries('webhook', 1))[0]?.status === 'failed', s);
      const log = (await admin.get('/api/admin/deliveries?channel=webhook')).body.deliveries;
      expect(log[0]).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('private or loopback') });
      expect(rx.hits).toHaveLength(0);
    } finally {
      await rx.close();
    }
  });

  it('posts comment events as signed JSON that the receiver verifies, with an idempotency key', async () => {
    const rx = await startReceiver();
    try {
      await allowLoopback();
      const created = await admin.post('/api/admin/webhooks', { url: rx.url, format: 'json', events: ['comment.created', 'comment.edited', 'comment.removed', 'comment.reported'] });
      const secret: string = created.body.secret;
      expect(created.body.webhook.secret).toBeUndefined();
      const a = reader(s);
      const c = await postComment(a, TEST_SLUG, { authorName: '甲', body: '原文' });
      await until(() => rx.hits.length === 1, s);
      await a.patch(`/api/comments/${c.body.comment.id}`, { body: '改过' });
      await until(() => rx.hits.length === 2, s);
      await reader(s).post(`/api/comments/${c.body.comment.id}/report`, { reason: 'spam' });
      await until(() => rx.hits.length === 3, s);
      await a.delete(`/api/comments/${c.body.comment.id}`);
      await until(() => rx.hits.length === 4, s);
      expect(rx.hits.map((h) => h.body.event)).toEqual(['comment.created', 'comment.edited', 'comment.reported', 'comment.removed']);
      for (const h of rx.hits) {
        expect(verify(secret, h)).toBe(true);
        expect(verify('wrong-secret-wrong-secret', h)).toBe(false);
        expect(h.headers['idempotency-key']).toBe(h.body.id);
        expect(h.headers['x-yilun-event']).toBe(h.body.event);
      }
      expect(rx.hits[0].body).toMatchObject({ event: 'comment.created', article: { slug: TEST_SLUG, title: '测试文章' }, comment: { id: c.body.comment.id, authorName: '甲', body: '原文' } });
      expect(rx.hits[0].raw).not.toMatch(/ipHash|ip_hash|@example/);
    } finally {
      await rx.close();
    }
  });

  it('speaks the 企业微信, 钉钉 and 飞书 group-bot body shapes, and sends a test on demand', async () => {
    const rx = await startReceiver();
    try {
      await allowLoopback();
      const secret = 'SECabcdefabcdefabcdefabcdef';
      for (const format of ['wecom', 'dingtalk', 'feishu']) {
        const r = await admin.post('/api/admin/webhooks', { url: `${rx.url}/${format}`, format, events: ['comment.created'], secret });
        expect(r.status).toBe(201);
      }
      await postComment(reader(s), TEST_SLUG, { authorName: '甲', body: '机器人看得到' });
      await until(() => rx.hits.length === 3, s);
      const by = (f: string) => rx.hits.find((h) => h.url.startsWith(`/hook/${f}`))!;
      expect(by('wecom').body).toEqual({ msgtype: 'text', text: { content: expect.stringContaining('机器人看得到') } });
      expect(by('dingtalk').body).toEqual({ msgtype: 'text', text: { content: expect.stringContaining('新评论') } });
      // 钉钉 加签: timestamp and sign in the query, sign = base64 HMAC-SHA256(secret, timestamp + "\n" + secret).
      const q = new URL(by('dingtalk').url, 'http://x').searchParams;
      expect(q.get('sign')).toBe(crypto.createHmac('sha256', secret).update(`${q.get('timestamp')}\n${secret}`).digest('base64'));
      const feishu = by('feishu').body;
      expect(feishu).toMatchObject({ msg_type: 'text', content: { text: expect.stringContaining('机器人看得到') } });
      expect(feishu.sign).toBe(crypto.createHmac('sha256', `${feishu.timestamp}\n${secret}`).update('').digest('base64'));

      const hooks = (await admin.get('/api/admin/webhooks')).body.webhooks;
      const test = await admin.post(`/api/admin/webhooks/${hooks[0].id}/test`, {});
      expect(test.status).toBe(202);
      await until(() => rx.hits.length === 4, s);
      expect(rx.hits[3].body.text.content).toContain('测试');
    } finally {
      await rx.close();
    }
  });

  it('retries after a 500 and after a receiver that does not answer, then marks failed after the last attempt', async () => {
    const rx = await startReceiver([500, 'hang', 200, 500, 500, 500]);
    try {
      await allowLoopback();
      const created = await admin.post('/api/admin/webhooks', { url: rx.url, format: 'json', events: ['comment.created'] });
      await postComment(reader(s), TEST_SLUG, { body: '第一条' });
      await until(() => rx.hits.length === 1, s);
      s.clock.advance(1000);
      await until(() => rx.hits.length === 2, s);
      s.clock.advance(1000);
      await until(async () => (await s.store.notify.listDeliveries('webhook', 1))[0].status === 'sent', s);
      expect(rx.hits).toHaveLength(3);
      expect(new Set(rx.hits.map((h) => h.body.id)).size).toBe(1);
      const log = (await admin.get('/api/admin/deliveries?channel=webhook')).body.deliveries;
      expect(log[0]).toMatchObject({ status: 'sent', attempts: 3, responseCode: 200 });

      await postComment(reader(s), TEST_SLUG, { body: '第二条' });
      await until(() => rx.hits.length === 4, s);
      s.clock.advance(1000);
      await until(() => rx.hits.length === 5, s);
      s.clock.advance(1000);
      await until(async () => (await s.store.notify.listDeliveries('webhook', 1))[0].status === 'failed', s);
      expect((await admin.get('/api/admin/deliveries?channel=webhook')).body.deliveries[0]).toMatchObject({ status: 'failed', attempts: 3, responseCode: 500, lastError: 'HTTP 500' });
      expect(created.status).toBe(201);
    } finally {
      await rx.close();
    }
  });

  it('keeps webhook configuration and the delivery log to admins', async () => {
    const mod = await signedIn(s, 'helper', 'moderator');
    expect((await mod.get('/api/admin/webhooks')).status).toBe(403);
    expect((await mod.post('/api/admin/webhooks', { url: 'https://example.com/x', format: 'json', events: ['comment.created'] })).status).toBe(403);
    expect((await mod.get('/api/admin/deliveries')).status).toBe(403);
    expect((await reader(s).get('/api/admin/notify')).status).toBe(401);
    expect((await mod.get('/api/admin/notify')).status).toBe(200);
  });
});
