import { Type } from 'typebox';
import { DISTRICT_CODES, type DistrictCode } from '../../core/districts/index.js';
import { actionContext, problems, type RoutesPlugin } from '../../core/http/index.js';
import { change } from '../../core/kernel/index.js';
import {
  currentAnnouncements,
  getAnnouncement,
  publishAnnouncement,
  withdrawAnnouncement,
} from './announcements.js';
import { messagingChannels } from './channels.js';
import { recordDeliveryReport, subscribeDeliveries } from './deliver.js';
import { listNotices, markNoticeRead, notificationsAbout } from './notices.js';
import { readDeliveryReports } from './sms/index.js';

const District = Type.Unsafe<DistrictCode>({
  type: 'string',
  enum: DISTRICT_CODES,
  description: 'ISO 3166-2:LS district code (A Maseru … K Thaba-Tseka)',
});
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Bilingual = (max: number) => Type.Object({ en: Text(max), st: Text(max) });

const Announcement = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Bilingual(120),
  body: Bilingual(2000),
  district: Type.Union([District, Type.Null()]),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  publishedAt: Type.String({ format: 'date-time' }),
  withdrawnAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const PUBLISHERS = { actors: ['staff'], roles: ['administrator', 'supervisor'] } as const;
const tags = ['service notices'];

const Notice = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  about: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
});
const DeliveryState = Type.Object({
  id: Type.String({ format: 'uuid' }),
  channel: Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Literal('portal')]),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('sent'),
    Type.Literal('delivered'),
    Type.Literal('failed'),
  ]),
  reason: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  segments: Type.Union([Type.Integer(), Type.Null()]),
  updatedAt: Type.String({ format: 'date-time' }),
});
const NotificationState = Type.Object({
  id: Type.String({ format: 'uuid' }),
  template: Type.String(),
  locale: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  about: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  deliveries: Type.Array(DeliveryState),
});
const Open = (properties: Parameters<typeof Type.Object>[0]) =>
  Type.Object(properties, { additionalProperties: true });

export const messagingRoutes: RoutesPlugin = (app, kernel) => {
  // Chosen now, so a bad SMS or mail configuration stops start-up rather than the first send.
  messagingChannels(kernel);
  subscribeDeliveries(kernel);

  app.get(
    '/api/v1/me/notices',
    {
      config: { access: { actors: ['citizen'] } },
      schema: {
        tags: ['notifications'],
        summary: 'My notices in the portal, newest first',
        querystring: Type.Object({
          unread: Type.Optional(Type.Boolean({ description: 'Only the ones not yet marked read' })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Notice) }) },
      },
    },
    async (request) => ({
      items: await listNotices(kernel.db.orm, request.actor.id, { unread: request.query.unread ?? false }),
    }),
  );

  app.post(
    '/api/v1/me/notices/:id/read',
    {
      config: { access: { actors: ['citizen'] } },
      schema: {
        tags: ['notifications'],
        summary: 'Mark one of my notices read',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Notice },
      },
    },
    async (request) =>
      change(kernel, actionContext(request), (c) => markNoticeRead(c, request.actor.id, request.params.id)),
  );

  app.get(
    '/api/v1/notifications',
    {
      config: { access: { actors: ['staff'], roles: ['supervisor', 'administrator'] } },
      schema: {
        tags: ['notifications'],
        summary: 'Notifications about one thing and the state of each delivery',
        querystring: Type.Object({
          aboutType: Type.String({ minLength: 1, maxLength: 50, description: 'e.g. application' }),
          aboutId: Type.String({ minLength: 1, maxLength: 100 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(NotificationState) }) },
      },
    },
    async (request) => ({
      items: await notificationsAbout(kernel.db.orm, {
        type: request.query.aboutType,
        id: request.query.aboutId,
      }),
    }),
  );

  app.post(
    '/api/v1/messaging/sms/delivery-reports',
    {
      config: { access: { actors: ['system'], scopes: ['messaging:delivery-reports'] } },
      schema: {
        tags: ['notifications'],
        summary: 'Delivery reports from the SMS gateway (Infobip format)',
        description:
          'Body as the gateway posts it: `{"results":[{"messageId":"…","status":{"groupName":"DELIVERED"}}]}`. Final outcomes (DELIVERED, UNDELIVERABLE, EXPIRED, REJECTED) update the delivery; others are ignored.',
        body: Open({
          results: Type.Array(Open({ messageId: Type.String({ maxLength: 100 }) }), { maxItems: 1000 }),
        }),
        response: { 200: Type.Object({ recorded: Type.Integer() }) },
      },
    },
    async (request) => {
      let recorded = 0;
      for (const report of readDeliveryReports(request.body)) {
        if (await recordDeliveryReport(kernel, report)) recorded += 1;
      }
      return { recorded };
    },
  );
  app.get(
    '/api/v1/announcements',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'Service notices in force now',
        querystring: Type.Object({ district: Type.Optional(District) }),
        response: { 200: Type.Object({ items: Type.Array(Announcement) }) },
      },
    },
    async (request) => ({
      items: await currentAnnouncements(kernel.db.orm, kernel.clock.now(), request.query.district),
    }),
  );

  app.get(
    '/api/v1/announcements/:id',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'One service notice',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Announcement },
      },
    },
    async (request) => {
      const found = await getAnnouncement(kernel.db.orm, request.params.id);
      if (!found) throw problems.notFound();
      return found;
    },
  );

  app.post(
    '/api/v1/announcements',
    {
      config: { access: PUBLISHERS },
      schema: {
        tags,
        summary: 'Publish a service notice',
        body: Type.Object({
          title: Bilingual(120),
          body: Bilingual(2000),
          district: Type.Optional(District),
          startsAt: Type.Optional(Type.String({ format: 'date-time' })),
          endsAt: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 201: Announcement },
      },
    },
    async (request, reply) => {
      const created = await change(kernel, actionContext(request), (c) =>
        publishAnnouncement(c, request.body),
      );
      return reply.code(201).header('location', `/api/v1/announcements/${created.id}`).send(created);
    },
  );

  app.post(
    '/api/v1/announcements/:id/withdraw',
    {
      config: { access: PUBLISHERS },
      schema: {
        tags,
        summary: 'Withdraw a service notice',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ reason: Text(500) }),
        response: { 200: Announcement },
      },
    },
    async (request) =>
      change(kernel, actionContext(request), (c) =>
        withdrawAnnouncement(c, request.params.id, request.body.reason),
      ),
  );
};
