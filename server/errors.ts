// Owns the one error type, its HTTP wire shape, the socket ack shape and the Express error middleware.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from './log';
import { msg } from './i18n/messages';
import type { Ack, ErrorBody } from '../contracts/api';

export type { Ack, ErrorBody };

export class AppError extends Error {
  constructor(
    public readonly code: string,
    public readonly status: number,
    message: string,
    public readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on 429. */
    public readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toJSON(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** The body of every unexpected failure, in the language of the request it answers. */
export const internalError = (): ErrorBody => ({ code: 'internal_error', message: msg('internal_error') });

/** Seconds a client should wait before retrying, per storage error code. */
const STORAGE_RETRY_AFTER = { storage_busy: 2, storage_full: 30, storage_unavailable: 30 } as const;

/**
 * SQLite's own errors (better-sqlite3 SqliteError carries `code`): trouble in the environment, not a bug,
 * so they answer 503 with Retry-After and a code saying which, never 500. SQLITE_BUSY/LOCKED: another
 * process holds the lock; SQLITE_FULL: disk full; I/O, read-only, vanished or corrupt file: unavailable.
 */
export function storageError(err: unknown): AppError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (!(err instanceof Error) || typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  let kind: keyof typeof STORAGE_RETRY_AFTER;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) kind = 'storage_busy';
  else if (code === 'SQLITE_FULL') kind = 'storage_full';
  else if (/^SQLITE_(IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/.test(code)) kind = 'storage_unavailable';
  else return undefined;
  const seconds = STORAGE_RETRY_AFTER[kind];
  return new AppError(kind, 503, msg(kind, { seconds }), { retryAfter: seconds }, { 'Retry-After': String(seconds) });
}

/** A start-up failure whose message already says which file, what is wrong and what to do: printed without a stack. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}


/** Maps anything thrown to the public error shape; unknown errors are logged and never leak. */
export function toErrorBody(err: unknown, log?: Logger): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof AppError) return { status: err.status, body: err.toJSON(), headers: err.headers };
  const storage = storageError(err);
  if (storage) {
    log?.warn('storage error', { code: (err as { code: string }).code, error: (err as Error).message });
    return { status: storage.status, body: storage.toJSON(), headers: storage.headers };
  }
  const e = err as { type?: string; status?: number; statusCode?: number };
  // body-parser errors carry a type and a 4xx status; they are the client's fault, not ours.
  if (e && e.type === 'entity.too.large') {
    return { status: 413, body: { code: 'payload_too_large', message: msg('payload_too_large') } };
  }
  if (e && e.type === 'entity.parse.failed') {
    return { status: 400, body: { code: 'invalid_json', message: msg('invalid_json') } };
  }
  if (e && (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported')) {
    return { status: 415, body: { code: 'unsupported_encoding', message: msg('unsupported_encoding') } };
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { code: 'bad_request', message: msg('bad_request') } };
  }
  log?.error('unhandled error', { err });
  return { status: 500, body: internalError() };
}

export function ackError(err: unknown, log?: Logger): Ack<never> {
  return { ok: false, error: toErrorBody(err, log).body };
}

export const notFoundApi: RequestHandler = (_req, _res, next) => {
  next(new AppError('not_found', 404, msg('not_found_api')));
};

/** Registered last: API paths get JSON, pages get the HTML error page. */
export function errorMiddleware(log: Logger, renderPage: (res: Parameters<ErrorRequestHandler>[2], status: number, body: ErrorBody) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, body, headers } = toErrorBody(err, log);
    if (status >= 500) log.error('request failed', { method: req.method, path: req.path, status, code: body.code });
    if (res.headersSent) return;
    if (headers) res.set(headers);
    if (req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ error: body });
    } else {
      res.status(status);
      renderPage(res, status, body);
    }
  };
}
