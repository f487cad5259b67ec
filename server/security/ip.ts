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

export function createIpHasher(key: string): IpHasher {
  return (ip) => crypto.createHmac('sha256', key).update(networkOf(ip)).digest('base64url').slice(0, 22);
}
