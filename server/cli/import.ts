// Owns `npm run import -- --from FORMAT FILE [--dry-run] [--rejected=skip|import]`: comments from another
// system (or a Yilun export) into the configured database.
import { loadConfig } from '../config';
import { closeDb } from '../db/open';
import { openStore } from '../db/bootstrap';
import { createIpHasher } from '../security/ip';
import { loadSecrets } from '../security/secrets';
import { FORMATS, importFile } from '../transfer/import.service';
import { restoreFile } from '../transfer/export.service';
import { createProgress, formatSummary } from '../transfer/progress';
import { ImportFileError } from '../transfer/source';

const USAGE = `usage: npm run import -- --from FORMAT FILE [--dry-run] [--rejected=skip|import]
  FORMAT: ${Object.keys(FORMATS).join(', ')}, yilun (a file written by npm run export)
  --dry-run          read and check the whole file, write nothing
  --rejected=import  keep deleted, spam and unapproved posts as rejected comments (default: skip them)
`;

interface Args {
  format: string;
  file: string;
  dryRun: boolean;
  rejected: 'skip' | 'import';
}

function parseArgs(argv: string[]): Args | null {
  let format = '';
  let dryRun = false;
  let rejected: 'skip' | 'import' = 'skip';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--from') format = argv[++i] ?? '';
    else if (a.startsWith('--from=')) format = a.slice(7);
    else if (a === '--dry-run') dryRun = true;
    else if (a === '--rejected=skip' || a === '--rejected=import') rejected = a.slice(11) as 'skip' | 'import';
    else if (a.startsWith('-')) return null;
    else files.push(a);
  }
  if (!format || files.length !== 1 || (format !== 'yilun' && !FORMATS[format])) return null;
  return { format, file: files[0], dryRun, rejected };
}

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(process.env);
  const { db, store } = openStore(config, { init: config.init });
  const progress = createProgress(process.stderr);
  try {
    if (args.format === 'yilun') {
      const r = await restoreFile(store, args.file, { dryRun: args.dryRun, progress: (n) => progress.update('write', n) });
      progress.stop();
      const rows = Object.entries(r.rows).map(([t, n]) => `${t} ${n}`).join(', ');
      process.stdout.write(`${r.dryRun ? 'dry run (nothing written): would restore' : 'restored'}: ${rows}\n`);
      return 0;
    }
    const secrets = loadSecrets(config.dataDir, { sessionSecret: config.sessionSecret, ipHashKey: config.ipHashKey });
    const summary = await importFile(store, {
      format: args.format,
      file: args.file,
      dryRun: args.dryRun,
      rejected: args.rejected,
      ipHash: createIpHasher(secrets.ipHashKey),
      progress: (phase, n) => progress.update(phase, n),
    });
    progress.stop();
    process.stdout.write(formatSummary(summary));
    return 0;
  } catch (err) {
    progress.stop();
    const why = err instanceof ImportFileError ? `${args.file}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`import stopped: ${why}\n${err instanceof ImportFileError ? 'nothing was written\n' : 'batches already written stay; running the same import again completes it\n'}`);
    return 1;
  } finally {
    await store.close().catch(() => undefined);
    closeDb(db);
  }
}

run(process.argv.slice(2)).then((code) => process.exit(code));
