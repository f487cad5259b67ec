// Owns reading a Disqus export (XML): <thread dsq:id> elements, then <post dsq:id> elements naming their thread
// and parent by dsq:id.
import type { SaxesTagPlain } from 'saxes';
import { FIELD_MAX, ImportFileError, parseTime, type SourceItem, type SourceReader } from '../source';
import { streamXml } from './xml';

type Fields = Record<string, string>;

export const readDisqus: SourceReader = async (file, emit) => {
  const queue: SourceItem[] = [];
  let current: { kind: 'thread' | 'post'; id: string; fields: Fields; refs: Fields } | null = null;
  const field = (path: string[]) => path.slice(2).join('/');
  await streamXml(
    file,
    'disqus',
    {
      open(path, tag: SaxesTagPlain) {
        const id = String(tag.attributes['dsq:id'] ?? '');
        if (path.length === 2 && (tag.name === 'thread' || tag.name === 'post')) {
          if (tag.name === 'post' && !id) throw new ImportFileError('a <post> without dsq:id');
          current = { kind: tag.name, id, fields: {}, refs: {} };
        } else if (current && path.length === 3 && (tag.name === 'thread' || tag.name === 'parent')) {
          current.refs[tag.name] = id;
        }
      },
      text(path, t) {
        if (!current || path.length < 3) return;
        const k = field(path);
        const prev = current.fields[k] ?? '';
        if (prev.length < FIELD_MAX) current.fields[k] = prev + t;
      },
      close(path) {
        if (path.length !== 2 || !current) return;
        const c = current;
        current = null;
        const f = c.fields;
        if (c.kind === 'thread') {
          queue.push({ kind: 'thread', key: c.id, identifier: (f.id ?? '').trim(), url: (f.link ?? '').trim(), title: (f.title ?? '').trim() });
          return;
        }
        const where = `<post dsq:id="${c.id}">`;
        if (!c.refs.thread) throw new ImportFileError(`${where} names no <thread dsq:id>`);
        const yes = (v: string | undefined) => (v ?? '').trim() === 'true';
        queue.push({
          kind: 'post',
          key: c.id,
          threadKey: c.refs.thread,
          parentKey: c.refs.parent || null,
          authorName: (f['author/name'] ?? '').trim() || (f['author/username'] ?? '').trim(),
          authorId: (f['author/username'] ?? '').trim() || (f['author/email'] ?? '').trim() || (f['author/name'] ?? '').trim(),
          html: f.message ?? '',
          createdAt: parseTime(f.createdAt, 'createdAt', where),
          ip: (f.ipAddress ?? '').trim() || null,
          state: yes(f.isDeleted) ? 'deleted' : yes(f.isSpam) ? 'spam' : 'ok',
          where,
        });
      },
    },
    async () => {
      for (const item of queue.splice(0)) await emit(item);
    },
  );
};
