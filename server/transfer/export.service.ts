// Owns Yilun's own export format (JSON lines: a header, then one stored row per line) and reading it back
// into an empty database. Moderators travel without their password hashes: set one with `npm run admin`.
import fs from 'node:fs';
import readline from 'node:readline';
import type { Store } from '../db/store';
import { EXPORT_TABLES, type ExportRow, type ExportTable } from '../db/transfer.types';
import { ImportFileError } from './source';

export const EXPORT_FORMAT = 'yilun';
export const EXPORT_VERSION = 1;
/** Stands in for a password hash that was not exported: it matches no password (verifyPassword refuses it). */
const NO_PASSWORD = '!';
const BATCH = 1000;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: number;
  /** The only field that differs between two exports of the same data. */
  exportedAt: string;
}

/** Writes every line; `out` is awaited so a slow disk holds the reading back. Returns rows written per table. */
export async function exportAll(store: Store, out: (line: string) => Promise<void>, now: number): Promise<Record<string, number>> {
  const header: ExportHeader = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date(now).toISOString() };
  await out(`${JSON.stringify(header)}\n`);
  const counts: Record<string, number> = Object.fromEntries(EXPORT_TABLES.map((t) => [t, 0]));
  for await (const { table, row } of store.transfer.exportRows()) {
    const r = table === 'moderators' ? withoutPassword(row) : row;
    await out(`${JSON.stringify({ table, row: r })}\n`);
    counts[table]++;
  }
  return counts;
}

function withoutPassword(row: ExportRow): ExportRow {
  const { password_hash: _dropped, ...rest } = row;
  return rest;
}

const TABLES = new Set<string>(EXPORT_TABLES);

/** One line of an export, checked; an ImportFileError names the line. */
function parseLine(text: string, line: number): { table: ExportTable; row: ExportRow } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ImportFileError(`line ${line}: not valid JSON (${(err as Error).message})`);
  }
  const o = v as { table?: unknown; row?: unknown };
  if (typeof o !== 'object' || o === null || typeof o.table !== 'string' || !TABLES.has(o.table)) {
    throw new ImportFileError(`line ${line}: expected {"table": one of ${EXPORT_TABLES.join(', ')}, "row": {...}}`);
  }
  if (typeof o.row !== 'object' || o.row === null || Array.isArray(o.row)) throw new ImportFileError(`line ${line}: "row" is not an object`);
  for (const [k, val] of Object.entries(o.row)) {
    if (!/^[a-z_]{1,40}$/.test(k)) throw new ImportFileError(`line ${line}: column name "${k}" is not valid`);
    if (val !== null && typeof val !== 'string' && typeof val !== 'number') throw new ImportFileError(`line ${line}: ${o.table}.${k} is neither text, number nor null`);
  }
  return { table: o.table as ExportTable, row: o.row as ExportRow };
}

async function* lines(file: string): AsyncIterable<{ line: number; text: string }> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim()) yield { line: n, text };
  }
}

export interface RestoreSummary {
  dryRun: boolean;
  rows: Record<string, number>;
}

/**
 * Reads an export back into an empty database, ids and counts as they were. The whole file is checked first, so
 * a bad file writes nothing; rows are then written in batches.
 */
export async function restoreFile(store: Store, file: string, opts: { dryRun?: boolean; progress?: (done: number) => void } = {}): Promise<RestoreSummary> {
  const rows: Record<string, number> = Object.fromEntries(EXPORT_TABLES.map((t) => [t, 0]));
  let first = true;
  let order = 0;
  for await (const { line, text } of lines(file)) {
    if (first) {
      first = false;
      let h: Partial<ExportHeader> | null = null;
      try {
        h = JSON.parse(text) as Partial<ExportHeader>;
      } catch {
        // reported below
      }
      if (!h || h.format !== EXPORT_FORMAT) throw new ImportFileError(`line ${line}: not a Yilun export (the first line must be {"format":"yilun",...})`);
      if (h.version !== EXPORT_VERSION) throw new ImportFileError(`line ${line}: export version ${String(h.version)}; this Yilun reads version ${EXPORT_VERSION}`);
      continue;
    }
    const { table } = parseLine(text, line);
    const at = EXPORT_TABLES.indexOf(table);
    if (at < order) throw new ImportFileError(`line ${line}: ${table} rows after ${EXPORT_TABLES[order]} rows (tables must come in export order)`);
    order = at;
    rows[table]++;
  }
  if (first) throw new ImportFileError('the file is empty');
  if (opts.dryRun) return { dryRun: true, rows };
  if (!(await store.transfer.isEmpty())) throw new ImportFileError('the database already has articles or comments; a Yilun export is restored into an empty database');
  let batch: { table: ExportTable; row: ExportRow }[] = [];
  let done = 0;
  let header = true;
  for await (const { line, text } of lines(file)) {
    if (header) {
      header = false;
      continue;
    }
    const r = parseLine(text, line);
    if (r.table === 'moderators' && r.row.password_hash === undefined) r.row = { ...r.row, password_hash: NO_PASSWORD };
    batch.push(r);
    if (batch.length >= BATCH) {
      await store.transfer.restoreRows(batch);
      done += batch.length;
      opts.progress?.(done);
      batch = [];
    }
  }
  if (batch.length) await store.transfer.restoreRows(batch);
  return { dryRun: false, rows };
}
