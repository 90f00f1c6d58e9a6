import { and, eq } from 'drizzle-orm';
import { systemActor } from '../../core/actors/index.js';
import { change, type Kernel } from '../../core/kernel/index.js';
import { type Channels, messagingChannels } from './channels.js';
import { DELIVERY_REQUESTED } from './notify.js';
import { type DeliveryRow, type DeliveryStatus, deliveries } from './schema.js';
import { asE164, type DeliveryReport } from './sms/index.js';

/**
 * Attempts per delivery before it is marked failed: the outbox dispatcher's own limit (its
 * default), so the delivery is marked failed on the attempt after which the event is dead.
 */
export const DELIVERY_ATTEMPTS = 10;

export const DELIVERY_SENT = 'messaging.delivery.sent';
export const DELIVERY_FAILED = 'messaging.delivery.failed';
export const DELIVERY_REPORTED = 'messaging.delivery.reported';

const actor = systemActor('messaging');

function isPermanent(error: unknown): boolean {
  return error instanceof RangeError || (error as { permanent?: unknown })?.permanent === true;
}

function reasonOf(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).slice(0, 500);
}

async function send(
  channels: Channels,
  delivery: DeliveryRow,
): Promise<{ providerId: string; segments?: number }> {
  if (delivery.channel === 'sms') {
    const receipt = await channels.sms.send(asE164(delivery.destination), delivery.body, {
      reference: delivery.id,
    });
    return { providerId: receipt.id, segments: receipt.segments };
  }
  if (delivery.channel === 'email') {
    const sent = await channels.mail.send({
      id: delivery.id,
      to: delivery.destination,
      subject: delivery.title ?? '',
      text: delivery.body,
    });
    return { providerId: sent.id };
  }
  throw new RangeError(`nothing to send for a ${delivery.channel} delivery`);
}

/**
 * Sends one queued SMS or e-mail and records the outcome. Safe to call again (at-least-once
 * delivery): a delivery already sent is left alone. A failure a retry may cure is recorded and
 * rethrown, so the outbox retries with backoff; a final one is recorded as failed and not
 * retried. A crash between sending and recording sends the message twice; that is the price of
 * never losing one.
 */
export async function deliverMessage(
  kernel: Kernel,
  deliveryId: string,
  channels = messagingChannels(kernel),
) {
  const [delivery] = await kernel.db.orm.select().from(deliveries).where(eq(deliveries.id, deliveryId));
  if (!delivery || delivery.status === 'sent' || delivery.status === 'delivered') return;
  const subject = { type: 'delivery', id: delivery.id };
  const attempts = delivery.attempts + 1;
  let outcome: { providerId: string; segments?: number };
  try {
    outcome = await send(channels, delivery);
  } catch (error) {
    const permanent = isPermanent(error);
    const status: DeliveryStatus = permanent || attempts >= DELIVERY_ATTEMPTS ? 'failed' : 'queued';
    const reason = reasonOf(error);
    await change(kernel, { actor }, async (c) => {
      await c.tx
        .update(deliveries)
        .set({ status, reason, attempts, updatedAt: c.now })
        .where(eq(deliveries.id, delivery.id));
      if (status === 'failed') {
        c.audit({ action: DELIVERY_FAILED, subject, after: { channel: delivery.channel, attempts, reason } });
      }
    });
    if (!permanent) throw error;
    return;
  }
  await change(kernel, { actor }, async (c) => {
    await c.tx
      .update(deliveries)
      .set({
        status: 'sent',
        reason: null,
        attempts,
        providerId: outcome.providerId,
        ...(outcome.segments === undefined ? {} : { segments: outcome.segments }),
        updatedAt: c.now,
      })
      .where(eq(deliveries.id, delivery.id));
    c.audit({
      action: DELIVERY_SENT,
      subject,
      after: { channel: delivery.channel, attempts, providerId: outcome.providerId },
    });
  });
}

/**
 * A gateway's report on an SMS it took: delivered to the handset, or given up. A report for a
 * message we do not know, or one already final, changes nothing (gateways repeat themselves).
 */
export async function recordDeliveryReport(kernel: Kernel, report: DeliveryReport): Promise<boolean> {
  return change(kernel, { actor }, async (c) => {
    const [delivery] = await c.tx
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.channel, 'sms'), eq(deliveries.providerId, report.providerId)))
      .for('update');
    if (!delivery || delivery.status === 'delivered' || delivery.status === 'failed') return false;
    const status: DeliveryStatus = report.delivered ? 'delivered' : 'failed';
    const reason = report.delivered ? null : (report.reason ?? 'not delivered');
    await c.tx
      .update(deliveries)
      .set({ status, reason, updatedAt: c.now })
      .where(eq(deliveries.id, delivery.id));
    c.audit({
      action: DELIVERY_REPORTED,
      subject: { type: 'delivery', id: delivery.id },
      before: { status: delivery.status },
      after: { status, ...(reason ? { reason } : {}) },
    });
    return true;
  });
}

const subscribed = new WeakSet<object>();

/** Queued SMS and e-mail are sent by this outbox subscriber (at least once, with retries). */
export function subscribeDeliveries(kernel: Kernel): void {
  if (subscribed.has(kernel.events)) return;
  subscribed.add(kernel.events);
  kernel.events.subscribe(DELIVERY_REQUESTED, 'messaging.deliver', async (event) => {
    const { deliveryId } = event.payload as { deliveryId: string };
    await deliverMessage(kernel, deliveryId);
  });
}
