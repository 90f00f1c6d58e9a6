import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../core/db/index.js';
import { problems } from '../../core/http/problem.js';
import type { Change } from '../../core/kernel/index.js';
import { type Channel, type DeliveryStatus, deliveries, notifications } from './schema.js';

/** An in-portal notice as its owner sees it. */
export interface Notice {
  id: string;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
  about: { type: string; id: string } | null;
}

export const NOTICE_READ = 'messaging.notice.read';

const noticeColumns = {
  id: deliveries.id,
  title: deliveries.title,
  body: deliveries.body,
  createdAt: deliveries.createdAt,
  readAt: deliveries.readAt,
  aboutType: notifications.aboutType,
  aboutId: notifications.aboutId,
};

type NoticeRow = {
  id: string;
  title: string | null;
  body: string;
  createdAt: Date;
  readAt: Date | null;
  aboutType: string | null;
  aboutId: string | null;
};

function toNotice(row: NoticeRow): Notice {
  return {
    id: row.id,
    title: row.title ?? '',
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt?.toISOString() ?? null,
    about: row.aboutType && row.aboutId ? { type: row.aboutType, id: row.aboutId } : null,
  };
}

const ownNotice = (accountId: string) =>
  and(eq(deliveries.channel, 'portal'), eq(deliveries.destination, accountId));

/** The account's notices, newest first; only ever that account's. */
export async function listNotices(
  db: Queryable,
  accountId: string,
  options: { unread?: boolean; limit?: number } = {},
): Promise<Notice[]> {
  const found = await db
    .select(noticeColumns)
    .from(deliveries)
    .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .where(and(ownNotice(accountId), options.unread ? isNull(deliveries.readAt) : undefined))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(options.limit ?? 50);
  return found.map(toNotice);
}

/**
 * Marks one of the signed-in person's notices read. Someone else's notice is "not found", so
 * the answer does not even tell that it exists. Marking twice keeps the first time.
 */
export async function markNoticeRead(c: Change, accountId: string, id: string): Promise<Notice> {
  const marked = await c.tx
    .update(deliveries)
    .set({ readAt: c.now, updatedAt: c.now })
    .where(and(ownNotice(accountId), eq(deliveries.id, id), isNull(deliveries.readAt)))
    .returning({ id: deliveries.id });
  const [row] = await c.tx
    .select(noticeColumns)
    .from(deliveries)
    .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .where(and(ownNotice(accountId), eq(deliveries.id, id)));
  if (!row) throw problems.notFound();
  if (marked.length) {
    c.audit({ action: NOTICE_READ, subject: { type: 'notice', id }, after: { readAt: c.now.toISOString() } });
  }
  return toNotice(row);
}

export interface DeliveryState {
  id: string;
  channel: Channel;
  status: DeliveryStatus;
  reason: string | null;
  attempts: number;
  segments: number | null;
  updatedAt: string;
}

export interface NotificationState {
  id: string;
  template: string;
  locale: string;
  createdAt: string;
  about: { type: string; id: string } | null;
  deliveries: DeliveryState[];
}

/** Notifications about one thing (an application, say) and where each delivery stands. */
export async function notificationsAbout(
  db: Queryable,
  about: { type: string; id: string },
): Promise<NotificationState[]> {
  const found = await db
    .select({ notification: notifications, delivery: deliveries })
    .from(notifications)
    .innerJoin(deliveries, eq(deliveries.notificationId, notifications.id))
    .where(and(eq(notifications.aboutType, about.type), eq(notifications.aboutId, about.id)))
    .orderBy(asc(notifications.createdAt), asc(notifications.id), asc(deliveries.channel));
  const byId = new Map<string, NotificationState>();
  for (const { notification: n, delivery: d } of found) {
    let state = byId.get(n.id);
    if (!state) {
      state = {
        id: n.id,
        template: n.template,
        locale: n.locale,
        createdAt: n.createdAt.toISOString(),
        about: n.aboutType && n.aboutId ? { type: n.aboutType, id: n.aboutId } : null,
        deliveries: [],
      };
      byId.set(n.id, state);
    }
    state.deliveries.push({
      id: d.id,
      channel: d.channel,
      status: d.status,
      reason: d.reason,
      attempts: d.attempts,
      segments: d.segments,
      updatedAt: d.updatedAt.toISOString(),
    });
  }
  return [...byId.values()];
}
