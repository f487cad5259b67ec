// Jest transform for ESM-only dependencies (jose): esbuild rewrites them to CommonJS, which Jest's module
// loader needs (Node itself loads them through require(esm)).
const esbuild = require('esbuild');

module.exports = {
  process(source, filename) {
    const out = esbuild.transformSync(source, { format: 'cjs', loader: 'js', target: 'node20', sourcefile: filename, sourcemap: 'inline' });
    return { code: out.code };
  },
};
