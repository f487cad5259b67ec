// Owns the typed, frozen configuration: every environment variable Yilun reads is parsed here.
import path from 'node:path';
import { paths } from './paths';
import { parseHttpUrl } from './http/url';
import { isTimeZone } from './i18n/time';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Synchronous = 'FULL' | 'NORMAL' | 'EXTRA';

export interface RateLimit {
  /** Events allowed per window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

export interface RateLimits {
  /** Post attempts per network, stored or refused (floods of refused posts). */
  postAttempt: RateLimit;
  postPerAuthor: RateLimit;
  postPerIp: RateLimit;
  edit: RateLimit;
  like: RateLimit;
  report: RateLimit;
  login: RateLimit;
  socketConnectPerIp: RateLimit;
  socketEvents: RateLimit;
  /** GET/HEAD requests per network (pages and API reads; static assets exempt). */
  get: RateLimit;
  /** Article joins (each may answer a catch-up) per socket, and per network. */
  join: RateLimit;
  joinPerIp: RateLimit;
}

export interface NotifyConfig {
  /** nodemailer transport URL (smtp:// or smtps://); unset = no mail. */
  smtpUrl?: string;
  mailFrom: string;
  /** At most one mail per thread per this long (NOTIFY_DIGEST_MINUTES); replies in between are batched. */
  digestMs: number;
  /** How often the delivery worker looks for work besides being nudged (NOTIFY_POLL_MS). */
  pollMs: number;
  /** First retry delay; doubled per attempt (NOTIFY_RETRY_MS). */
  retryMs: number;
  /** Attempts before a delivery is marked failed (NOTIFY_ATTEMPTS). */
  attempts: number;
  /** A webhook receiver that does not answer within this long counts as a failed attempt (WEBHOOK_TIMEOUT_MS). */
  webhookTimeoutMs: number;
}

export interface Config {
  port: number;
  host: string;
  dbPath: string;
  dataDir: string;
  logLevel: LogLevel;
  synchronous: Synchronous;
  /** Origins allowed to open sockets and send cookie-bearing writes, besides the page's own origin. */
  allowedOrigins: string[];
  /** EMBED_ORIGINS: the default embedding site's allowed origins, set at start when no site exists yet. */
  embedOrigins: string[];
  /** Express "trust proxy" value: false, a hop count, or a list of subnets. */
  trustProxy: boolean | number | string;
  cookieSecure: 'auto' | boolean;
  sessionSecret?: string;
  ipHashKey?: string;
  adminUser?: string;
  adminPassword?: string;
  sessionTtlMs: number;
  maxBodyBytes: number;
  socketMaxBytes: number;
  /** A socket whose unsent output passes either bound is dropped (it reconnects and catches up). */
  socketMaxQueueBytes: number;
  socketMaxQueuePackets: number;
  /** A socket that negotiated acks and is further behind than either bound is dropped (realtime/flow.ts). */
  socketMaxUnackedBytes: number;
  socketMaxUnackedPackets: number;
  /** ... and has not acked for this long: a reader behind but still acking is slow, not gone. */
  socketAckPatienceMs: number;
  /** Open sockets one network may hold at once; also the most one network adds to presence. */
  socketMaxPerNetwork: number;
  /** Minimum time between page load and a no-JS form submit before it is treated as a bot. */
  formMinMs: number;
  rateLimits: RateLimits;
  contentDir: string;
  defaultArticle?: string;
  /** log2 of scrypt's N for new password hashes; unset = 17 (OWASP). Lower only for tests. */
  scryptLog2N?: number;
  /** How often the maintenance chores run (pruning logs, counters and idle authors). */
  maintenanceIntervalMs: number;
  /** The site's public origin (PUBLIC_URL), when set. */
  publicUrl?: string;
  /** Host headers accepted (host[:port], lower case): PUBLIC_URL's host plus ALLOWED_HOSTS. Empty = any. */
  allowedHosts: string[];
  /** How long a write waits for a write lock another process holds before answering 503 storage_busy. */
  dbLockTimeoutMs: number;
  /** Allow creating a fresh database where an earlier one left traces (YILUN_INIT=1, or --init in main). */
  init: boolean;
  /** Memory for first pages and article pages kept per article seq (0 turns the cache off). */
  pageCacheBytes: number;
  /** Redis (REDIS_URL): shared fan-out, presence, rate limits and connection caps across nodes; unset = one node. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel Yilun uses (REDIS_PREFIX), so several sites or test runs can share one Redis. */
  redisPrefix: string;
  /** Bearer token that opens GET /metrics (METRICS_TOKEN); unset = /metrics answers 404. */
  metricsToken?: string;
  /** DATABASE_URL=postgres://...: store everything in PostgreSQL instead of the SQLite file. */
  databaseUrl?: string;
  /** Connections each node keeps to PostgreSQL at most (DATABASE_POOL_MAX). */
  databasePoolMax: number;
  /** IANA time zone every time is shown in (TIMEZONE, default Asia/Shanghai). */
  timeZone: string;
  /** UI language when neither the lang cookie/query nor Accept-Language picks one (DEFAULT_LANG). */
  defaultLang: 'zh-CN' | 'en';
  /** Notifications (issue 13): SMTP_URL unset hides every email option. */
  notify: NotifyConfig;
}

