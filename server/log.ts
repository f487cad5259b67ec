// Owns logging: structured JSON lines through pino, filtered by level; one line per request through
// pino-http with a request id. Never given secrets or comment bodies; request lines carry no header,
// cookie, query string or address (client-ip.ts hashes networks; raw IPs never reach a log).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import type { RequestHandler } from 'express';
import type { LogLevel } from './config';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The pino instance behind each Logger made here, for pino-http. */
const engines = new WeakMap<Logger, Pino>();

function serialize(fields?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v;
  }
  return out;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const engine = pino(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) },
  );
  const log: Logger = {
    // Most servers run above debug: its fields are not even serialized then (a debug line per socket and event).
    debug: (m, f) => {
      if (engine.isLevelEnabled('debug')) engine.debug(serialize(f) ?? {}, m);
    },
    info: (m, f) => engine.info(serialize(f) ?? {}, m),
    warn: (m, f) => engine.warn(serialize(f) ?? {}, m),
    error: (m, f) => engine.error(serialize(f) ?? {}, m),
  };
  engines.set(log, engine);
  return log;
}

export const silentLogger: Logger = createLogger('silent');

/** An id nginx (or another proxy) assigned is kept when it looks like one; otherwise a fresh UUID. */
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * One line per finished request: id, method, path (no query: it may carry a token), status, time.
 * A Logger not made by createLogger (a test's own) gets the same line through its info().
 */
export function requestLogger(log: Logger, route: (req: IncomingMessage) => string | undefined): RequestHandler {
  const genReqId = (req: IncomingMessage, res: ServerResponse) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    return id;
  };
  const engine = engines.get(log);
  if (!engine) {
    return (req, res, next) => {
      const id = genReqId(req, res);
      const start = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
        log.info('request', { id, method: req.method, path: req.path, route: route(req), status: res.statusCode, ms });
      });
      next();
    };
  }
  const lines = pinoHttp({
    logger: engine,
    genReqId,
    customAttributeKeys: { responseTime: 'ms' },
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    // Not pino-http's default serializers: those write every header (cookies included) and the remote address.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0].slice(0, 300) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      err: (err: Error) => ({ name: err.name, message: err.message }),
    },
    wrapSerializers: false,
    // On the finished line only: as customProps it was also bound when the request started, before any route
    // matched, and every line carried "route" twice ("other", then the pattern).
    customSuccessObject: (req, _res, line) => ({ ...line, route: route(req) }),
    customErrorObject: (req, _res, _err, line) => ({ ...line, route: route(req) }),
    quietReqLogger: true,
  }) as unknown as RequestHandler;
  // Request lines are info lines: above that level pino-http would build a child logger per request for nothing.
  return (req, res, next) => {
    if (engine.isLevelEnabled('info')) return lines(req, res, next);
    genReqId(req, res);
    next();
  };
}
