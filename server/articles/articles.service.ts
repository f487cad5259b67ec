// Owns the article use cases: importing content files and listing articles.
import fs from 'node:fs';
import type { Article, Store } from '../db/store';
import { AppError } from '../errors';
import { listContentFiles, parseArticleText, slugFromFile, SLUG_RE } from './articles.content';
import { isPageSlug } from '../embed/embed.pages';

export async function addArticleFromFile(store: Store, file: string, now: number, slug = slugFromFile(file)): Promise<Article> {
  if (!SLUG_RE.test(slug)) throw new AppError('invalid_slug', 400, `slug "${slug}" must be lowercase letters, digits and dashes`);
  if (await store.articles.getBySlug(slug)) throw new AppError('slug_taken', 409, `an article with slug "${slug}" exists already`);
  const parsed = parseArticleText(fs.readFileSync(file, 'utf8'));
  return store.articles.insert({ slug, createdAt: now, ...parsed });
}

/** Imports every content file whose slug is not in the database yet (first start, or a file added since). */
export async function importContent(store: Store, dir: string, now: number): Promise<Article[]> {
  const added: Article[] = [];
  for (const file of listContentFiles(dir)) {
    const slug = slugFromFile(file);
    if (!SLUG_RE.test(slug) || (await store.articles.getBySlug(slug))) continue;
    added.push(await addArticleFromFile(store, file, now + added.length, slug));
  }
  return added;
}

export async function listArticles(store: Store): Promise<{ slug: string; title: string; commentCount: number }[]> {
  // Embedded pages' threads live on their own sites: the console lists them, our article list does not.
  return (await store.articles.list()).filter((a) => !isPageSlug(a.slug)).map((a) => ({ slug: a.slug, title: a.title, commentCount: a.commentCount }));
}

/** The article at "/": DEFAULT_ARTICLE if set, else the first one added. */
export async function defaultArticle(store: Store, slug?: string): Promise<Article | undefined> {
  const first = (slug ? await store.articles.getBySlug(slug) : undefined) ?? (await store.articles.first());
  if (!first || !isPageSlug(first.slug)) return first;
  return (await store.articles.list()).filter((a) => !isPageSlug(a.slug)).at(-1);
}
