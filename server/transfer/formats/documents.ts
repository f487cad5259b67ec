// Owns reading the JSON exports of Waline, Twikoo and Artalk (one document each) and the Remark42 backup
// (gzipped JSON lines). Their threads are pages named by URL or path: the first post of a page announces it.
import { ImportFileError, parseTime, type PostState, type SourceItem, type SourceReader } from '../source';
import { isObject, readJsonDocument, readJsonLines, str } from './json';

type Emit = (item: SourceItem) => Promise<void> | void;

/** Announces a page the first time one of its posts is seen. */
function pages(emit: Emit) {
  const seen = new Set<string>();
  return async (url: string, title: string) => {
    if (seen.has(url)) return;
    seen.add(url);
    await emit({ kind: 'thread', key: url, identifier: '', url, title });
  };
}

function requireArray(v: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw new ImportFileError(`not ${what}`);
  v.forEach((x, i) => {
    if (!isObject(x)) throw new ImportFileError(`element ${i + 1} of the comment list is not an object`);
  });
  return v as Record<string, unknown>[];
}

function requireId(o: Record<string, unknown>, field: string, where: string): string {
  const id = str(o, field).trim();
  if (!id) throw new ImportFileError(`${where} has no ${field} (wrong --from?)`);
  return id;
}

/**
 * Waline and Twikoo are both LeanCloud-style stores and name a comment's fields alike (url, pid, nick,
 * mail, comment, ip); they differ in the id, the user id, the time field and how spam is marked.
 */
async function emitLeanComment(
  emit: Emit,
  c: Record<string, unknown>,
  o: { key: string; where: string; userIdField: string; created: string | number; createdField: string; state: PostState },
): Promise<void> {
  const url = str(c, 'url');
  await emit({
    kind: 'post',
    key: o.key,
    threadKey: url,
    parentKey: str(c, 'pid') || null,
    authorName: str(c, 'nick'),
    authorId: str(c, 'mail') || str(c, o.userIdField) || str(c, 'nick'),
    html: str(c, 'comment'),
    createdAt: parseTime(o.created, o.createdField, `${o.where} (${o.key})`),
    ip: str(c, 'ip') || null,
    state: o.state,
    where: `${o.where} (${o.key})`,
  });
}

export const readWaline: SourceReader = async (file, emit) => {
  const doc = await readJsonDocument(file);
  const list = isObject(doc) && isObject(doc.data) ? doc.data.Comment : undefined;
  const rows = requireArray(list, 'a Waline export: expected {"type":"waline","data":{"Comment":[...]}}');
  const page = pages(emit);
  for (const [i, c] of rows.entries()) {
    const where = `Comment ${i + 1}`;
    const key = str(c, 'objectId') || requireId(c, 'id', where);
    const url = str(c, 'url');
    await page(url, '');
    const status = str(c, 'status');
    await emitLeanComment(emit, c, {
      key,
      where,
      userIdField: 'user_id',
      created: str(c, 'insertedAt') || str(c, 'createdAt'),
      createdField: 'insertedAt',
      state: status === 'spam' ? 'spam' : status === 'waiting' ? 'unapproved' : 'ok',
    });
  }
};

export const readTwikoo: SourceReader = async (file, emit) => {
  const doc = await readJsonDocument(file);
  const rows = requireArray(isObject(doc) && Array.isArray(doc.data) ? doc.data : doc, 'a Twikoo export: expected a JSON array of comments');
  const page = pages(emit);
  for (const [i, c] of rows.entries()) {
    const where = `comment ${i + 1}`;
    const key = requireId(c, '_id', where);
    const url = str(c, 'url');
    await page(url, '');
    const created: string | number = typeof c.created === 'number' ? c.created : str(c, 'created');
    await emitLeanComment(emit, c, { key, where, userIdField: 'uid', created, createdField: 'created', state: c.isSpam === true ? 'spam' : 'ok' });
  }
};

/** Artalk writes "2021-10-28 20:50:15 +0800 +0800" (Go's default format); ISO dates pass as they are. */
function artalkTime(raw: string, where: string): number {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.\d+)? ?([+-]\d\d):?(\d\d)/.exec(raw.trim());
  return parseTime(m ? `${m[1]}T${m[2]}${m[3]}:${m[4]}` : raw, 'created_at', where);
}

export const readArtalk: SourceReader = async (file, emit) => {
  const rows = requireArray(await readJsonDocument(file), 'an Artrans file: expected a JSON array of comments');
  const page = pages(emit);
  for (const [i, c] of rows.entries()) {
    const where = `comment ${i + 1}`;
    const key = requireId(c, 'id', where);
    const url = str(c, 'page_key');
    await page(url, str(c, 'page_title'));
    const rid = str(c, 'rid');
    await emit({
      kind: 'post',
      key,
      threadKey: url,
      parentKey: rid && rid !== '0' ? rid : null,
      authorName: str(c, 'nick'),
      authorId: str(c, 'email') || str(c, 'nick'),
      html: str(c, 'content'),
      createdAt: artalkTime(str(c, 'created_at'), `${where} (${key})`),
      ip: str(c, 'ip') || null,
      state: str(c, 'is_pending') === 'true' ? 'unapproved' : 'ok',
      where: `${where} (${key})`,
    });
  }
};

export const readRemark42: SourceReader = async (file, emit) => {
  const page = pages(emit);
  let comments = 0;
  for await (const { line, value } of readJsonLines(file)) {
    const where = `line ${line}`;
    if (!isObject(value)) throw new ImportFileError(`${where}: not a JSON object`);
    // The first line of a backup describes the site (version, users, posts); comments follow.
    if (!('locator' in value) && 'version' in value) continue;
    const locator = isObject(value.locator) ? value.locator : null;
    if (!locator) throw new ImportFileError(`${where}: a comment without locator (not a Remark42 backup?)`);
    const key = requireId(value, 'id', where);
    const url = str(locator, 'url');
    await page(url, str(value, 'title'));
    const user = isObject(value.user) ? value.user : {};
    comments++;
    await emit({
      kind: 'post',
      key,
      threadKey: url,
      parentKey: str(value, 'pid') || null,
      authorName: str(user, 'name'),
      authorId: str(user, 'id') || str(user, 'name'),
      html: str(value, 'text'),
      createdAt: parseTime(str(value, 'time'), 'time', where),
      // Remark42 keeps only its own hash of the address: nothing our network checks could use.
      ip: null,
      state: value.delete === true ? 'deleted' : 'ok',
      where,
    });
  }
  if (comments === 0) throw new ImportFileError('no comments found (not a Remark42 backup?)');
};