function parseHosts(publicUrl: string | undefined, raw: string | undefined, problems: string[]): { publicUrl?: string; hosts: string[] } {
  const hosts: string[] = [];
  let origin: string | undefined;
  if (publicUrl) {
    const u = parseHttpUrl(publicUrl);
    if (u) {
      origin = u.origin;
      hosts.push(u.host.toLowerCase());
    } else problems.push(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  }
  for (const part of (raw ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(part)) hosts.push(part);
    else problems.push(`ALLOWED_HOSTS has an invalid host "${part}" (expected host or host:port)`);
  }
  return { publicUrl: origin, hosts: [...new Set(hosts)] };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function parseRate(raw: string | undefined, fallback: RateLimit, key: string, problems: string[]): RateLimit {
  if (raw === undefined || raw === '') return fallback;
  // "limit/seconds", e.g. "5/60" = five per minute.
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(raw.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0) {
    problems.push(`${key} must look like LIMIT/SECONDS (e.g. 5/60), got "${raw}"`);
    return fallback;
  }
  return { limit: Number(m[1]), windowMs: Math.round(Number(m[2]) * 1000) };
}

export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({
  postAttempt: { limit: 30, windowMs: 60_000 },
  postPerAuthor: { limit: 5, windowMs: 60_000 },
  postPerIp: { limit: 20, windowMs: 60_000 },
  edit: { limit: 10, windowMs: 60_000 },
  like: { limit: 60, windowMs: 60_000 },
  report: { limit: 10, windowMs: 600_000 },
  login: { limit: 10, windowMs: 600_000 },
  socketConnectPerIp: { limit: 30, windowMs: 60_000 },
  socketEvents: { limit: 30, windowMs: 10_000 },
  get: { limit: 300, windowMs: 60_000 },
  join: { limit: 10, windowMs: 60_000 },
  joinPerIp: { limit: 60, windowMs: 60_000 },
});

const RATE_KEYS: Record<keyof RateLimits, string> = {
  postAttempt: 'RATE_POST_ATTEMPT',
  postPerAuthor: 'RATE_POST_AUTHOR',
  postPerIp: 'RATE_POST_IP',
  edit: 'RATE_EDIT',
  like: 'RATE_LIKE',
  report: 'RATE_REPORT',
  login: 'RATE_LOGIN',
  socketConnectPerIp: 'RATE_SOCKET_CONNECT',
  socketEvents: 'RATE_SOCKET_EVENTS',
  get: 'RATE_GET',
  join: 'RATE_JOIN',
  joinPerIp: 'RATE_JOIN_IP',
};

export const RATE_ENV_KEYS = RATE_KEYS;

function parseInteger(raw: string | undefined, fallback: number, key: string, min: number, max: number, problems: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return n;
}

function parseTrustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

function parseOrigins(raw: string | undefined, problems: string[], key = 'ALLOWED_ORIGINS'): string[] {
  if (!raw) return [];
  const out: string[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const u = parseHttpUrl(part);
    if (u) out.push(u.origin);
    else problems.push(`${key} has an invalid origin "${part}"`);
  }
  return out;
}

function parseRedisUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol === 'redis:' || u.protocol === 'rediss:') return raw;
  } catch {
    // reported below
  }
  problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  return undefined;
}

function parseSmtpUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (!raw) return undefined;
  if (/^smtps?:\/\/[^\s]+$/.test(raw)) return raw;
  problems.push('SMTP_URL must be an smtp:// or smtps:// URL');
  return undefined;
}

