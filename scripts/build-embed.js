#!/usr/bin/env node
// Builds embed.js (npm run build, after tsc): client/embed/embed.ts with the Socket.IO client, the shared
// comment template and time formatter (generated from the server's sources, as the page gets them) and
// the stylesheet, minified into dist/public/embed/embed.<hash>.js, with a manifest; prints its gzipped size.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const { clientTemplateScript } = require(path.join(root, 'dist/server/comments/comments.html.js'));
const { timeFormatScript } = require(path.join(root, 'dist/server/i18n/time.js'));

const outDir = path.join(root, 'dist/public/embed');
const genDir = path.join(root, 'dist/embed-gen');
fs.mkdirSync(genDir, { recursive: true });
const generated = {
  'comment-template.js': clientTemplateScript().source,
  'time-format.js': timeFormatScript(),
};
for (const [name, source] of Object.entries(generated)) fs.writeFileSync(path.join(genDir, name), source);

/** The page's generated assets (served at /assets/js/…) are bundled from the same generator. */
const generatedModules = {
  name: 'yilun-generated',
  setup(build) {
    build.onResolve({ filter: /\/(comment-template|time-format)\.js$/ }, (args) => ({ path: path.join(genDir, path.basename(args.path)) }));
  },
};

async function main() {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'client/embed/embed.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    write: false,
    legalComments: 'none',
    loader: { '.css': 'text' },
    plugins: [generatedModules],
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  const hash = crypto.createHash('sha256').update(code).digest('hex').slice(0, 12);
  const file = `embed.${hash}.js`;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, file), code);
  const gzipBytes = zlib.gzipSync(code, { level: 9 }).length;
  const manifest = { file, hash, bytes: code.length, gzipBytes };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`embed.js: ${file}, ${(code.length / 1024).toFixed(1)} KB, ${(gzipBytes / 1024).toFixed(1)} KB gzipped`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
