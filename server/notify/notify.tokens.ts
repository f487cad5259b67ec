// Owns the tokens in notification links: a random one-time confirmation token (only its hash is stored) and
// unsubscribe tokens derived by HMAC from the session secret, so every mail carries a working link without
// the token being stored anywhere.
import crypto from 'node:crypto';

export const newConfirmToken = () => crypto.randomBytes(24).toString('base64url');
export const hashConfirmToken = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');

const mac = (secret: string, text: string) => crypto.createHmac('sha256', secret).update(text).digest('base64url').slice(0, 32);

/** "<subscription id>.<mac>"; the mac binds the id (and whether it unsubscribes everything) to this server. */
export function unsubscribeToken(secret: string, subscriptionId: number, all: boolean): string {
  return `${subscriptionId}.${all ? 'a' : 't'}.${mac(secret, `unsubscribe:${subscriptionId}:${all ? 'all' : 'thread'}`)}`;
}

export function readUnsubscribeToken(secret: string, token: string): { id: number; all: boolean } | undefined {
  const m = /^(\d{1,15})\.([at])\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return undefined;
  const id = Number(m[1]);
  const all = m[2] === 'a';
  const expected = Buffer.from(unsubscribeToken(secret, id, all));
  const given = Buffer.from(token);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? { id, all } : undefined;
}
