// Owns which address counts as the client: the socket peer, or with TRUST_PROXY the X-Forwarded-For hop it allows.
// The peer is captured when the TCP connection opens: a client that sends its request and resets the
// connection leaves req.socket.remoteAddress empty, and "no address" must never mean "no limits".
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import proxyaddr from 'proxy-addr';

/** Always an address: requests whose peer is unknown all share this one, so they share one tight bucket. */
export type ClientIp = (req: IncomingMessage) => string;

/** The shared stand-in address (not a valid IP, so it can never collide with a real network). */
export const UNKNOWN_PEER = 'unknown-peer';

const PEER = Symbol('yilun.peer');
type PeerSocket = Socket & { [PEER]?: string };

/** Remembers every connection's peer address before any request on it is parsed. */
export function capturePeers(server: Server): void {
  server.prependListener('connection', (socket: PeerSocket) => {
    if (socket.remoteAddress) socket[PEER] = socket.remoteAddress;
  });
}

/** The TCP peer of a request: captured at connect, else whatever the socket still knows. */
export function peerAddress(req: IncomingMessage): string | undefined {
  const socket = req.socket as PeerSocket | undefined;
  return socket?.[PEER] ?? socket?.remoteAddress ?? undefined;
}

export function createClientIp(trustProxy: boolean | number | string): ClientIp {
  // No proxy trusted (the default): the peer is the client, without walking X-Forwarded-For.
  if (trustProxy === false || trustProxy === 0) return (req) => peerAddress(req) || UNKNOWN_PEER;
  let trust: (addr: string, i: number) => boolean;
  if (trustProxy === true) trust = () => true;
  else if (typeof trustProxy === 'number') trust = (_a, i) => i < trustProxy;
  else trust = proxyaddr.compile(trustProxy.split(',').map((s) => s.trim()));
  return (req) => {
    const peer = peerAddress(req);
    if (!peer) return UNKNOWN_PEER;
    // proxy-addr reads the socket's address itself; hand it the captured peer as the last hop.
    const view = { headers: req.headers, socket: { remoteAddress: peer }, connection: { remoteAddress: peer } };
    return proxyaddr(view as unknown as Parameters<typeof proxyaddr>[0], trust) || UNKNOWN_PEER;
  };
}
