// Owns what every format reader yields: threads and posts of another comment system, unconverted, and the
// error that names where a bad file went wrong.

export type PostState = 'ok' | 'deleted' | 'spam' | 'unapproved';

export interface SourceThread {
  kind: 'thread';
  /** The source's own id for the thread (posts name it). */
  key: string;
  /** The identifier the site gave the thread (Disqus identifier, WordPress slug, page key); may be empty. */
  identifier: string;
  url: string;
  title: string;
}

export interface SourcePost {
  kind: 'post';
  /** Unique within the format: becomes the import key `<format>:<key>`. */
  key: string;
  threadKey: string;
  parentKey: string | null;
  authorName: string;
  /** What identifies the author in the source (email, user id, or the name): hashed, never stored. */
  authorId: string;
  html: string;
  createdAt: number;
  ip: string | null;
  state: PostState;
  /** Where in the file, for messages: "line 12" or "<post dsq:id=\"5\">". */
  where: string;
}

export type SourceItem = SourceThread | SourcePost;

/** Streams the items of one file in file order, awaiting `emit` between them (backpressure). */
export type SourceReader = (file: string, emit: (item: SourceItem) => Promise<void> | void) => Promise<void>;

/** A file that cannot be imported: the message names the line or element. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** Milliseconds since the epoch, or an ImportFileError naming the field and where. */
export function parseTime(raw: string | number | undefined | null, field: string, where: string): number {
  const t = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() ? Date.parse(raw.trim()) : NaN;
  if (!Number.isFinite(t)) throw new ImportFileError(`${where}: ${field} "${String(raw ?? '')}" is not a date`);
  return t;
}

/** Longest text kept of one field: a body past this is cut (our own limit is far lower), bounding memory per post. */
export const FIELD_MAX = 200_000;
