// Owns how many engine.io connections each network holds open: counted when a connection really opens
// (the engine's 'connection', whatever the handshake URL said), released when it closes. A network at its
// cap is refused at the handshake; one that slipped past in a burst of concurrent handshakes is closed.
export interface NetworkConnections {
  /** True when the network already holds its cap of open connections. */
  full(network: string): boolean;
  /** Counts an opened connection; false (and not counted) when that would go past the cap. */
  open(network: string): boolean;
  close(network: string): void;
  count(network: string): number;
}

export function createNetworkConnections(cap: number): NetworkConnections {
  const open = new Map<string, number>();
  const count = (network: string) => open.get(network) ?? 0;
  return {
    count,
    full: (network) => count(network) >= cap,
    open(network) {
      const n = count(network);
      if (n >= cap) return false;
      open.set(network, n + 1);
      return true;
    },
    close(network) {
      const n = count(network) - 1;
      if (n <= 0) open.delete(network);
      else open.set(network, n);
    },
  };
}
