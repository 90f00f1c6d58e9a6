import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actors, createTestApp, type TestApp } from '../../../test/support/kernel.js';
import { change } from '../../core/kernel/index.js';
import { MAIL_FOLDER, useChannels } from './channels.js';
import { DELIVERY_ATTEMPTS, recordDeliveryReport } from './deliver.js';
import { notificationsAbout } from './notices.js';
import { type NotifyInput, notify } from './notify.js';
import { createSmsSimulator, type SmsGateway, SmsRejected } from './sms/index.js';
import { addTemplates } from './templates.js';

addTemplates({
  'test.application-received': {
    en: {
      subject: 'Application {{reference}} received',
      body: 'We received your application {{reference}}. We will tell you when it moves on.',
      sms: 'Mmuso: we received application {{reference}}.',
    },
    st: {
      subject: 'Kopo {{reference}} e amohetsoe',
      body: 'Re amohetse kopo ea hau {{reference}}. Re tla u tsebisa ha e tsoela pele.',
      sms: 'Mmuso: re amohetse kopo {{reference}}. Tšebeletso e qalile.',
    },
  },
});

let t: TestApp;
const sms = createSmsSimulator();
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());
beforeEach(() => {
  sms.clear();
  useChannels(t.kernel, { sms });
});

const system = { actor: actors.system([], 'mmuso:services') };
const palesa = {
  accountId: 'citizen-palesa',
  phone: '+26658123456',
  email: 'palesa@example.ls',
  locale: 'st',
} as const;

function notifyNow(input: Partial<NotifyInput> = {}) {
  return change(t.kernel, system, (c) =>
    notify(c, {
      to: palesa,
      template: 'test.application-received',
      params: { reference: 'CA-2026-7K3M9Q' },
      about: { type: 'application', id: 'CA-2026-7K3M9Q' },
      ...input,
    }),
  );
}

async function deliveryOf(id: string) {
  const [row] = await t.kernel.db.query<{
    status: string;
    reason: string | null;
    attempts: number;
    provider_id: string | null;
  }>('SELECT status, reason, attempts, provider_id FROM messaging.deliveries WHERE id = $1', [id]);
  return row;
}

/** Lets the outbox retry now instead of after its backoff, then runs a pass. */
async function retryNow() {
  await t.kernel.db.query(
    `UPDATE core.outbox SET available_at = now() - interval '1 second' WHERE status = 'pending'`,
  );
  await t.kernel.events.dispatchOnce();
}

