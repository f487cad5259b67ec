// Owns `npm run export [-- FILE]`: everything Yilun stores, as JSON lines (README, "Import, export and feeds"),
// to FILE or standard output. Reads one snapshot, so it may run beside the server.
import fs from 'node:fs';
import { once } from 'node:events';
import { loadConfig } from '../config';
import { closeDb } from '../db/open';
import { openStore } from '../db/bootstrap';
import { exportAll } from '../transfer/export.service';

async function run(argv: string[]): Promise<number> {
  if (argv.length > 1 || argv[0]?.startsWith('-')) {
    process.stderr.write('usage: npm run export [-- FILE]\n  writes every article, comment, reaction, ban, audit entry, revision, setting and word as JSON lines\n');
    return 2;
  }
  const target = argv[0];
  if (target && fs.existsSync(target)) {
    process.stderr.write(`${target} already exists; choose a new file name\n`);
    return 1;
  }
  const config = loadConfig(process.env);
  const { db, store } = openStore(config, { init: config.init });
  const partial = target ? `${target}.partial-${process.pid}` : undefined;
  const out = partial ? fs.createWriteStream(partial) : process.stdout;
  try {
    const counts = await exportAll(
      store,
      async (line) => {
        if (!out.write(line)) await once(out, 'drain');
      },
      Date.now(),
    );
    if (partial) {
      await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
      fs.renameSync(partial, target!);
    }
    process.stderr.write(`exported ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}${target ? ` to ${target}` : ''}\n`);
    return 0;
  } catch (err) {
    if (partial) fs.rmSync(partial, { force: true });
    process.stderr.write(`export failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    closeDb(db);
  }
}

run(process.argv.slice(2)).then((code) => process.exit(code));
