// Owns reading a WordPress export (WXR): each <item> is a thread, its <wp:comment> elements the posts.
import { FIELD_MAX, ImportFileError, parseTime, type PostState, type SourceItem, type SourceReader } from '../source';
import { streamXml } from './xml';

/** WXR dates are "YYYY-MM-DD HH:MM:SS"; comment_date_gmt is UTC ("0000-00-00 ..." when unknown). */
function wxrTime(gmt: string | undefined, local: string | undefined, where: string): number {
  const g = (gmt ?? '').trim();
  if (g && !g.startsWith('0000')) return parseTime(`${g.replace(' ', 'T')}Z`, 'wp:comment_date_gmt', where);
  return parseTime((local ?? '').trim().replace(' ', 'T'), 'wp:comment_date', where);
}

const STATE: Record<string, PostState> = {
  '1': 'ok',
  approve: 'ok',
  '0': 'unapproved',
  hold: 'unapproved',
  spam: 'spam',
  trash: 'deleted',
  'post-trashed': 'deleted',
};

export const readWordpress: SourceReader = async (file, emit) => {
  const queue: SourceItem[] = [];
  let item: Record<string, string> | null = null;
  let threadSent = false;
  let comment: Record<string, string> | null = null;
  await streamXml(
    file,
    'rss',
    {
      open(path) {
        const name = path[path.length - 1];
        if (name === 'item' && path.length === 3) {
          item = {};
          threadSent = false;
        } else if (item && name === 'wp:comment' && path.length === 4) {
          comment = {};
          if (!threadSent) {
            threadSent = true;
            const key = (item['wp:post_id'] ?? '').trim();
            if (!key) throw new ImportFileError('an <item> with comments has no <wp:post_id>');
            queue.push({ kind: 'thread', key, identifier: (item['wp:post_name'] ?? '').trim() || `post-${key}`, url: (item.link ?? '').trim(), title: (item.title ?? '').trim() });
          }
        }
      },
      text(path, t) {
        const target = comment && path.length === 5 ? comment : item && path.length === 4 && !comment ? item : null;
        if (!target) return;
        const k = path[path.length - 1];
        const prev = target[k] ?? '';
        if (prev.length < FIELD_MAX) target[k] = prev + t;
      },
      close(path) {
        if (path.length === 3 && path[2] === 'item') item = null;
        if (path.length !== 4 || path[3] !== 'wp:comment' || !comment || !item) return;
        const c = comment;
        comment = null;
        const id = (c['wp:comment_id'] ?? '').trim();
        const where = `<wp:comment> ${id ? `wp:comment_id ${id}` : 'without wp:comment_id'}`;
        if (!id) throw new ImportFileError(`${where}`);
        const type = (c['wp:comment_type'] ?? '').trim();
        const approved = (c['wp:comment_approved'] ?? '1').trim();
        const parent = (c['wp:comment_parent'] ?? '0').trim();
        queue.push({
          kind: 'post',
          key: id,
          threadKey: item['wp:post_id'].trim(),
          parentKey: parent && parent !== '0' ? parent : null,
          authorName: (c['wp:comment_author'] ?? '').trim(),
          authorId: (c['wp:comment_author_email'] ?? '').trim() || (c['wp:comment_author'] ?? '').trim(),
          html: c['wp:comment_content'] ?? '',
          createdAt: wxrTime(c['wp:comment_date_gmt'], c['wp:comment_date'], where),
          ip: (c['wp:comment_author_IP'] ?? '').trim() || null,
          // Pingbacks and trackbacks are notices from other sites, not readers' comments.
          state: type === 'pingback' || type === 'trackback' ? 'spam' : (STATE[approved] ?? 'unapproved'),
          where,
        });
      },
    },
    async () => {
      for (const x of queue.splice(0)) await emit(x);
    },
  );
};