describe('notify', () => {
  it('queues SMS and e-mail through the outbox and writes the notice, all in the change, in the person’s language', async () => {
    const notification = await notifyNow();
    expect(notification.deliveries.map((d) => [d.channel, d.status])).toEqual([
      ['portal', 'delivered'],
      ['sms', 'queued'],
      ['email', 'queued'],
    ]);
    const events = await t.kernel.db.query<{ topic: string }>(
      `SELECT topic FROM core.outbox WHERE payload->>'deliveryId' = ANY($1)`,
      [notification.deliveries.map((d) => d.id)],
    );
    expect(events).toEqual([
      { topic: 'messaging.delivery.requested' },
      { topic: 'messaging.delivery.requested' },
    ]);
    const audit = await t.kernel.db.query<{ action: string }>(
      `SELECT action FROM audit.entries WHERE subject->>'id' = $1`,
      [notification.id],
    );
    expect(audit).toEqual([{ action: 'messaging.notification.queued' }]);

    await t.kernel.events.dispatchOnce();
    // Sesotho, made GSM-7 safe: "Tšebeletso" goes as "Tsebeletso", one segment.
    expect(sms.lastTo('+26658123456')).toMatchObject({
      text: 'Mmuso: re amohetse kopo CA-2026-7K3M9Q. Tsebeletso e qalile.',
      encoding: 'gsm7',
      segments: 1,
    });
    const [, smsDelivery, emailDelivery] = notification.deliveries;
    expect(await deliveryOf(smsDelivery?.id ?? '')).toMatchObject({
      status: 'sent',
      attempts: 1,
      reason: null,
    });
    expect(await deliveryOf(emailDelivery?.id ?? '')).toMatchObject({ status: 'sent', attempts: 1 });
    const eml = fs.readFileSync(path.join(t.dataDir, MAIL_FOLDER, `${emailDelivery?.id}.eml`), 'utf8');
    expect(eml).toMatch(/^To: palesa@example\.ls$/m);
    expect(eml).toMatch(/^Subject: Kopo CA-2026-7K3M9Q e amohetsoe$/m);
    expect(eml).toContain('Re amohetse kopo ea hau CA-2026-7K3M9Q.');

    const [state] = await notificationsAbout(t.kernel.db.orm, { type: 'application', id: 'CA-2026-7K3M9Q' });
    expect(state?.deliveries.map((d) => [d.channel, d.status])).toEqual([
      ['email', 'sent'],
      ['portal', 'delivered'],
      ['sms', 'sent'],
    ]);
  });

  it('sends nothing and keeps nothing when the change rolls back', async () => {
    const before = await t.kernel.db.query<{ n: string }>('SELECT count(*) AS n FROM messaging.deliveries');
    await expect(
      change(t.kernel, system, async (c) => {
        await notify(c, { to: palesa, template: 'test.application-received', params: { reference: 'X' } });
        throw new Error('the decision failed');
      }),
    ).rejects.toThrow('the decision failed');
    await t.kernel.events.dispatchOnce();
    expect(await t.kernel.db.query('SELECT count(*) AS n FROM messaging.deliveries')).toEqual(before);
    expect(sms.sent).toEqual([]);
  });

  it('refuses what it cannot address or render, before writing anything', async () => {
    await expect(notifyNow({ to: { locale: 'en' } })).rejects.toThrow(/no account, phone or e-mail/);
    await expect(notifyNow({ to: { ...palesa, phone: '58123456' } })).rejects.toThrow(/E\.164/);
    await expect(notifyNow({ channels: ['sms'], to: { accountId: 'a', locale: 'en' } })).rejects.toThrow(
      /no sms/,
    );
    await expect(notifyNow({ params: {} })).rejects.toThrow(/needs reference/);
    await expect(notifyNow({ template: 'test.unknown' })).rejects.toThrow(/unknown notification template/);
  });

  it('retries a gateway that is down, with the reason stored, until it answers', async () => {
    let calls = 0;
    const flaky: SmsGateway = {
      async send(to, text, options) {
        calls += 1;
        if (calls === 1) throw new Error('connect ETIMEDOUT');
        return sms.send(to, text, options);
      },
    };
    useChannels(t.kernel, { sms: flaky });
    const notification = await notifyNow({ channels: ['sms'] });
    const id = notification.deliveries[0]?.id ?? '';
    await t.kernel.events.dispatchOnce();
    expect(await deliveryOf(id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      reason: 'connect ETIMEDOUT',
    });
    expect(sms.sent).toEqual([]);
    await retryNow();
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent', attempts: 2, reason: null });
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]?.reference).toBe(id);
    // At least once, never twice once recorded: a repeated event changes nothing.
    await t.kernel.db.query(
      `UPDATE core.outbox SET status = 'pending', delivered_to = '[]' WHERE payload->>'deliveryId' = $1`,
      [id],
    );
    await retryNow();
    expect(sms.sent).toHaveLength(1);
  });

  it('marks a rejected message failed at once, and a gateway down for good failed when the event goes dead', async () => {
    useChannels(t.kernel, {
      sms: {
        send: () => Promise.reject(new SmsRejected('SMS rejected: destination not reachable')),
      },
    });
    const rejected = (await notifyNow({ channels: ['sms'] })).deliveries[0]?.id ?? '';
    await t.kernel.events.dispatchOnce();
    expect(await deliveryOf(rejected)).toMatchObject({
      status: 'failed',
      attempts: 1,
      reason: 'SMS rejected: destination not reachable',
    });

    useChannels(t.kernel, { sms: { send: () => Promise.reject(new Error('503 Service Unavailable')) } });
    const down = (await notifyNow({ channels: ['sms'] })).deliveries[0]?.id ?? '';
    await t.kernel.events.dispatchOnce();
    for (let i = 1; i < DELIVERY_ATTEMPTS; i += 1) await retryNow();
    expect(await deliveryOf(down)).toMatchObject({
      status: 'failed',
      attempts: DELIVERY_ATTEMPTS,
      reason: '503 Service Unavailable',
    });
    const [event] = await t.kernel.db.query<{ status: string }>(
      `SELECT status FROM core.outbox WHERE payload->>'deliveryId' = $1`,
      [down],
    );
    expect(event?.status).toBe('dead');
    const [rejectedEvent] = await t.kernel.db.query<{ status: string }>(
      `SELECT status FROM core.outbox WHERE payload->>'deliveryId' = $1`,
      [rejected],
    );
    expect(rejectedEvent?.status).toBe('delivered');

    // The operator's way out (docs/notifications.md): fix the gateway, requeue the dead events.
    useChannels(t.kernel, { sms });
    await t.kernel.db.query(`UPDATE core.outbox SET status = 'pending', attempts = 0, available_at = now(), finished_at = NULL
      WHERE status = 'dead' AND topic = 'messaging.delivery.requested'`);
    await t.kernel.events.dispatchOnce();
    expect(await deliveryOf(down)).toMatchObject({ status: 'sent', reason: null });
    expect(await deliveryOf(rejected)).toMatchObject({ status: 'failed' });
  });

  it('records the gateway’s delivery report once, and ignores reports for unknown messages', async () => {
    const id = (await notifyNow({ channels: ['sms'] })).deliveries[0]?.id ?? '';
    await t.kernel.events.dispatchOnce();
    const providerId = (await deliveryOf(id))?.provider_id ?? '';
    expect(await recordDeliveryReport(t.kernel, { providerId, delivered: true })).toBe(true);
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered' });
    expect(await recordDeliveryReport(t.kernel, { providerId, delivered: false, reason: 'late' })).toBe(
      false,
    );
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered' });
    expect(await recordDeliveryReport(t.kernel, { providerId: 'nobody', delivered: true })).toBe(false);

    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/messaging/sms/delivery-reports',
      headers: await t.as(actors.system(['messaging:delivery-reports'], 'infobip')),
      payload: { results: [{ messageId: 'nobody', status: { groupName: 'DELIVERED' } }] },
    });
    expect(response.json()).toEqual({ recorded: 0 });
  });
});

