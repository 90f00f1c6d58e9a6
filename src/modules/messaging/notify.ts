import { sql } from 'drizzle-orm';
import type { Locale } from '../../core/i18n/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import type { Channel, DeliveryStatus } from './schema.js';
import { isE164, smsText } from './sms/index.js';
import { renderTemplate } from './templates.js';

export interface Recipient {
  /** The person's portal account: in-portal notices go there. */
  accountId?: string;
  /** E.164, e.g. +26658123456 (use parsePhone from core/phone on typed numbers). */
  phone?: string;
  email?: string;
  /** The language the person chose; every text they get is in it. */
  locale: Locale;
}

export interface NotifyInput {
  to: Recipient;
  /** A template declared with addTemplates, e.g. services.application-submitted */
  template: string;
  params: Record<string, string | number>;
  /** Default: every channel the recipient can be reached on. */
  channels?: readonly Channel[];
  /** What the notification is about (an application, a record), for finding it later. */
  about?: { type: string; id: string };
}

export interface Notification {
  id: string;
  deliveries: { id: string; channel: Channel; status: DeliveryStatus }[];
}

/** Outbox topic of an SMS or e-mail waiting to go; the payload is `{ deliveryId }`. */
export const DELIVERY_REQUESTED = 'messaging.delivery.requested';
export const NOTIFICATION_QUEUED = 'messaging.notification.queued';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function destinationOf(to: Recipient, channel: Channel): string | undefined {
  switch (channel) {
    case 'sms':
      return to.phone;
    case 'email':
      return to.email;
    case 'portal':
      return to.accountId;
  }
}

/**
 * Notifies a person inside the caller's change: the texts are rendered now in their language,
 * the in-portal notice is written with the change, and each SMS or e-mail is queued through the
 * outbox in the same transaction, so a committed state change never loses its notification and
 * a rolled back one never sends it. Delivery happens after commit, with retries (see deliver.ts).
 */
export async function notify(c: Change, input: NotifyInput): Promise<Notification> {
  const { to } = input;
  if (to.phone !== undefined && !isE164(to.phone)) throw new RangeError('notify: phone must be E.164');
  if (to.email !== undefined && !EMAIL.test(to.email)) throw new RangeError('notify: not an e-mail address');
  const channels =
    input.channels ?? (['portal', 'sms', 'email'] as const).filter((ch) => destinationOf(to, ch));
  if (channels.length === 0) throw new RangeError('notify: the recipient has no account, phone or e-mail');
  const texts = renderTemplate(input.template, to.locale, input.params);
  const id = newId();
  const made = [...new Set(channels)].map((channel) => {
    const destination = destinationOf(to, channel);
    if (destination === undefined)
      throw new RangeError(`notify: no ${channel} destination for the recipient`);
    const sms = channel === 'sms' ? smsText(texts.sms) : undefined;
    const status: DeliveryStatus = channel === 'portal' ? 'delivered' : 'queued';
    return {
      id: newId(),
      channel,
      status,
      destination,
      title: channel === 'sms' ? null : texts.subject,
      body: sms?.text ?? texts.body,
      segments: sms?.segments ?? null,
    };
  });
  // Nothing in the change reads them back: they go with its last statement. Plain SQL with the
  // deliveries as column arrays: a notification is written on every step of a case, and building
  // these through the query builder cost twice as much Node time.
  c.write(sql`INSERT INTO messaging.notifications
      (id, template, locale, account_id, about_type, about_id, params, created_by, created_at)
    VALUES (${id}, ${input.template}, ${to.locale}, ${to.accountId ?? null}, ${input.about?.type ?? null},
      ${input.about?.id ?? null}, ${JSON.stringify(input.params)}::jsonb, ${c.actor.id}, ${c.now})`);
  const column = <T>(type: string, value: (d: (typeof made)[number]) => T) =>
    sql`${sql.param(made.map(value))}::${sql.raw(type)}[]`;
  c.write(sql`INSERT INTO messaging.deliveries
      (id, notification_id, channel, destination, title, body, status, attempts, segments, created_at, updated_at)
    SELECT d.id, ${id}, d.channel, d.destination, d.title, d.body, d.status, 0, d.segments, ${c.now}, ${c.now}
    FROM unnest(${column('uuid', (d) => d.id)}, ${column('text', (d) => d.channel)},
      ${column('text', (d) => d.destination)}, ${column('text', (d) => d.title)}, ${column('text', (d) => d.body)},
      ${column('text', (d) => d.status)}, ${column('smallint', (d) => d.segments)})
      AS d (id, channel, destination, title, body, status, segments)`);
  for (const d of made) {
    if (d.channel !== 'portal') c.publish({ topic: DELIVERY_REQUESTED, payload: { deliveryId: d.id } });
  }
  c.audit({
    action: NOTIFICATION_QUEUED,
    subject: { type: 'notification', id },
    after: {
      template: input.template,
      locale: to.locale,
      channels: made.map((d) => d.channel),
      ...(to.accountId ? { accountId: to.accountId } : {}),
      ...(input.about ? { about: input.about } : {}),
    },
  });
  return { id, deliveries: made.map((d) => ({ id: d.id, channel: d.channel, status: d.status })) };
}
