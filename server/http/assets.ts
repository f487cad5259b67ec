// Owns static assets: read once at start, served from memory under content-hashed URLs with
// long-lived immutable caching (a stale hash is served fresh, never cached). Source maps stay private:
// they are not served, and the scripts do not point at them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { paths } from '../paths';

interface Asset {
  body: Buffer;
  hash: string;
  type: string;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
};

export interface Assets {
  router: Router;
  /** URL of an asset with its content hash, e.g. /assets/css/app.css?v=1a2b3c. */
  url(name: string): string;
}

function walk(dir: string, prefix: string, out: Map<string, Asset>) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) walk(full, `${name}/`, out);
    else if (TYPES[path.extname(entry.name)]) {
      const raw = fs.readFileSync(full);
      const body = path.extname(entry.name) === '.js' ? Buffer.from(raw.toString('utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n')) : raw;
      out.set(name, { body, hash: crypto.createHash('sha256').update(body).digest('hex').slice(0, 12), type: TYPES[path.extname(entry.name)] });
    }
  }
}

export function createAssets(generated: Record<string, string> = {}): Assets {
  const files = new Map<string, Asset>();
  walk(paths.publicDir(), '', files);
  walk(paths.clientJs(), 'js/', files);
  for (const [name, source] of Object.entries(generated)) {
    const body = Buffer.from(source);
    files.set(name, { body, hash: crypto.createHash('sha256').update(body).digest('hex').slice(0, 12), type: TYPES[path.extname(name)] });
  }
  const router = Router();
  router.get(/^\/assets\/(.+)$/, (req, res, next) => {
    const name = (req.params as unknown as string[])[0];
    const a = files.get(name);
    if (!a) return next();
    res.type(a.type);
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('ETag', `"${a.hash}"`);
    res.set('Cache-Control', req.query.v === a.hash ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (req.headers['if-none-match'] === `"${a.hash}"`) return res.status(304).end();
    res.send(a.body);
  });
  return {
    router,
    url: (name) => {
      const a = files.get(name);
      return a ? `/assets/${name}?v=${a.hash}` : `/assets/${name}`;
    },
  };
}