describe('in-portal notices', () => {
  it('each citizen lists and marks only their own', async () => {
    const other = { accountId: 'citizen-thabo', locale: 'en' } as const;
    await notifyNow({ channels: ['portal'] });
    const thabos = await notifyNow({ to: other, params: { reference: 'CA-2026-THABO1' } });
    const palesaHeaders = await t.as(actors.citizen('citizen-palesa'));
    const thaboHeaders = await t.as(actors.citizen('citizen-thabo'));

    const mine = (
      await t.app.inject({ method: 'GET', url: '/api/v1/me/notices', headers: thaboHeaders })
    ).json();
    expect(mine.items).toEqual([
      expect.objectContaining({
        id: thabos.deliveries[0]?.id,
        title: 'Application CA-2026-THABO1 received',
        readAt: null,
        about: { type: 'application', id: 'CA-2026-7K3M9Q' },
      }),
    ]);
    const hers = (
      await t.app.inject({ method: 'GET', url: '/api/v1/me/notices', headers: palesaHeaders })
    ).json();
    expect(hers.items.length).toBeGreaterThan(0);
    expect(hers.items.map((n: { id: string }) => n.id)).not.toContain(thabos.deliveries[0]?.id);
    expect(hers.items[0].title).toBe('Kopo CA-2026-7K3M9Q e amohetsoe');

    const thief = await t.app.inject({
      method: 'POST',
      url: `/api/v1/me/notices/${thabos.deliveries[0]?.id}/read`,
      headers: palesaHeaders,
    });
    expect(thief.statusCode).toBe(404);
    const read = await t.app.inject({
      method: 'POST',
      url: `/api/v1/me/notices/${thabos.deliveries[0]?.id}/read`,
      headers: thaboHeaders,
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().readAt).toBe('2026-11-23T08:00:00.000Z');
    const unread = (
      await t.app.inject({ method: 'GET', url: '/api/v1/me/notices?unread=true', headers: thaboHeaders })
    ).json();
    expect(unread.items).toEqual([]);
    const staff = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me/notices',
      headers: await t.as(actors.staff(['supervisor'])),
    });
    expect(staff.statusCode).toBe(403);
  });
});
