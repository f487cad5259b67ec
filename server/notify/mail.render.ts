// Owns turning a notification into a mail: subject, HTML and text parts from the EJS templates in views/mail,
// in the recipient's language. Every reader-written string is escaped by the HTML templates (<%= %>).
import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { paths } from '../paths';
import { fill } from '../i18n/strings';
import { MAIL_STRINGS } from '../i18n/mail.strings';
import type { MailLang, SubscriptionScope } from '../db/notify.types';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

type Template = (locals: Record<string, unknown>) => string;
const compiled = new Map<string, Template>();

function template(name: string): Template {
  let t = compiled.get(name);
  if (!t) {
    const file = path.join(paths.views(), 'mail', `${name}.ejs`);
    t = ejs.compile(fs.readFileSync(file, 'utf8'), { filename: file }) as Template;
    compiled.set(name, t);
  }
  return t;
}

function render(name: string, lang: MailLang, subject: string, locals: Record<string, unknown>): RenderedMail {
  const all = { ...locals, lang, subject, m: MAIL_STRINGS[lang], fill };
  // Text parts are plain text: a line break inside a reader's text cannot forge a header (they are the body).
  return { subject, html: template(`${name}.html`)(all), text: template(`${name}.text`)(all).replace(/\n{3,}/g, '\n\n') };
}

/** Subjects are one line: any control character a title might carry becomes a space. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200);

export function renderConfirm(a: { lang: MailLang; title: string; scope: SubscriptionScope; confirmUrl: string }): RenderedMail {
  return render('confirm', a.lang, oneLine(fill(MAIL_STRINGS[a.lang].confirmSubject, { title: a.title })), a);
}

export interface ReplyItem {
  authorName: string;
  replyToName: string | null;
  body: string;
  link: string;
  time: string;
}

export function renderReplies(a: { lang: MailLang; title: string; items: ReplyItem[]; unsubscribeThread: string; unsubscribeAll: string }): RenderedMail {
  return render('replies', a.lang, oneLine(fill(MAIL_STRINGS[a.lang].repliesSubject, { title: a.title, n: a.items.length })), a);
}

export interface AlertItem {
  kind: 'held' | 'reported';
  articleTitle: string;
  authorName: string;
  body: string;
  time: string;
}

export function renderAlert(a: { lang: MailLang; items: AlertItem[]; consoleUrl: string }): RenderedMail {
  return render('alert', a.lang, oneLine(fill(MAIL_STRINGS[a.lang].alertSubject, { n: a.items.length })), a);
}
