// Owns streaming an XML file through saxes with backpressure: elements are collected per chunk and handed
// on, awaited, before the next chunk is read. Errors name the line and column.
import fs from 'node:fs';
import type { SaxesTagPlain } from 'saxes';
import { FIELD_MAX, ImportFileError } from '../source';

export interface XmlHandlers {
  /** path: element names from the root, this element last. */
  open(path: string[], tag: SaxesTagPlain): void;
  text(path: string[], text: string): void;
  close(path: string[]): void;
}

export async function streamXml(file: string, expectRoot: string, h: XmlHandlers, drain: () => Promise<void>): Promise<void> {
  // saxes is loaded on first use: only an XML import needs it.
  const { SaxesParser } = require('saxes') as typeof import('saxes');
  const parser = new SaxesParser({ xmlns: false });
  let sawRoot = false;
  const path: string[] = [];
  let failure: Error | undefined;
  const where = () => `line ${parser.line}, column ${parser.column}${path.length ? ` in <${path[path.length - 1]}>` : ''}`;
  parser.on('error', (e) => {
    const hint = sawRoot ? '' : ` (no <${expectRoot}> root element yet: wrong --from?)`;
    failure ??= new ImportFileError(`not well-formed XML at ${where()}: ${e.message.replace(/^(?:.*?:)?\d+:\d+: /, '')}${hint}`);
  });
  parser.on('opentag', (tag) => {
    if (path.length === 0) sawRoot = true;
    if (path.length === 0 && tag.name !== expectRoot) {
      failure ??= new ImportFileError(`line ${parser.line}: the root element is <${tag.name}>, expected <${expectRoot}> (wrong --from?)`);
    }
    path.push(tag.name);
    h.open(path, tag);
  });
  const onText = (t: string) => {
    if (path.length) h.text(path, t.length > FIELD_MAX ? t.slice(0, FIELD_MAX) : t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    h.close(path);
    path.pop();
  });
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  for await (const chunk of stream) {
    try {
      parser.write(chunk as string);
    } catch (err) {
      stream.destroy();
      // A handler refused an element: say where the parser was.
      if (err instanceof ImportFileError) throw new ImportFileError(`line ${parser.line}: ${err.message}`);
      throw err;
    }
    if (failure) {
      stream.destroy();
      throw failure;
    }
    await drain();
  }
  try {
    parser.close();
  } catch (err) {
    if (err instanceof ImportFileError) throw new ImportFileError(`line ${parser.line}: ${err.message}`);
    throw err;
  }
  if (failure) throw failure;
  if (!sawRoot) throw new ImportFileError(`no <${expectRoot}> element: the file is empty or not this format`);
  await drain();
}
