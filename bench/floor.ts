// Owns the floor: the least a live comment server can do (express + socket.io + better-sqlite3, one
// insert and one broadcast per POST, no validation, no moderation, no identity). Yilun is measured
// against it in the same run. It opens SQLite through Yilun's own openDb, so the pragmas are the same
// (WAL, synchronous = DB_SYNCHRONOUS, default FULL).
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import type { Synchronous } from '../server/config';
import { closeDb, openDb, type Db } from '../server/db/open';

export const FLOOR_SCHEMA = `CREATE TABLE IF NOT EXISTS comments (
  id INTEGER PRIMARY KEY, article TEXT NOT NULL, author_name TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS comments_article ON comments (article, id);`;

export function openFloorDb(file: string, synchronous: Synchronous): Db {
  const db = openDb(file, synchronous);
  db.exec(FLOOR_SCHEMA);
  return db;
}

interface Row {
  id: number;
  article: string;
  authorName: string;
  body: string;
  createdAt: number;
}

function main(): void {
  const port = Number(process.env.PORT ?? 0);
  const host = process.env.HOST ?? '127.0.0.1';
  const file = process.env.DB_PATH ?? path.join(process.env.DATA_DIR ?? '.', 'floor.db');
  const db = openFloorDb(file, (process.env.DB_SYNCHRONOUS ?? 'FULL').toUpperCase() as Synchronous);
  const cols = 'id, article, author_name AS authorName, body, created_at AS createdAt';
  const insert = db.prepare(`INSERT INTO comments (article, author_name, body, created_at) VALUES (?, ?, ?, ?) RETURNING ${cols}`);
  const newest = db.prepare(`SELECT ${cols} FROM comments WHERE article = ? ORDER BY id DESC LIMIT 20`);
  const since = db.prepare(`SELECT ${cols} FROM comments WHERE article = ? AND id > ? ORDER BY id LIMIT 500`);
  const last = db.prepare(`SELECT MAX(id) FROM comments WHERE article = ?`).pluck();

  const app = express();
  const server = http.createServer(app);
  const io = new Server(server);

  app.get('/api/articles/:slug/comments', (req, res) => {
    const slug = String(req.params.slug);
    res.json({ comments: newest.all(slug), seq: (last.get(slug) as number | null) ?? 0 });
  });
  app.post('/api/articles/:slug/comments', express.json(), (req, res) => {
    const slug = String(req.params.slug);
    const { authorName, body } = req.body as { authorName: string; body: string };
    // all(), not get(): a RETURNING statement stopped at its first row commits on reset, where SQLite
    // skips the WAL hook, so the WAL would never be checkpointed and the floor would skip work Yilun does.
    const row = (insert.all(slug, authorName, body, Date.now()) as Row[])[0];
    io.to(`art:${slug}`).emit('comment:created', { seq: row.id, article: slug, id: row.id, comment: row });
    res.status(201).json({ comment: row });
  });

  // The same join contract as Yilun (ack { ok, data: { seq, changes } }), with the comment id as seq.
  io.on('connection', (socket) => {
    socket.on('join', (p: { article: string; since?: number }, ack: (r: unknown) => void) => {
      void socket.join(`art:${p.article}`);
      const seq = (last.get(p.article) as number | null) ?? 0;
      const changes = typeof p.since === 'number' ? (since.all(p.article, p.since) as Row[]).map((c) => ({ seq: c.id, id: c.id, comment: c })) : [];
      ack({ ok: true, data: { seq, changes } });
    });
  });

  // The same accept backlog as Yilun's main.ts, so that a reconnect storm compares the servers, not the kernel queue.
  server.listen({ port, host, backlog: 4096 });
  const stop = () => {
    io.close();
    server.close();
    closeDb(db);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main();
