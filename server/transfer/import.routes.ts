// Owns the console's import upload: POST /api/admin/import?format=F[&dryRun=1][&rejected=import], the file as the
// raw request body. Admins only, same-origin (csrfGuard), size-limited, one at a time; runs the CLI's importer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { HttpContext } from '../http/http.context';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { parseInput } from '../comments/comments.schema';
import type { AdminRoute } from '../moderation/moderation.routes';
import { FORMATS, importFile } from './import.service';
import { ImportFileError } from './source';

/** Largest upload; bigger exports go through `npm run import` on the server. */
export const IMPORT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

const formats = Object.keys(FORMATS);
const querySchema = z.object({
  format: z.enum(formats as [string, ...string[]], { error: () => msg('import_format_invalid', { formats: formats.join(', ') }) }),
  dryRun: z.enum(['0', '1']).default('0'),
  rejected: z.enum(['skip', 'import']).default('skip'),
});

/** The upload, declared in the console's route table (moderation.routes.ts), which checks the admin role first. */
export function importAdminRoutes(ctx: HttpContext): AdminRoute[] {
  const { deps } = ctx;
  let running = false;
  const raw = express.raw({ type: () => true, limit: IMPORT_UPLOAD_MAX_BYTES });
  // The body is read only now, after the role check: nobody else gets to send 20 MB.
  const readBody = (req: Request, res: Response) => new Promise<void>((resolve, reject) => raw(req, res, (err?: unknown) => (err ? reject(err) : resolve())));

  return [
    {
      method: 'post',
      path: '/api/admin/import',
      role: 'admin',
      handler: async (req, res, me) => {
        const q = parseInput(querySchema, req.query);
        await readBody(req, res);
        const body = req.body as Buffer | undefined;
        if (!Buffer.isBuffer(body) || body.length === 0) throw new AppError('import_file_empty', 400, msg('import_file_empty'));
        if (running) throw new AppError('import_running', 409, msg('import_running'));
        running = true;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-upload-'));
        try {
          const file = path.join(dir, 'upload');
          fs.writeFileSync(file, body, { mode: 0o600 });
          const summary = await importFile(deps.store, { format: q.format, file, dryRun: q.dryRun === '1', rejected: q.rejected, ipHash: ctx.ipHash });
          deps.log.info('comments imported', { by: me.username, format: q.format, dryRun: summary.dryRun, imported: summary.imported, orphans: summary.orphans });
          res.json({ summary });
        } catch (err) {
          if (err instanceof ImportFileError) throw new AppError('import_file_invalid', 422, msg('import_file_invalid', { problem: err.message }));
          throw err;
        } finally {
          running = false;
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    },
  ];
}
