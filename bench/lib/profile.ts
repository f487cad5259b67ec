// Owns reading V8 .cpuprofile files: self time per function and per module (package or source file).
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Share of samples the process was idle (waiting on I/O or timers). */
  idlePct: number;
  functions: SelfTime[];
  modules: SelfTime[];
  /** First-party functions (dist/server, dist/bench) by inclusive time (self plus everything they called), where the time goes by stage. */
  ownInclusive: SelfTime[];
}

function moduleOf(url: string, root: string): string {
  if (!url) return '(native / V8)';
  const file = url.replace(/^file:\/\//, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (nm) return nm[1];
  if (file.startsWith('node:')) return 'node:' + file.slice(5).split('/')[0];
  return path.relative(root, file);
}

export function summarizeProfile(file: string, root: string, top = 25): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  let total = 0;
  let idle = 0;
  const fns = new Map<string, SelfTime>();
  const mods = new Map<string, SelfTime>();
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    total += ms;
    if (f.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    const where = f.url ? `${moduleOf(f.url, root)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName}@${where}`;
    const e = fns.get(key) ?? { name: f.functionName || '(anonymous)', where, ms: 0, pct: 0 };
    e.ms += ms;
    fns.set(key, e);
    const mod = f.url ? moduleOf(f.url, root) : f.functionName.startsWith('(') ? f.functionName : '(native / V8)';
    const m = mods.get(mod) ?? { name: mod, where: '', ms: 0, pct: 0 };
    m.ms += ms;
    mods.set(mod, m);
  }
  const busy = total - idle;
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const own = new Map<string, SelfTime>();
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (!/\/dist\/(server|bench)\//.test(f.url)) continue;
      const where = `${moduleOf(f.url, root)}:${f.lineNumber + 1}`;
      const key = `${f.functionName}@${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const e = own.get(key) ?? { name: f.functionName || '(anonymous)', where, ms: 0, pct: 0 };
      e.ms += ms;
      own.set(key, e);
    }
  }
  const rank = (xs: Iterable<SelfTime>) =>
    [...xs]
      .map((x) => ({ ...x, pct: busy > 0 ? (100 * x.ms) / busy : 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return { file, totalMs: total, idlePct: total > 0 ? (100 * idle) / total : 0, functions: rank(fns.values()), modules: rank(mods.values()), ownInclusive: rank(own.values()) };
}

export function formatProfile(s: ProfileSummary): string {
  const lines = [`${path.basename(s.file)}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${s.idlePct.toFixed(0)}% idle; self time as % of busy time`];
  lines.push('  top functions:');
  for (const f of s.functions) lines.push(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}  ${f.where}`);
  lines.push('  by module:');
  for (const m of s.modules.slice(0, 15)) lines.push(`    ${m.pct.toFixed(1).padStart(5)}%  ${m.ms.toFixed(0).padStart(6)} ms  ${m.name}`);
  lines.push('  own code (dist/server, dist/bench) by inclusive time:');
  for (const f of s.ownInclusive.slice(0, 15)) lines.push(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

export function profilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
}
