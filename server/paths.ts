// Owns where the project's files are, whether running from server/ (ts-jest) or dist/server/ (built).
import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The folder holding package.json, views/, public/, migrations/ and content/. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'migrations'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the project root from ' + __dirname);
    dir = up;
  }
  cached = dir;
  return dir;
}

export const paths = {
  views: () => path.join(projectRoot(), 'views'),
  publicDir: () => path.join(projectRoot(), 'public'),
  clientJs: () => path.join(projectRoot(), 'dist', 'public', 'js'),
  migrations: () => path.join(projectRoot(), 'migrations'),
  pgMigrations: () => path.join(projectRoot(), 'migrations', 'postgres'),
  content: () => path.join(projectRoot(), 'content', 'articles'),
};
