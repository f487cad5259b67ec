// A crash between a reply's 201 and its mail delays the mail, never loses it: the server is killed with SIGKILL
// right after the reply was acknowledged (the SMTP server is down, so nothing can have left), then restarted on
// the same file with the SMTP server back: the reply mail arrives, exactly once.
import fs from 'node:fs';
import request from 'supertest';
import { SLUG, ensureBuilt, sleep, startServer, tempDir, type Running } from './harness';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp';

describe('notifications survive a crash', () => {
  let dataDir: string;
  let server: Running | undefined;
  let smtp: TestSmtp | undefined;
  beforeAll(ensureBuilt, 130_000);
  beforeEach(() => {
    dataDir = tempDir('notify');
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    await smtp?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers the reply mail after kill -9 and restart, exactly once', async () => {
    smtp = await startSmtp();
    const port = smtp.port;
    const env = { SMTP_URL: smtp.url, MAIL_FROM: 'Yilun <notify@yilun.test>', NOTIFY_POLL_MS: '100', NOTIFY_RETRY_MS: '100', NOTIFY_ATTEMPTS: '20' };
    server = await startServer(dataDir, env);
    const url = server.url;
    const agent = (u: string) => {
      const a = request.agent(u);
      return { post: (p: string, body: object) => a.post(p).set('Origin', u).send(body) };
    };
    const b = agent(url);
    const mine = await b.post(`/api/articles/${SLUG}/comments`, { authorName: '乙', body: '原评论' });
    expect(mine.status).toBe(201);
    expect((await b.post('/api/subscriptions', { email: 'b@example.com', scope: 'replies', article: SLUG })).status).toBe(202);
    const [confirm] = await smtp.waitFor(1, 10_000);
    const link = linkIn(confirm.text, '/subscriptions/confirm').replace(/^https?:\/\/[^/]+/, '');
    expect((await request(url).post(link).type('form').send('')).status).toBe(200);

    // The SMTP server goes away; the reply is acknowledged; the server dies at once.
    await smtp.close();
    smtp = undefined;
    const reply = await agent(url).post(`/api/articles/${SLUG}/comments`, { authorName: '甲', body: '崩溃前的回复', parentId: mine.body.comment.id });
    expect(reply.status).toBe(201);
    expect((await server.stop('SIGKILL')).signal).toBe('SIGKILL');

    smtp = await startSmtp(port);
    server = await startServer(dataDir, env);
    const mails = await smtp.waitFor(1, 15_000);
    expect(mails[0].text).toContain('崩溃前的回复');
    expect(mails[0].to).toEqual(['b@example.com']);
    // Several more worker passes: nothing is sent twice.
    await sleep(1500);
    expect(smtp.mails).toHaveLength(1);
  });
});
