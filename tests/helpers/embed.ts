// Test helper for embedding: a site for a foreign host origin, and a reader that talks to /api/embed the
// way embed.js does (that Origin, a bearer token it keeps, no cookies).
import request from 'supertest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { SignJWT } from 'jose';
import type { Site } from '../../server/db/store';
import type { TestServer } from './server';

export const HOST_ORIGIN = 'http://127.0.0.1:18080';

export async function createSite(s: TestServer, over: Partial<Omit<Site, 'id' | 'createdAt'>> = {}): Promise<Site> {
  const site = await s.store.embed.createSite({ name: '新闻站', origins: [HOST_ORIGIN], moderationMode: null, ssoSecret: null, ssoRequired: false, loginUrl: null, ...over }, s.clock.now);
  return site;
}

export function embedReader(s: TestServer, origin = HOST_ORIGIN) {
  let token: string | undefined;
  let sso: string | undefined;
  const auth = (t: request.Test) => {
    t.set('Origin', origin);
    if (token) t.set('Authorization', `Bearer ${token}`);
    if (sso) t.set('Yilun-SSO', sso);
    return t;
  };
  const keep = (res: request.Response) => {
    if (res.body?.token) token = res.body.token;
    return res;
  };
  return {
    get token() {
      return token;
    },
    signIn(jwt: string | undefined) {
      sso = jwt;
    },
    thread: (page: string, extra = '') => auth(request(s.url).get(`/api/embed/thread?page=${encodeURIComponent(page)}${extra}`)),
    post: async (page: string, body: object) => keep(await auth(request(s.url).post('/api/embed/comments')).send({ page, authorName: '读者', body: '嵌入评论', ...body })),
    edit: (id: number, body: string) => auth(request(s.url).patch(`/api/embed/comments/${id}`)).send({ body }),
    del: (id: number) => auth(request(s.url).delete(`/api/embed/comments/${id}`)),
    like: async (id: number) => keep(await auth(request(s.url).post(`/api/embed/comments/${id}/like`))),
    counts: (pages: string[]) => auth(request(s.url).get(`/api/embed/counts?${pages.map((p) => `page=${encodeURIComponent(p)}`).join('&')}`)),
  };
}

/** A socket as embed.js opens it: the host page's Origin, identity in `auth`. */
export async function embedSocket(s: TestServer, auth: { token?: string; sso?: string } = {}, origin = HOST_ORIGIN): Promise<Socket> {
  const socket = ioClient(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth, extraHeaders: { origin } });
  s.sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  return socket;
}

export function ssoToken(secret: string, claims: { sub: string; name: string; avatar?: string }, exp: number | string = '10m') {
  return new SignJWT({ name: claims.name, ...(claims.avatar ? { avatar: claims.avatar } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}
