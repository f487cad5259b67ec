// Test helper for the embed's browser tests: a tiny static site of another origin (http://127.0.0.1:P) whose
// pages are the HTML or script given, under a CSP naming only Yilun's origin (as README's "Embed on your site" asks).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Host {
  origin: string;
  close(): Promise<void>;
}

/** csp = false serves the pages without a CSP; frame-src is there only for the cookie probe's frame (the embed needs none). */
export async function hostSite(yilun: string, pages: Record<string, string>, csp = true): Promise<Host> {
  const ws = yilun.replace(/^http/, 'ws');
  const server = http.createServer((req, res) => {
    const body = pages[(req.url ?? '/').split('?')[0]];
    if (req.url === '/favicon.ico') return void res.writeHead(204).end();
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, {
      'Content-Type': req.url!.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
      ...(csp ? { 'Content-Security-Policy': `default-src 'self'; script-src 'self' ${yilun}; connect-src 'self' ${yilun} ${ws}; style-src 'self'; img-src 'self' data: https:; frame-src http://localhost:*` } : {}),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}
