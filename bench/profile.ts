// Owns the profile summary command: `node dist/bench/profile.js <file.cpuprofile | dir>... [--top=N]`.
import fs from 'node:fs';
import { formatProfile, profilesIn, summarizeProfile } from './lib/profile';
import { ROOT } from './lib/procs';

const args = process.argv.slice(2);
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
const files = args.filter((a) => !a.startsWith('--')).flatMap((a) => (fs.statSync(a).isDirectory() ? profilesIn(a) : [a]));
if (files.length === 0) {
  process.stderr.write('usage: node dist/bench/profile.js <file.cpuprofile | directory>... [--top=N]\n');
  process.exit(2);
}
for (const f of files) process.stdout.write(formatProfile(summarizeProfile(f, ROOT, top)) + '\n\n');
