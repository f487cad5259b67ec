// Query plans of the transfer repo's reads that readers can trigger (feeds, an author's own comments) and of
// the import key lookup every imported comment makes: each searches an index, none scans the comments.
import { openDb, type Db } from '../server/db/open';
import { migrate, readMigrations } from '../server/db/migrate';
import { createCommentWriter } from '../server/comments/comments.writer';
import { createWriteBatcher } from '../server/db/write-batch';
import { createTransferRepo } from '../server/transfer/transfer.repo';
import { paths } from '../server/paths';
import { planOf, preparedSql } from './helpers/plans';

const CASES: { name: string; fragment: RegExp; uses: RegExp }[] = [
  { name: 'feed of one article', fragment: /WHERE c\.article_id = \? AND c\.status = 'published'/, uses: /SEARCH c USING INDEX comments_article_published \(article_id=\?\)/ },
  { name: 'feed of the site', fragment: /WHERE c\.status = 'published' ORDER BY/, uses: /SEARCH c USING INDEX comments_status \(status=\?\)/ },
  { name: "an author's own comments", fragment: /WHERE c\.author_id = \? AND c\.id > \?/, uses: /SEARCH c USING INDEX comments_author \(author_id=\?\)/ },
  { name: 'a comment by import key', fragment: /WHERE c\.import_key = \?/, uses: /SEARCH c USING INDEX comments_import_key \(import_key=\?\)/ },
];

describe('query plans of imports, feeds and own data', () => {
  let db: Db;
  let statements: string[];
  beforeAll(() => {
    db = openDb(':memory:');
    migrate(db, readMigrations(paths.migrations()));
    statements = preparedSql(db, (d) => createTransferRepo(d, createCommentWriter(d), createWriteBatcher(d).write));
  });
  afterAll(() => db.close());

  it.each(CASES.map((c) => [c.name, c]))('%s searches its index', (_name, c) => {
    const sql = statements.filter((s) => c.fragment.test(s));
    expect(sql).toHaveLength(1);
    const plan = planOf(db, sql[0]);
    expect(plan.join('\n')).toMatch(c.uses);
    expect(plan.filter((d) => /^SCAN c\b/.test(d))).toEqual([]);
  });
});
