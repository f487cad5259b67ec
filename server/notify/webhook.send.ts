// Owns one webhook request: the body in the endpoint's format (plain JSON, 企业微信, 钉钉, 飞书 group bots), the
// HMAC-SHA256 signature with its timestamp, and the guard that keeps webhooks off loopback and private networks:
// the name is resolved here, every address is checked, and the connection goes to the checked address (and
// its remote address is checked again once connected), so DNS rebinding cannot slip past.
import crypto from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { WebhookFormat } from '../db/notify.types';

/** The event as every plain-JSON receiver gets it (never an email address, never an IP hash). */
export interface WebhookEvent {
  id: string;
  event: string;
  occurredAt: string;
  article?: { slug: string; title: string; url: string };
  comment?: { id: number; parentId: number | null; authorName: string; body: string; status: string; url: string };
  author?: { id: number };
  test?: boolean;
}

const BLOCKED = new net.BlockList();
for (const [net4, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net4, bits, 'ipv4');
for (const [net6, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) BLOCKED.addSubnet(net6, bits, 'ipv6');

/** Loopback, private, link-local, shared, multicast or reserved (an IPv4-mapped IPv6 address is checked as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  const family = net.isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function summary(e: WebhookEvent, lang: 'zh-CN' | 'en' = 'zh-CN'): string {
  const zh = lang === 'zh-CN';
  const names: Record<string, [string, string]> = {
    'comment.created': ['新评论', 'New comment'],
    'comment.edited': ['评论被编辑', 'Comment edited'],
    'comment.removed': ['评论被移除', 'Comment removed'],
    'comment.held': ['评论待审核', 'Comment held for review'],
    'comment.reported': ['评论被举报', 'Comment reported'],
    'author.banned': ['作者被封禁', 'Author banned'],
    test: ['议论 webhook 测试', 'Yilun webhook test'],
  };
  const [zhName, enName] = names[e.test ? 'test' : e.event] ?? [e.event, e.event];
  const lines = [`[${zh ? zhName : enName}]`];
  if (e.article) lines.push(`${e.article.title}`);
  if (e.comment) lines.push(`${e.comment.authorName}${zh ? '：' : ': '}${e.comment.body.slice(0, 500)}`, e.comment.url);
  if (e.author && !e.comment) lines.push(`${zh ? '作者' : 'author'} #${e.author.id}`);
  return lines.join('\n');
}

/** The request body for an endpoint's format; the bots' own signing (钉钉 URL sign, 飞书 body sign) uses the secret too. */
export function formatBody(format: WebhookFormat, e: WebhookEvent, secret: string, nowMs: number): { url?: (u: URL) => void; body: unknown } {
  const text = summary(e);
  switch (format) {
    case 'wecom':
      return { body: { msgtype: 'text', text: { content: text } } };
    case 'dingtalk': {
      const timestamp = String(nowMs);
      const sign = crypto.createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
      return {
        url: (u) => {
          u.searchParams.set('timestamp', timestamp);
          u.searchParams.set('sign', sign);
        },
        body: { msgtype: 'text', text: { content: text } },
      };
    }
    case 'feishu': {
      const timestamp = String(Math.floor(nowMs / 1000));
      const sign = crypto.createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
      return { body: { timestamp, sign, msg_type: 'text', content: { text } } };
    }
    default:
      return { body: e };
  }
}

/** X-Yilun-Signature: "sha256=" + hex HMAC-SHA256(secret, "<X-Yilun-Timestamp>.<raw body>"). */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number;
  /** The destination is not allowed: no retry helps. */
  refused?: boolean;
}

export class DestinationRefused extends Error {}

export async function sendWebhook(a: {
  url: string;
  format: WebhookFormat;
  secret: string;
  event: WebhookEvent;
  idemKey: string;
  allowPrivate: boolean;
  timeoutMs: number;
  now: () => number;
}): Promise<SendResult> {
  const started = Date.now();
  const u = new URL(a.url);
  const literal = u.hostname.replace(/^\[|\]$/g, '');
  if (!a.allowPrivate && net.isIP(literal) && isPrivateAddress(literal)) {
    return { ok: false, status: null, error: 'destination is a private or loopback address', latencyMs: 0, refused: true };
  }
  const { url: signUrl, body } = formatBody(a.format, a.event, a.secret, a.now());
  signUrl?.(u);
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(a.now() / 1000));
  const lookup: net.LookupFunction = (host, opts, cb) => {
    dns.lookup(host, { all: true }, (err, addrs) => {
      if (err) return cb(err, '', 4);
      const list = addrs as dns.LookupAddress[];
      if (!a.allowPrivate && list.some((x) => isPrivateAddress(x.address))) return cb(new DestinationRefused('destination is a private or loopback address'), '', 4);
      const first = list[0];
      if ((opts as { all?: boolean }).all) return (cb as unknown as (e: null, l: dns.LookupAddress[]) => void)(null, [first]);
      cb(null, first.address, first.family);
    });
  };
  return new Promise<SendResult>((resolve) => {
    const done = (r: Omit<SendResult, 'latencyMs'>) => resolve({ ...r, latencyMs: Date.now() - started });
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, {
      method: 'POST',
      lookup,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': 'Yilun-Webhook/1',
        'X-Yilun-Event': a.event.event,
        'X-Yilun-Delivery': a.idemKey,
        'Idempotency-Key': a.idemKey,
        'X-Yilun-Timestamp': timestamp,
        'X-Yilun-Signature': signBody(a.secret, timestamp, raw),
        'Content-Length': Buffer.byteLength(raw),
      },
    });
    req.setTimeout(a.timeoutMs, () => req.destroy(new Error(`no answer within ${a.timeoutMs} ms`)));
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        // A literal IP in the URL skips lookup: the address actually connected to is checked here too.
        const remote = socket.remoteAddress ?? '';
        if (!a.allowPrivate && isPrivateAddress(remote)) req.destroy(new DestinationRefused('destination is a private or loopback address'));
      });
    });
    req.on('response', (res) => {
      let seen = 0;
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > 64 * 1024) res.destroy();
      });
      res.on('close', () => {
        const status = res.statusCode ?? 0;
        done({ ok: status >= 200 && status < 300, status, error: status >= 200 && status < 300 ? null : `HTTP ${status}` });
      });
    });
    req.on('error', (err) => done({ ok: false, status: null, error: err.message.slice(0, 300), refused: err instanceof DestinationRefused }));
    req.end(raw);
  });
}

/** Whether a configured URL may be saved: http(s), and (unless allowed) not resolving to a private address. */
export async function checkDestination(url: string, allowPrivate: boolean): Promise<'ok' | 'invalid' | 'private'> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'invalid';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'invalid';
  if (u.username || u.password) return 'invalid';
  if (allowPrivate) return 'ok';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return isPrivateAddress(host) ? 'private' : 'ok';
  try {
    const addrs = await dns.promises.lookup(host, { all: true });
    return addrs.some((a) => isPrivateAddress(a.address)) ? 'private' : 'ok';
  } catch {
    // Not resolvable now: the send-time check decides.
    return 'ok';
  }
}
