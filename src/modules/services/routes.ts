import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actionContext, fieldError, problems, type RoutesPlugin } from '../../core/http/index.js';
import { type Change, change, type Kernel } from '../../core/kernel/index.js';
import { addUploadRoute } from '../../core/uploads/index.js';
import { loadFactorKeys } from '../auth/factors/index.js';
import { accountById } from '../auth/index.js';
import { messagingChannels } from '../messaging/index.js';
import { takeAction } from './act.js';
import type { Caller } from './caller.js';
import { catalogueAt } from './catalogue.js';
import { addComment } from './comment.js';
import { confirmConsentCode, recordPaperConsent, requestConsentCode } from './consent.js';
import {
  PUBLISHED_DEFINITION_SCHEMA,
  type ServiceDefinition,
  ServiceDefinitionSchema,
} from './definition.js';
import { listApplications, readApplication } from './read.js';
import { servicesSettings } from './settings.js';
import { submitApplication } from './submit.js';
import { assignTask, listTasks } from './tasks.js';
import { attachUpload, uploadSlot } from './upload.js';

const tags = ['services'];
const Bilingual = Type.Object({ en: Type.String(), st: Type.String() });
const ServiceId = Type.Object({ id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }) });

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const NullableStr = Nullable(Type.String());
const AnyObject = Type.Object({}, { additionalProperties: true });
const Reference = Type.Object({
  reference: Type.String({ maxLength: 40, description: 'The application reference, e.g. BC-2026-7K3M9Q' }),
});

const Summary = {
  reference: Type.String(),
  service: Type.Object({ id: Type.String(), version: Type.Integer(), name: Bilingual }),
  state: Type.Object({ id: Type.String(), label: Bilingual, final: Type.Boolean() }),
  applicantKind: Type.String(),
  submittedBy: Nullable(Type.Object({ agentId: Type.String(), centre: Type.String() })),
  office: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  completedAt: NullableStr,
};
const ApplicationSummary = Type.Object(Summary);
const Application = Type.Object({
  ...Summary,
  form: AnyObject,
  fee: Type.Object({
    amount: Type.Integer({ description: 'lisente' }),
    options: Type.Array(Type.String()),
    revenueHead: NullableStr,
    paidAt: NullableStr,
    receiptNumber: NullableStr,
  }),
  applicant: Type.Object({
    accountId: NullableStr,
    personId: NullableStr,
    business: Nullable(AnyObject),
  }),
  actions: Type.Array(Type.Object({ id: Type.String(), label: Bilingual }), {
    description: 'What the caller may do now',
  }),
  history: Type.Array(
    Type.Object({
      action: Type.String(),
      from: NullableStr,
      to: Type.String(),
      at: Type.String(),
      comment: NullableStr,
      by: Type.Optional(AnyObject),
    }),
  ),
  comments: Type.Array(
    Type.Object({
      id: Type.String(),
      visibility: Type.String(),
      body: Type.String(),
      at: Type.String(),
      by: Type.Optional(AnyObject),
    }),
  ),
  uploads: Type.Array(
    Type.Object({
      id: Type.String(),
      sha256: Type.String(),
      type: Type.String(),
      size: Type.Integer(),
      name: NullableStr,
      at: Type.String(),
    }),
  ),
  task: Nullable(
    Type.Object({
      id: Type.String(),
      roles: Type.Array(Type.String()),
      assignee: NullableStr,
      dueAt: NullableStr,
      breached: Type.Boolean(),
    }),
  ),
});
const Task = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  serviceId: Type.String(),
  state: Type.String(),
  roles: Type.Array(Type.String()),
  office: Type.String(),
  assignee: NullableStr,
  createdAt: Type.String(),
  dueAt: NullableStr,
  breached: Type.Boolean(),
  escalatedTo: NullableStr,
});