/** Reads configuration from an env-like object; throws ConfigError naming every bad key. */
export function loadConfig(env: Env = {}, cwd = process.cwd()): Readonly<Config> {
  const problems: string[] = [];
  const port = parseInteger(env.PORT, 3000, 'PORT', 0, 65535, problems);
  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const synchronous = (env.DB_SYNCHRONOUS ?? 'FULL').toUpperCase() as Synchronous;
  if (!['FULL', 'NORMAL', 'EXTRA'].includes(synchronous)) problems.push(`DB_SYNCHRONOUS must be FULL, NORMAL or EXTRA, got "${env.DB_SYNCHRONOUS}"`);
  const dataDir = path.resolve(cwd, env.DATA_DIR ?? './data');
  const dbPath = env.DB_PATH === ':memory:' ? ':memory:' : path.resolve(cwd, env.DB_PATH ?? path.join(dataDir, 'yilun.db'));
  let cookieSecure: 'auto' | boolean = 'auto';
  if (env.COOKIE_SECURE === 'true') cookieSecure = true;
  else if (env.COOKIE_SECURE === 'false') cookieSecure = false;
  else if (env.COOKIE_SECURE && env.COOKIE_SECURE !== 'auto') problems.push(`COOKIE_SECURE must be auto, true or false, got "${env.COOKIE_SECURE}"`);
  if (env.SESSION_SECRET !== undefined && env.SESSION_SECRET.length < 32) problems.push('SESSION_SECRET must be at least 32 characters');
  if (env.IP_HASH_KEY !== undefined && env.IP_HASH_KEY.length < 32) problems.push('IP_HASH_KEY must be at least 32 characters');
  if ((env.ADMIN_USER && !env.ADMIN_PASSWORD) || (!env.ADMIN_USER && env.ADMIN_PASSWORD)) problems.push('ADMIN_USER and ADMIN_PASSWORD must be set together');
  if (env.ADMIN_PASSWORD !== undefined && env.ADMIN_PASSWORD.length > 0 && env.ADMIN_PASSWORD.length < 10) problems.push('ADMIN_PASSWORD must be at least 10 characters');

  const hosts = parseHosts(env.PUBLIC_URL, env.ALLOWED_HOSTS, problems);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
    // Every node must sign sessions and hash networks alike: secrets generated per node would silently
    // end sessions and let bans miss whenever a request lands on another node.
    if (!env.SESSION_SECRET) problems.push('SESSION_SECRET must be set when DATABASE_URL is set (the same value on every node)');
    if (!env.IP_HASH_KEY) problems.push('IP_HASH_KEY must be set when DATABASE_URL is set (the same value on every node)');
  }
  const rateLimits = {} as RateLimits;
  for (const [name, key] of Object.entries(RATE_KEYS) as [keyof RateLimits, string][]) {
    rateLimits[name] = Object.freeze(parseRate(env[key], DEFAULT_RATE_LIMITS[name], key, problems));
  }

  const config: Config = {
    port,
    host: env.HOST ?? '0.0.0.0',
    dbPath,
    dataDir,
    logLevel,
    synchronous,
    allowedOrigins: parseOrigins(env.ALLOWED_ORIGINS, problems),
    embedOrigins: parseOrigins(env.EMBED_ORIGINS, problems, 'EMBED_ORIGINS'),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    cookieSecure,
    sessionSecret: env.SESSION_SECRET,
    ipHashKey: env.IP_HASH_KEY,
    adminUser: env.ADMIN_USER || undefined,
    adminPassword: env.ADMIN_PASSWORD || undefined,
    sessionTtlMs: parseInteger(env.SESSION_TTL_HOURS, 12, 'SESSION_TTL_HOURS', 1, 24 * 90, problems) * 3_600_000,
    maxBodyBytes: parseInteger(env.MAX_BODY_BYTES, 32 * 1024, 'MAX_BODY_BYTES', 1024, 1024 * 1024, problems),
    socketMaxBytes: parseInteger(env.SOCKET_MAX_BYTES, 32 * 1024, 'SOCKET_MAX_BYTES', 1024, 1024 * 1024, problems),
    socketMaxQueueBytes: parseInteger(env.SOCKET_MAX_QUEUE_BYTES, 1024 * 1024, 'SOCKET_MAX_QUEUE_BYTES', 4096, 1024 ** 3, problems),
    socketMaxQueuePackets: parseInteger(env.SOCKET_MAX_QUEUE_PACKETS, 2000, 'SOCKET_MAX_QUEUE_PACKETS', 10, 1_000_000, problems),
    // The floors leave room for the client's ack cadence (realtime/flow.ts ACK_EVERY_*) four times over.
    socketMaxUnackedBytes: parseInteger(env.SOCKET_MAX_UNACKED_BYTES, 64 * 1024, 'SOCKET_MAX_UNACKED_BYTES', 64 * 1024, 1024 ** 3, problems),
    socketMaxUnackedPackets: parseInteger(env.SOCKET_MAX_UNACKED_PACKETS, 1000, 'SOCKET_MAX_UNACKED_PACKETS', 200, 1_000_000, problems),
    socketAckPatienceMs: parseInteger(env.SOCKET_ACK_PATIENCE_MS, 3000, 'SOCKET_ACK_PATIENCE_MS', 0, 600_000, problems),
    socketMaxPerNetwork: parseInteger(env.SOCKET_MAX_PER_NETWORK, 20, 'SOCKET_MAX_PER_NETWORK', 1, 100_000, problems),
    formMinMs: parseInteger(env.FORM_MIN_SECONDS, 3, 'FORM_MIN_SECONDS', 0, 600, problems) * 1000,
    rateLimits: Object.freeze(rateLimits),
    contentDir: env.CONTENT_DIR ? path.resolve(cwd, env.CONTENT_DIR) : paths.content(),
    defaultArticle: env.DEFAULT_ARTICLE || undefined,
    scryptLog2N: env.SCRYPT_LOG2_N ? parseInteger(env.SCRYPT_LOG2_N, 17, 'SCRYPT_LOG2_N', 10, 20, problems) : undefined,
    maintenanceIntervalMs: parseInteger(env.MAINTENANCE_MINUTES, 60, 'MAINTENANCE_MINUTES', 1, 24 * 60, problems) * 60_000,
    publicUrl: hosts.publicUrl,
    allowedHosts: hosts.hosts,
    dbLockTimeoutMs: parseInteger(env.DB_LOCK_TIMEOUT_MS, 5000, 'DB_LOCK_TIMEOUT_MS', 0, 600_000, problems),
    init: env.YILUN_INIT === '1' || env.YILUN_INIT === 'true',
    pageCacheBytes: parseInteger(env.PAGE_CACHE_BYTES, 32 * 1024 * 1024, 'PAGE_CACHE_BYTES', 0, 4 * 1024 ** 3, problems),
    redisUrl: parseRedisUrl(env.REDIS_URL, problems),
    redisPrefix: env.REDIS_PREFIX ?? 'yilun',
    metricsToken: env.METRICS_TOKEN || undefined,
    databaseUrl,
    databasePoolMax: parseInteger(env.DATABASE_POOL_MAX, 10, 'DATABASE_POOL_MAX', 1, 1000, problems),
    timeZone: env.TIMEZONE || 'Asia/Shanghai',
    defaultLang: env.DEFAULT_LANG === 'en' ? 'en' : 'zh-CN',
    notify: Object.freeze({
      smtpUrl: parseSmtpUrl(env.SMTP_URL, problems),
      mailFrom: env.MAIL_FROM || 'Yilun <no-reply@localhost>',
      digestMs: parseInteger(env.NOTIFY_DIGEST_MINUTES, 15, 'NOTIFY_DIGEST_MINUTES', 0, 24 * 60, problems) * 60_000,
      pollMs: parseInteger(env.NOTIFY_POLL_MS, 5000, 'NOTIFY_POLL_MS', 20, 3_600_000, problems),
      retryMs: parseInteger(env.NOTIFY_RETRY_MS, 60_000, 'NOTIFY_RETRY_MS', 10, 3_600_000, problems),
      attempts: parseInteger(env.NOTIFY_ATTEMPTS, 6, 'NOTIFY_ATTEMPTS', 1, 20, problems),
      webhookTimeoutMs: parseInteger(env.WEBHOOK_TIMEOUT_MS, 10_000, 'WEBHOOK_TIMEOUT_MS', 100, 120_000, problems),
    }),
  };
  if (!isTimeZone(config.timeZone)) problems.push(`TIMEZONE must be an IANA time zone such as Asia/Shanghai, got "${env.TIMEZONE}"`);
  if (env.DEFAULT_LANG && !['zh-CN', 'en'].includes(env.DEFAULT_LANG)) problems.push(`DEFAULT_LANG must be zh-CN or en, got "${env.DEFAULT_LANG}"`);
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(config.redisPrefix)) problems.push(`REDIS_PREFIX must be 1-64 letters, digits or _ . : -, got "${env.REDIS_PREFIX}"`);
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}
