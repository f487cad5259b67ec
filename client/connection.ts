// Owns what the page says about its connection: the browser's offline/online events are noticed at once
// (a socket only finds out after missed pings), presence greys out while disconnected, and coming back
// online asks the socket to reconnect now instead of at its next back-off step.
export interface ConnectionOptions {
  status(msg: string): void;
  presence: HTMLElement;
  offlineText: string;
  reconnect(): void;
}

export function watchConnection(o: ConnectionOptions): { connected(): void; disconnected(): void } {
  let socketUp = false;
  let saying = false;
  const render = () => {
    const offline = !navigator.onLine || !socketUp;
    document.documentElement.classList.toggle('is-offline', offline);
    o.presence.classList.toggle('is-stale', offline);
    if (offline) o.status(o.offlineText);
    else if (saying) o.status('');
    saying = offline;
  };
  window.addEventListener('offline', render);
  window.addEventListener('online', () => {
    render();
    if (!socketUp) o.reconnect();
  });
  return {
    connected() {
      socketUp = true;
      render();
    },
    disconnected() {
      socketUp = false;
      render();
    },
  };
}
