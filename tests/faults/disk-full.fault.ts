// A full disk (a small tmpfs): posts answer 503 storage_full with Retry-After instead of 500, recover by
// themselves once space is freed, and SIGTERM while full still exits 0 with every acknowledged post kept.
// Needs root and permission to mount a tmpfs; otherwise the test is skipped with the reason logged.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { commentBodies, ensureBuilt, postComment, startServer, tempDir, type Running } from './harness';

function tryMount(dir: string): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `mount -t tmpfs failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}

/** Writes filler until the file system refuses (ENOSPC), to the last block. */
function fill(file: string): void {
  const fd = fs.openSync(file, 'a');
  try {
    for (const size of [65536, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

describe('a full disk', () => {
  let mountPoint: string;
  let skipped: string | undefined;
  let server: Running | undefined;
  beforeAll(() => {
    ensureBuilt();
    mountPoint = tempDir('full');
    skipped = tryMount(mountPoint);
    if (skipped) console.warn(`disk-full fault test skipped: ${skipped}`);
  }, 130_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (!skipped) execFileSync('umount', [mountPoint]);
    fs.rmSync(mountPoint, { recursive: true, force: true });
  });

  it('answers 503 storage_full while full, recovers when space is freed, and exits 0 on SIGTERM while full', async () => {
    if (skipped) return;
    const dataDir = path.join(mountPoint, 'data');
    const filler = path.join(mountPoint, 'filler');
    server = await startServer(dataDir);
    const acknowledged: string[] = [];
    const postUntilRefused = async (label: string) => {
      for (let i = 0; i < 2000; i++) {
        const body = `${label} ${i} ${'满'.repeat(1500)}`;
        const res = await postComment(server!.url, body);
        if (res.status === 201) acknowledged.push(body);
        else return res;
      }
      throw new Error('the disk never filled up');
    };

    expect((await postComment(server.url, '磁盘未满')).status).toBe(201);
    acknowledged.push('磁盘未满');
    fill(filler);
    const full = await postUntilRefused('填满');
    expect(full.status).toBe(503);
    expect(full.body.error.code).toBe('storage_full');
    expect(full.headers.get('retry-after')).toBeTruthy();
    // Still full: still refused, no 500.
    const again = await postComment(server.url, '仍然满着');
    expect([again.status, again.body.error?.code]).toEqual([503, 'storage_full']);

    fs.rmSync(filler);
    const recovered = await postComment(server.url, '腾出空间之后');
    expect(recovered.status).toBe(201);
    acknowledged.push('腾出空间之后');

    fill(filler);
    expect((await postUntilRefused('再次填满')).body.error.code).toBe('storage_full');
    const exit = await server.stop();
    const output = server.output();
    server = undefined;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/"msg":"stopped"/);
    // The final checkpoint could not grow the file: logged, not thrown; the data waits in the WAL.
    expect(output).toMatch(/final checkpoint failed/);
    expect(output).not.toMatch(/Uncaught|\n\s+at /);

    fs.rmSync(filler);
    const stored = new Set(commentBodies(path.join(dataDir, 'yilun.db')));
    expect(acknowledged.filter((b) => !stored.has(b))).toEqual([]);
  });
});
