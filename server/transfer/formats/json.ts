// Owns the JSON exports that are one document (Waline, Twikoo, Artalk): read whole up to a documented size,
// since their arrays are not line-delimited; and the gzipped JSON lines of Remark42, read line by line.
import fs from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { ImportFileError } from '../source';

/** Largest single-document JSON export read (the whole document is parsed in memory). */
export const JSON_DOCUMENT_MAX_BYTES = 64 * 1024 * 1024;

export async function readJsonDocument(file: string): Promise<unknown> {
  const size = (await fs.promises.stat(file)).size;
  if (size > JSON_DOCUMENT_MAX_BYTES) {
    throw new ImportFileError(`${file} is ${size} bytes; JSON document exports are read whole, up to ${JSON_DOCUMENT_MAX_BYTES} bytes`);
  }
  const text = await fs.promises.readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const at = m ? ` at line ${text.slice(0, Number(m[1])).split('\n').length}` : '';
    throw new ImportFileError(`not valid JSON${at}: ${(err as Error).message}`);
  }
}

/** Each non-empty line parsed; a gzip file (by its magic bytes) is unpacked on the way. */
export async function* readJsonLines(file: string): AsyncIterable<{ line: number; value: unknown }> {
  const head = Buffer.alloc(2);
  const fd = await fs.promises.open(file, 'r');
  await fd.read(head, 0, 2, 0);
  await fd.close();
  const raw = fs.createReadStream(file);
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const input = gz ? raw.pipe(zlib.createGunzip()) : raw;
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of lines) {
      n++;
      if (!text.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new ImportFileError(`line ${n}: not valid JSON (${(err as Error).message})`);
      }
      yield { line: n, value };
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError(`after line ${n}: ${gz ? 'the gzip data is damaged or truncated' : 'cannot read on'} (${(err as Error).message})`);
  } finally {
    raw.destroy();
  }
}

/** A string field, or '' (numbers turned to text: ids are sometimes numbers). */
export function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