const APPLICANTS = { actors: ['citizen', 'staff'] } as const;
const AGENTS = { actors: ['staff'], roles: ['centre_agent'] } as const;
const Consent = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  method: Type.String(),
  sentTo: NullableStr,
  given: Type.Boolean(),
  expiresAt: Type.String(),
});
const Upload = Type.Object({
  id: Type.String(),
  sha256: Type.String(),
  type: Type.String(),
  size: Type.Integer(),
  name: NullableStr,
  at: Type.String(),
});
/** What a signed paper consent may be: a scan or a photo, checked by content. */
const PAPER_CONSENT = { types: ['application/pdf', 'image/jpeg', 'image/png'], maxBytes: 5_000_000 };
const STAFF = { actors: ['staff'] } as const;

/** The caller, with the person their citizen account is linked to (their own applications by agents). */
async function callerOf(kernel: Kernel, request: FastifyRequest): Promise<Caller> {
  const actor = request.actor;
  if (actor.type !== 'citizen') return { actor, personId: null };
  const account = await accountById(kernel, actor.id);
  return {
    actor,
    personId: account?.personId ?? null,
    phone: account?.loginKind === 'phone' ? account.login : null,
  };
}

const ServiceSummary = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  name: Bilingual,
  description: Bilingual,
  ministry: Type.String(),
  applicants: Type.Array(Type.String()),
  assurance: Type.String(),
  fee: Type.Union([
    Type.Object({
      amount: Type.Integer({ description: 'lisente' }),
      revenueHead: Type.String(),
      options: Type.Array(Type.Object({ id: Type.String(), label: Bilingual, amount: Type.Integer() })),
    }),
    Type.Null(),
  ]),
});

function summary(d: ServiceDefinition) {
  return {
    id: d.id,
    version: d.version,
    name: d.name,
    description: d.description,
    ministry: d.ministry,
    applicants: d.applicants,
    assurance: d.assurance,
    fee: d.fees ? { amount: d.fees.amount, revenueHead: d.fees.revenueHead, options: d.fees.options } : null,
  };
}

