// Owns serving the embed bundle (built by scripts/build-embed.js): /embed.js for the snippet (short cache,
// revalidated by ETag) and /embed/embed.<hash>.js forever (pinned by content hash), loadable cross-origin.
import fs from 'node:fs';
import path from 'node:path';
import { Router, type Response } from 'express';
import { projectRoot } from '../paths';

export interface EmbedManifest {
  file: string;
  hash: string;
  bytes: number;
  gzipBytes: number;
}

export function embedDir(): string {
  return path.join(projectRoot(), 'dist', 'public', 'embed');
}

export function readEmbedManifest(): EmbedManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(embedDir(), 'manifest.json'), 'utf8')) as EmbedManifest;
  } catch {
    return undefined;
  }
}

export function embedAssetsRouter(): Router {
  const r = Router();
  const manifest = readEmbedManifest();
  if (!manifest) return r;
  const body = fs.readFileSync(path.join(embedDir(), manifest.file));
  const send = (res: Response, cache: string, etag: string | undefined) => {
    res.type('text/javascript; charset=utf-8');
    // Host pages on other sites load it with <script src>: helmet's same-origin CORP would block that.
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    res.set('Cache-Control', cache);
    res.set('ETag', `"${manifest.hash}"`);
    if (etag === `"${manifest.hash}"`) return void res.status(304).end();
    res.send(body);
  };
  r.get('/embed.js', (req, res) => send(res, 'public, max-age=300, stale-while-revalidate=86400', req.headers['if-none-match']));
  r.get(`/embed/${manifest.file}`, (req, res) => send(res, 'public, max-age=31536000, immutable', req.headers['if-none-match']));
  return r;
}
