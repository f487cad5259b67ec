// Owns `npm run article:add -- FILE [--slug SLUG]`: adds an article from a content file to the database.
import { loadConfig } from '../config';
import { closeDb } from '../db/open';
import { openStore } from '../db/bootstrap';
import { addArticleFromFile } from '../articles/articles.service';
import { slugFromFile } from '../articles/articles.content';
import { AppError } from '../errors';

async function run(argv: string[]): Promise<number> {
  const args = [...argv];
  let slug: string | undefined;
  const i = args.indexOf('--slug');
  if (i >= 0) {
    slug = args[i + 1];
    args.splice(i, 2);
  }
  const file = args[0];
  if (!file || args.length !== 1 || slug === '') {
    process.stderr.write('usage: npm run article:add -- FILE [--slug SLUG]\n  FILE: title on the first line, one paragraph per line after it (.txt or .md)\n');
    return 2;
  }
  const config = loadConfig(process.env);
  const { db, store } = openStore(config, { init: config.init });
  try {
    const a = await addArticleFromFile(store, file, Date.now(), slug ?? slugFromFile(file));
    process.stdout.write(`added "${a.title}" at /articles/${a.slug}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`cannot add the article: ${err instanceof AppError || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    closeDb(db);
  }
}

run(process.argv.slice(2)).then((code) => process.exit(code));