export const servicesRoutes: RoutesPlugin = async (app, kernel) => {
  const settings = servicesSettings(kernel.config);
  // Read at start: a broken definition stops start-up here, naming the file and the path.
  const catalogue = catalogueAt(settings.catalogueDir);
  const keys = loadFactorKeys(kernel.config.dataDir);
  /** Runs `fn` in a change, as the request's caller. */
  const asCaller = async <T>(request: FastifyRequest, fn: (c: Change, caller: Caller) => Promise<T>) => {
    const caller = await callerOf(kernel, request);
    return change(kernel, actionContext(request), (c) => fn(c, caller));
  };

  app.get(
    '/api/v1/services',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'The services one can apply for',
        querystring: Type.Object({ ministry: Type.Optional(Type.String({ maxLength: 63 })) }),
        response: { 200: Type.Object({ items: Type.Array(ServiceSummary) }) },
      },
    },
    async (request) => ({
      items: catalogue.services
        .filter((d) => !request.query.ministry || d.ministry === request.query.ministry)
        .map(summary),
    }),
  );

  app.get(
    '/api/v1/services/schema',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'The JSON Schema every service definition follows',
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async () => PUBLISHED_DEFINITION_SCHEMA,
  );

  app.get(
    '/api/v1/services/:id',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'One service: its form, uploads, fees, workflow and outputs',
        params: ServiceId,
        response: { 200: ServiceDefinitionSchema },
      },
    },
    async (request) => {
      const entry = catalogue.get(request.params.id);
      if (!entry) throw problems.notFound();
      return entry.definition;
    },
  );

  app.post(
    '/api/v1/services/:id/applications',
    {
      config: { access: APPLICANTS },
      schema: {
        tags,
        summary: 'Apply for a service (a centre agent applies for a citizen with their consent)',
        description:
          'The form is checked against the service’s form schema: 422 with one error per field, in the caller’s language. A centre agent gives consentId (see /api/v1/assisted/consents).',
        params: ServiceId,
        body: Type.Object({
          form: AnyObject,
          feeOptions: Type.Optional(Type.Array(Type.String({ maxLength: 63 }), { maxItems: 10 })),
          office: Type.Optional(Type.String({ maxLength: 63 })),
          business: Type.Optional(
            Type.Object({
              name: Type.String({ minLength: 1, maxLength: 200 }),
              registrationNumber: Type.String({ minLength: 1, maxLength: 40 }),
            }),
          ),
          consentId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 201: Application },
      },
    },
    async (request, reply) => {
      const created = await asCaller(request, (c, caller) =>
        submitApplication(c, catalogue, caller, request.params.id, request.body, request.locale),
      );
      return reply.code(201).header('location', `/api/v1/applications/${created.reference}`).send(created);
    },
  );

  app.get(
    '/api/v1/applications',
    {
      config: { access: APPLICANTS },
      schema: {
        tags,
        summary: 'Applications the caller may see, newest first',
        description:
          'A citizen: their own, including those an agent made for them. A centre agent: their centre’s. An officer: their office’s.',
        querystring: Type.Object({
          service: Type.Optional(Type.String({ maxLength: 63 })),
          state: Type.Optional(Type.String({ maxLength: 63 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(ApplicationSummary) }) },
      },
    },
    async (request) => {
      const { service, state, limit } = request.query;
      const items = await asCaller(request, (c, caller) =>
        listApplications(c, catalogue, caller, {
          ...(service ? { serviceId: service } : {}),
          ...(state ? { state } : {}),
          ...(limit ? { limit } : {}),
        }),
      );
      return { items };
    },
  );

  app.get(
    '/api/v1/applications/:reference',
    {
      config: { access: APPLICANTS },
      schema: {
        tags,
        summary: 'One application: its state, history, comments, uploads and what the caller may do',
        params: Reference,
        querystring: Type.Object({
          purpose: Type.Optional(
            Type.String({ minLength: 3, maxLength: 200, description: 'Officers: why (audited)' }),
          ),
        }),
        response: { 200: Application },
      },
    },
    async (request) => {
      return asCaller(request, (c, caller) =>
        readApplication(c, catalogue, caller, request.params.reference, request.query.purpose),
      );
    },
  );

  app.post(
    '/api/v1/applications/:reference/actions/:action',
    {
      config: { access: APPLICANTS },
      schema: {
        tags,
        summary: 'Take a workflow action (approve, return, withdraw, record-payment, …)',
        description:
          '409 when the state does not allow the action (the allowed ones are listed in allowedActions); 403 for a role the definition does not name, or for the officer who prepared what is being approved.',
        params: Type.Object({
          reference: Reference.properties.reference,
          action: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
        }),
        body: Type.Object({
          comment: Type.Optional(Type.String({ maxLength: 2000 })),
          receiptNumber: Type.Optional(Type.String({ maxLength: 60 })),
          form: Type.Optional(AnyObject),
        }),
        response: { 200: Application },
      },
    },
    async (request) => {
      const { reference, action } = request.params;
      return asCaller(request, (c, caller) =>
        takeAction(c, catalogue, caller, reference, action, request.body, request.locale),
      );
    },
  );

  app.post(
    '/api/v1/applications/:reference/comments',
    {
      config: { access: APPLICANTS },
      schema: {
        tags,
        summary: 'Comment on an application (officers choose internal or visible to the applicant)',
        params: Reference,
        body: Type.Object({
          body: Type.String({ minLength: 1, maxLength: 2000 }),
          visibility: Type.Optional(Type.Union([Type.Literal('internal'), Type.Literal('applicant')])),
        }),
        response: {
          201: Type.Object({
            id: Type.String(),
            visibility: Type.String(),
            body: Type.String(),
            at: Type.String(),
          }),
        },
      },
    },
    async (request, reply) => {
      const comment = await asCaller(request, (c, caller) =>
        addComment(c, catalogue, caller, request.params.reference, request.body),
      );
      return reply.code(201).send(comment);
    },
  );

  app.get(
    '/api/v1/tasks',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'The queue: open tasks of the caller’s office that their roles may work, oldest first',
        querystring: Type.Object({
          mine: Type.Optional(Type.Boolean()),
          escalated: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Object({ items: Type.Array(Task) }) },
      },
    },
    async (request) => ({
      items: await change(kernel, actionContext(request), (c) => listTasks(c, request.actor, request.query)),
    }),
  );

  app.post(
    '/api/v1/tasks/:id/assignment',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Claim, release or (supervisors) assign a task',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({
          assignee: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
        }),
        response: { 200: Task },
      },
    },
    async (request) =>
      change(kernel, actionContext(request), (c) => assignTask(c, request.params.id, request.body.assignee)),
  );

  await addUploadRoute(app, kernel, {
    url: '/api/v1/applications/:reference/uploads/:slot',
    access: APPLICANTS,
    tags,
    summary: 'Add a file the service asks for (its type and size are checked against the slot)',
    params: Type.Object({ reference: Reference.properties.reference, slot: Type.String({ maxLength: 63 }) }),
    response: { 201: Upload },
    async limits(request) {
      const { reference, slot } = request.params as { reference: string; slot: string };
      return asCaller(request, (c, caller) => uploadSlot(c, catalogue, caller, reference, slot));
    },
    async accepted(request, upload, reply) {
      const { reference, slot } = request.params as { reference: string; slot: string };
      const attached = await asCaller(request, (c, caller) =>
        attachUpload(c, catalogue, caller, reference, slot, upload),
      );
      return reply.code(201).send(attached);
    },
  });

  app.post(
    '/api/v1/assisted/consents',
    {
      config: { access: AGENTS },
      schema: {
        tags,
        summary:
          'Ask a citizen’s consent to apply for them: a code goes to their phone in the civil register',
        description:
          'Find the person first with the identity search (/api/v1/identity/persons). The read of their record is audited with the purpose of assisted service.',
        body: Type.Object({ personId: Type.String({ format: 'uuid' }) }),
        response: { 201: Consent },
      },
    },
    async (request, reply) => {
      const { consent, sms } = await change(kernel, actionContext(request), (c) =>
        requestConsentCode(c, keys, request.body.personId, request.locale),
      );
      // After commit, and never through a table: the code exists in clear only in this SMS.
      await messagingChannels(kernel).sms.send(sms.to, sms.text);
      return reply.code(201).send(consent);
    },
  );

  app.post(
    '/api/v1/assisted/consents/:id/confirmation',
    {
      config: { access: AGENTS },
      schema: {
        tags,
        summary: 'Confirm a consent with the code the citizen reads out',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }) }),
        response: { 200: Consent },
      },
    },
    async (request) => {
      const result = await change(kernel, actionContext(request), (c) =>
        confirmConsentCode(c, keys, request.params.id, request.body.code),
      );
      if (result.ok) return result.consent;
      throw problems.invalid([
        result.reason === 'wrong'
          ? fieldError('/code', 'wrong', 'services.error.code-wrong', { left: result.attemptsLeft })
          : fieldError('/code', 'expired', 'services.error.code-expired'),
      ]);
    },
  );

  await addUploadRoute(app, kernel, {
    url: '/api/v1/assisted/persons/:personId/paper-consents',
    access: AGENTS,
    tags,
    summary: 'Record a citizen’s signed paper consent (a scan or photo of the signed form)',
    params: Type.Object({ personId: Type.String({ format: 'uuid' }) }),
    response: { 201: Consent },
    limits: () => PAPER_CONSENT,
    async accepted(request, upload, reply) {
      const { personId } = request.params as { personId: string };
      const consent = await change(kernel, actionContext(request), (c) =>
        recordPaperConsent(c, personId, upload.sha256),
      );
      return reply.code(201).send(consent);
    },
  });
};
