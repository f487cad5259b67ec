// Test helper for moderation: moderator accounts, signed-in moderator agents, /moderation sockets and
// the admin route table as the server declares it and as Express actually registered it.
import type { Socket } from 'socket.io-client';
import { createModerator } from '../../server/moderation/auth.service';
import { adminRoutes, type AdminRoute } from '../../server/moderation/moderation.routes';
import type { Moderator, Role } from '../../server/moderation/moderators.repo';
import type { HttpContext } from '../../server/http/http.context';
import { connectSocket, postComment, reader, type Reader, type TestServer } from './server';

export const PASSWORD = 'correct-horse-battery';

export async function createMod(s: TestServer, username: string, role: Role = 'moderator', password = PASSWORD): Promise<Moderator> {
  return createModerator(s.app.deps, username, password, role);
}

/** A fresh agent that posts the login form; the agent keeps whatever cookie the server set. */
export async function login(s: TestServer, username: string, password = PASSWORD) {
  const agent = reader(s);
  const res = await agent.post('/api/admin/login', { username, password });
  return { agent, res };
}

export type ModAgent = Reader & { moderator: Moderator };

/** Creates the account and signs it in; fails loudly when the login does not succeed. */
export async function signedIn(s: TestServer, username: string, role: Role = 'moderator'): Promise<ModAgent> {
  const moderator = await createMod(s, username, role);
  const { agent, res } = await login(s, username);
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return Object.assign(agent, { moderator });
}

export function modSocket(s: TestServer, agent: Reader): Promise<Socket> {
  return connectSocket(s, { cookie: agent.cookie(), namespace: '/moderation' });
}

/** The connect_error a /moderation connection attempt ends with (or null when it connected). */
export async function refusedConnect(s: TestServer, cookie?: string): Promise<{ message: string; data?: { code: string } } | null> {
  try {
    const socket = await connectSocket(s, { cookie, namespace: '/moderation' });
    socket.disconnect();
    return null;
  } catch (err) {
    return err as { message: string; data?: { code: string } };
  }
}

/**
 * The table the admin router is built from. Building it only reads ctx.deps, so the running app's deps
 * suffice; the handlers (which need the rest of the context) are never called here.
 */
export function adminRouteTable(s: TestServer): AdminRoute[] {
  return adminRoutes({ deps: s.app.deps } as unknown as HttpContext);
}

interface Layer {
  route?: { path: string | RegExp | (string | RegExp)[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every "METHOD path" Express has registered under /api/admin, found by walking the router stack. */
export function registeredAdminRoutes(s: TestServer): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          // A pattern route that would catch an admin URL is reported as such, so it fails any comparison.
          const admin = typeof p === 'string' ? p.startsWith('/api/admin') : (p as RegExp).test('/api/admin/x');
          if (!admin) continue;
          for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') found.push(`${m.toUpperCase()} ${String(p)}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((s.app.app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

/** A route path with its parameters filled in; the default id names nothing, so no request changes a real record. */
export function concretePath(path: string, params: { id?: number; slug?: string } = {}): string {
  return path.replace(':id', String(params.id ?? 999_999)).replace(':slug', params.slug ?? 'test-article');
}

/** Sends one admin-table request through an agent (with our Origin, like the console would). */
export function send(agent: Reader, route: Pick<AdminRoute, 'method' | 'path'>, body: object = {}) {
  const path = concretePath(route.path);
  if (route.method === 'get') return agent.get(path);
  if (route.method === 'delete') return agent.delete(path);
  return agent[route.method](path, body);
}

/** Posts a comment as a new reader and returns the reader with the stored comment. */
export async function commentBy(s: TestServer, body: string, r: Reader = reader(s), extra: { parentId?: number; authorName?: string } = {}) {
  const res = await postComment(r, s.article.slug, { body, ...extra });
  if (res.status !== 201) throw new Error(`post failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { reader: r, comment: res.body.comment as { id: number; status: string } };
}

/** A nextEvent predicate for reader comment events about one comment. */
export const forId = (id: number) => (p: { id: number; comment: any }) => p.id === id;

export async function auditEntries(agent: Reader) {
  const res = await agent.get('/api/admin/audit');
  return res.body.entries as { moderatorName: string | null; moderatorId: number | null; action: string; targetType: string; targetId: number | null; reason: string | null; details: any }[];
}
