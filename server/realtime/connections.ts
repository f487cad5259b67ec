// Owns how many engine.io connections each network holds open: counted when a connection really opens
// (the engine's 'connection', whatever the handshake URL said), released when it closes. A network at its
// cap is refused at the handshake; one that slipped past in a burst of concurrent handshakes is closed.
// In memory on one node; connections.redis.ts counts over every node.
/** In memory the answers come at once (every handshake of a reconnect storm asks), across nodes from Redis. */
export interface NetworkConnections {
  /** True when the network already holds its cap of open connections. */
  full(network: string): boolean | Promise<boolean>;
  /** Counts an opened connection; false (and not counted) when that would go past the cap. */
  open(network: string, connId: string): boolean | Promise<boolean>;
  close(network: string, connId: string): void;
  stop(): void;
}

export function createNetworkConnections(cap: number): NetworkConnections {
  const open = new Map<string, number>();
  /** Connections counted (a close may come for one that was refused, or twice). */
  const counted = new Set<string>();
  const count = (network: string) => open.get(network) ?? 0;
  return {
    full: (network) => count(network) >= cap,
    open(network, connId) {
      const n = count(network);
      if (n >= cap) return false;
      open.set(network, n + 1);
      counted.add(connId);
      return true;
    },
    close(network, connId) {
      if (!counted.delete(connId)) return;
      const n = count(network) - 1;
      if (n <= 0) open.delete(network);
      else open.set(network, n);
    },
    stop: () => undefined,
  };
}
