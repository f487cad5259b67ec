// Writes a large Disqus export for the import memory measurement (README, "Import, export and feeds"):
// `node dist/bench/gen-disqus.js FILE [POSTS]` -> POSTS posts (default 200,000) over POSTS/100 threads, a third
// of them replies (some listed before their parent), a few deleted and spam, bodies of 200-600 characters.
import fs from 'node:fs';
import { once } from 'node:events';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

async function main(): Promise<void> {
  const [file, countArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/gen-disqus.js FILE [POSTS]\n');
    process.exit(2);
  }
  const posts = Number(countArg ?? 200_000);
  const threads = Math.max(1, Math.floor(posts / 100));
  const out = fs.createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n');
  for (let t = 1; t <= threads; t++) {
    await write(`<thread dsq:id="t${t}"><id>post-${t}</id><link>https://blog.example/${t}/</link><title>${esc(`文章 ${t} & more`)}</title></thread>\n`);
  }
  // Deterministic pseudo-random numbers, so two runs write the same file.
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const words = ['评论', '不错', 'great', 'point', '我觉得', '<b>bold</b>', '&amp;', 'https://example.com/x', '同意', 'why?'];
  for (let p = 1; p <= posts; p++) {
    const thread = 1 + ((p - 1) % threads);
    // A third are replies to an earlier post of the same thread; every 500th to the next one (listed before it).
    let parent = '';
    if (p % 3 === 0 && p > threads) parent = `<parent dsq:id="p${p - threads}"/>`;
    if (p % 500 === 0 && p + threads <= posts) parent = `<parent dsq:id="p${p + threads}"/>`;
    const len = 20 + rand(60);
    const body = Array.from({ length: len }, () => words[rand(words.length)]).join(' ');
    const created = new Date(Date.UTC(2015, 0, 1) + p * 60_000).toISOString();
    await write(
      `<post dsq:id="p${p}"><message><![CDATA[<p>${body}</p>]]></message><createdAt>${created}</createdAt>` +
        `<isDeleted>${p % 97 === 0}</isDeleted><isSpam>${p % 89 === 0}</isSpam>` +
        `<author><name>读者${p % 5000}</name><username>user${p % 5000}</username></author>` +
        `<ipAddress>10.${p % 256}.${(p >> 8) % 256}.1</ipAddress><thread dsq:id="t${thread}"/>${parent}</post>\n`,
    );
  }
  await write('</disqus>\n');
  out.end();
  await once(out, 'finish');
  process.stdout.write(`wrote ${posts} posts in ${threads} threads to ${file} (${fs.statSync(file).size} bytes)\n`);
}

void main();
