// Owns turning a client IP into the keyed hash Yilun stores: raw IPs never reach the database or the logs.
import crypto from 'node:crypto';
import net from 'node:net';

/** IPv4 counts as one address; IPv6 as its /64 network, since one subscriber typically holds a whole /64. */
export function networkOf(ip: string): string {
  let addr = ip.trim();
  if (addr.startsWith('::ffff:') && net.isIPv4(addr.slice(7))) addr = addr.slice(7);
  if (net.isIPv4(addr)) return addr;
  if (!net.isIPv6(addr)) return addr;
  const [head, tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.slice(0, 4).map((g) => parseInt(g || '0', 16).toString(16)).join(':') + '::/64';
}

/** Never null: every per-network check needs a key (an unknown peer arrives as one shared stand-in address). */
export type IpHasher = (ip: string) => string;

/** Addresses whose hash is remembered: a busy node sees far fewer networks than this in the minutes that matter. */
export const IP_HASH_MEMO = 10_000;

/**
 * The same address always gives the same hash, so it is worked out once per address while the address keeps coming:
 * one HMAC per network instead of one per request and three per socket handshake. The memo lives in memory only
 * (like the key itself) and forgets the oldest addresses past IP_HASH_MEMO, so it cannot grow without bound.
 */
export function createIpHasher(key: string): IpHasher {
  const memo = new Map<string, string>();
  return (ip) => {
    let h = memo.get(ip);
    if (h !== undefined) return h;
    h = crypto.createHmac('sha256', key).update(networkOf(ip)).digest('base64url').slice(0, 22);
    if (memo.size >= IP_HASH_MEMO) memo.delete(memo.keys().next().value as string);
    memo.set(ip, h);
    return h;
  };
}
