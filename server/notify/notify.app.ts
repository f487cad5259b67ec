// Owns assembling notifications for one app: the mailer (only with SMTP_URL), the delivery worker, and the
// reader and admin routes. app.ts holds one of these and nudges it after every published domain event.
import { Router } from 'express';
import type { Deps } from '../deps';
import type { DomainEvent } from '../events';
import type { HttpContext } from '../http/http.context';
import type { Secrets } from '../security/secrets';
import { createMailer, type Mailer } from './notify.mailer';
import { notifyRouter } from './notify.routes';
import { createNotifyWorker, type NotifyWorker } from './notify.worker';

export interface Notifications {
  worker: NotifyWorker;
  mailer?: Mailer;
  shared: { mailEnabled: boolean; nudge(): void };
  routers(ctx: HttpContext): Router;
  start(): void;
  stop(): Promise<void>;
  /** A comment write, report or ban was just committed: its outbox rows want a pass. */
  nudgeFor(e: DomainEvent): void;
}

const CAUSES_NOTIFICATIONS = new Set<DomainEvent['type']>(['comment.changed', 'comment.reported', 'moderation.changed']);

export function createNotifications(deps: Deps & { secrets: Secrets }): Notifications {
  const mailer = createMailer(deps.config.notify);
  const worker = createNotifyWorker({ ...deps, mailer });
  const shared = { mailEnabled: !!mailer, nudge: () => worker.nudge() };
  return {
    worker,
    mailer,
    shared,
    routers: (ctx) => Router().use(notifyRouter(ctx, shared)),
    start: () => worker.start(),
    stop: async () => {
      await worker.stop();
      mailer?.close();
    },
    nudgeFor: (e) => {
      if (CAUSES_NOTIFICATIONS.has(e.type)) worker.nudge();
    },
  };
}
