// The console's import upload: admins only, same-origin only, size-limited, running the same importer as the CLI.
import fs from 'node:fs';
import request from 'supertest';
import { useTestServer } from './helpers/server';
import { signedIn } from './helpers/moderation';
import { countProblems, fixture } from './helpers/transfer';
import { IMPORT_UPLOAD_MAX_BYTES } from '../server/transfer/import.routes';

describe('import upload in the console', () => {
  const s = useTestServer();
  const upload = (agent: { agent: request.Agent }, query: string, body: Buffer | string, origin = s.origin) =>
    agent.agent.post(`/api/admin/import?${query}`).set('Origin', origin).set('Content-Type', 'application/octet-stream').send(body);
  const comments = () => s.db.prepare('SELECT COUNT(*) FROM comments').pluck().get() as number;

  it('checks first with a dry run, then imports; a second upload adds nothing', async () => {
    const admin = await signedIn(s, 'boss', 'admin');
    const file = fs.readFileSync(fixture('disqus.xml'));
    const dry = await upload(admin, 'format=disqus&dryRun=1', file).expect(200);
    expect(dry.body.summary).toMatchObject({ dryRun: true, imported: 7, orphans: 2 });
    expect(comments()).toBe(0);
    const real = await upload(admin, 'format=disqus', file).expect(200);
    expect(real.body.summary).toMatchObject({ dryRun: false, imported: 7, articlesCreated: 2 });
    const again = await upload(admin, 'format=disqus&rejected=skip', file).expect(200);
    expect(again.body.summary).toMatchObject({ imported: 0, existing: 7 });
    expect(comments()).toBe(7);
    expect(countProblems(s.db)).toEqual([]);
  });

  it('answers 422 naming the problem for a bad file, and 400 for a bad format or no file, changing nothing', async () => {
    const admin = await signedIn(s, 'boss', 'admin');
    const bad = await upload(admin, 'format=disqus', fs.readFileSync(fixture('disqus.xml')).subarray(0, 2500)).expect(422);
    expect(bad.body.error.code).toBe('import_file_invalid');
    expect(bad.body.error.message).toMatch(/line \d+/);
    expect((await upload(admin, 'format=myspace', 'x').expect(400)).body.error.code).toBe('invalid_input');
    expect((await upload(admin, 'format=disqus', '').expect(400)).body.error.code).toBe('import_file_empty');
    expect(comments()).toBe(0);
  });

  it('refuses moderators, strangers, other origins and oversized files', async () => {
    const mod = await signedIn(s, 'helper', 'moderator');
    const file = fs.readFileSync(fixture('disqus.xml'));
    expect((await upload(mod, 'format=disqus', file).expect(403)).body.error.code).toBe('forbidden');
    await request(s.url).post('/api/admin/import?format=disqus').set('Origin', s.origin).send(file).expect(401);
    const admin = await signedIn(s, 'boss', 'admin');
    await upload(admin, 'format=disqus', file, 'https://evil.example').expect(403);
    const big = await upload(admin, 'format=disqus', Buffer.alloc(IMPORT_UPLOAD_MAX_BYTES + 1, 0x20)).expect(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect(comments()).toBe(0);
  });

  it('shows the form to admins only', async () => {
    const admin = await signedIn(s, 'boss', 'admin');
    expect((await admin.get('/admin').expect(200)).text).toContain('id="import-form"');
    const mod = await signedIn(s, 'helper', 'moderator');
    expect((await mod.get('/admin').expect(200)).text).not.toContain('id="import-form"');
  });
});
