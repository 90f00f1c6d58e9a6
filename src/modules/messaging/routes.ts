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

export const messagingRoutes: RoutesPlugin = (app, kernel) => {
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
