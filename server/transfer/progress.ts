// Owns telling an operator how an import goes: a progress bar with counts and rate on a terminal
// (cli-progress), a plain line now and then otherwise (logs, pipes), and the closing summary.
import cliProgress from 'cli-progress';
import type { ImportSummary } from './import.service';

export interface Progress {
  update(phase: string, done: number): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream): Progress {
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    let current = '';
    let start = Date.now();
    return {
      update(phase, done) {
        if (phase !== current) {
          bar?.stop();
          current = phase;
          start = Date.now();
          bar = new cliProgress.SingleBar(
            { format: `${phase.padEnd(6)} {value} posts | {rate}/s | {duration_formatted}`, stream, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(0, 0, { rate: 0 });
        }
        const secs = Math.max(0.001, (Date.now() - start) / 1000);
        bar!.setTotal(done);
        bar!.update(done, { rate: Math.round(done / secs) });
      },
      stop: () => bar?.stop(),
    };
  }
  let last = 0;
  let start = Date.now();
  let current = '';
  return {
    update(phase, done) {
      if (phase !== current) {
        current = phase;
        start = Date.now();
      }
      const t = Date.now();
      if (t - last < 2000) return;
      last = t;
      stream.write(`${phase}: ${done} posts (${Math.round(done / Math.max(0.001, (t - start) / 1000))}/s)\n`);
    },
    stop: () => undefined,
  };
}

export function formatSummary(s: ImportSummary): string {
  const skipped = Object.entries(s.skipped).filter(([, n]) => n > 0);
  const lines = [
    `${s.dryRun ? 'dry run (nothing written): ' : ''}${s.format}: ${s.threads} threads, ${s.posts} posts read`,
    `  ${s.dryRun ? 'would import' : 'imported'}: ${s.imported}${s.rejected ? ` (${s.rejected} as rejected)` : ''}`,
  ];
  if (!s.dryRun) lines.push(`  already imported earlier: ${s.existing}`, `  articles created: ${s.articlesCreated}`);
  lines.push(`  skipped: ${skipped.length ? skipped.map(([k, n]) => `${n} ${k}`).join(', ') : 'none'}`);
  lines.push(`  orphans (parent missing or skipped, imported as top-level): ${s.orphans}`);
  if (s.truncated) lines.push(`  bodies cut to 20,000 characters: ${s.truncated}`);
  return `${lines.join('\n')}\n`;
}
