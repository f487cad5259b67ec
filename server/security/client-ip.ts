// Owns which address counts as the client: the socket peer, or with TRUST_PROXY the X-Forwarded-For hop it allows.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export type ClientIp = (req: IncomingMessage) => string | undefined;

export function createClientIp(trustProxy: boolean | number | string): ClientIp {
  let trust: (addr: string, i: number) => boolean;
  if (trustProxy === true) trust = () => true;
  else if (trustProxy === false) trust = () => false;
  else if (typeof trustProxy === 'number') trust = (_a, i) => i < trustProxy;
  else trust = proxyaddr.compile(trustProxy.split(',').map((s) => s.trim()));
  return (req) => {
    if (!req.socket?.remoteAddress) return undefined;
    return proxyaddr(req as Parameters<typeof proxyaddr>[0], trust);
  };
}
