// Owns sending one mail through nodemailer to SMTP_URL. Absent without SMTP_URL (every email option is then hidden).
import type nodemailer from 'nodemailer';
import type { NotifyConfig } from '../config';
import type { RenderedMail } from './mail.render';

export interface OutgoingMail extends RenderedMail {
  to: string;
  /** The delivery's idempotency key: the Message-ID, so a repeat after a crash is recognisable. */
  idemKey: string;
  /** Message-IDs of the thread this mail belongs to (In-Reply-To / References). */
  thread?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(m: OutgoingMail): Promise<void>;
  close(): void;
}

export function createMailer(config: NotifyConfig): Mailer | undefined {
  if (!config.smtpUrl) return undefined;
  // nodemailer is loaded only when SMTP_URL is set.
  const transport = (require('nodemailer') as typeof nodemailer).createTransport(config.smtpUrl, { from: config.mailFrom });
  const domain = (/@([^>\s]+)>?\s*$/.exec(config.mailFrom)?.[1] ?? 'yilun.local').toLowerCase();
  const id = (key: string) => `<${key.replace(/[^A-Za-z0-9._-]/g, '-')}@${domain}>`;
  return {
    async send(m) {
      await transport.sendMail({
        to: m.to,
        subject: m.subject,
        html: m.html,
        text: m.text,
        messageId: id(m.idemKey),
        inReplyTo: m.thread ? id(m.thread) : undefined,
        references: m.thread ? [id(m.thread)] : undefined,
        headers: { 'X-Idempotency-Key': m.idemKey, ...m.headers },
      });
    },
    close: () => transport.close(),
  };
}
