// Query plans of the hot-path reads: the exact SQL the comments repo prepares, run through EXPLAIN QUERY
// PLAN, must search an index rather than scan the comments, reactions or event tables.
import { openDb, type Db } from '../server/db/open';
import { migrate, readMigrations } from '../server/db/migrate';
import { createCommentsRepo } from '../server/comments/comments.repo';
import { createCommentWriter } from '../server/comments/comments.writer';
import { createWriteBatcher } from '../server/db/write-batch';
import { paths } from '../server/paths';
import { planOf, preparedSql } from './helpers/plans';

// Aliases the repo gives the big tables; json_each is a virtual table and anc a recursive CTE, both fine to scan.
const BIG_TABLES = new Set(['comments', 'c', 'x', 'p', 'reactions', 'r', 'article_events']);
const fullScans = (plan: string[]) => plan.filter((d) => /^SCAN /.test(d) && !/VIRTUAL TABLE/.test(d) && BIG_TABLES.has(d.split(' ')[1]));

const HOT_PATH: { name: string; fragment: RegExp; uses: RegExp }[] = [
  { name: 'top-level page, newest', fragment: /ORDER BY c\.id DESC LIMIT @limit/, uses: /SEARCH c USING INDEX comments_top_recent \(article_id=\? AND id<\?\)/ },
  { name: 'top-level page, oldest', fragment: /ORDER BY c\.id ASC LIMIT @limit/, uses: /SEARCH c USING INDEX comments_top_recent \(article_id=\? AND id>\?\)/ },
  { name: 'top-level page, top', fragment: /ORDER BY c\.score DESC, c\.id DESC/, uses: /SEARCH c USING INDEX comments_top_score \(article_id=\?/ },
  { name: 'pinned comments', fragment: /ORDER BY c\.pinned_at DESC/, uses: /SEARCH c USING INDEX comments_pinned \(article_id=\?/ },
  { name: 'first replies of each root', fragment: /LIMIT @perRoot/, uses: /SEARCH x USING INDEX comments_thread \(root_id=\?\)/ },
  { name: 'replies of a thread', fragment: /c\.root_id = @rootId/, uses: /SEARCH c USING INDEX comments_thread \(root_id=\? AND id>\?\)/ },
  { name: 'events since a seq', fragment: /FROM article_events WHERE article_id = \? AND seq > \?/, uses: /SEARCH article_events USING PRIMARY KEY \(article_id=\? AND seq>\?\)/ },
  { name: 'which of these did I like', fragment: /JOIN reactions r ON r\.author_id = @authorId/, uses: /SEARCH r USING COVERING INDEX reactions_author \(author_id=\?/ },
  { name: 'did I like this one', fragment: /^SELECT 1 FROM reactions WHERE comment_id = \?/, uses: /SEARCH reactions USING PRIMARY KEY \(comment_id=\? AND author_id=\? AND kind=\?\)/ },
  { name: 'an author\'s recent comments', fragment: /WHERE c\.author_id = \? AND c\.created_at >= \?/, uses: /SEARCH c USING INDEX comments_author \(author_id=\? AND created_at>\?\)/ },
  { name: 'does this reader hold a pending comment here', fragment: /^SELECT 1 FROM comments WHERE author_id = \? AND article_id = \? AND \+status = 'pending'/, uses: /SEARCH comments USING INDEX comments_author \(author_id=\?\)/ },
  { name: 'a comment by id', fragment: /FROM comments c WHERE c\.id = \?$/, uses: /SEARCH c USING INTEGER PRIMARY KEY/ },
];

describe('query plans of the hot path', () => {
  let db: Db;
  let statements: string[];
  beforeAll(() => {
    db = openDb(':memory:');
    migrate(db, readMigrations(paths.migrations()));
    statements = preparedSql(db, (d) => createCommentsRepo(d, createCommentWriter(d), createWriteBatcher(d).write));
  });
  afterAll(() => db.close());

  it.each(HOT_PATH.map((h) => [h.name, h]))('%s searches its index', (_name, h) => {
    const matching = statements.filter((sql) => h.fragment.test(sql.trim()));
    expect(matching).toHaveLength(1);
    const plan = planOf(db, matching[0]);
    expect(plan.join(' | ')).toMatch(h.uses);
    expect(fullScans(plan)).toEqual([]);
  });

  it('recognizes a full scan when there is one', () => {
    expect(fullScans(planOf(db, 'SELECT id FROM comments c WHERE c.body = @body'))).toEqual(['SCAN c']);
  });

  it('never scans the comments, reactions or events tables in any statement the repo prepares', () => {
    expect(statements.length).toBeGreaterThan(20);
    const offenders = statements.map((sql) => ({ sql: sql.slice(0, 120), scans: fullScans(planOf(db, sql)) })).filter((o) => o.scans.length);
    expect(offenders).toEqual([]);
  });
});
