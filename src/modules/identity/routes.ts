import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actionContext, type RoutesPlugin } from '../../core/http/index.js';
import { type Change, change } from '../../core/kernel/index.js';
import { decideAdjudication, openAdjudications } from './adjudicate.js';
import { approveAmendment, proposeAmendment, rejectAmendment } from './amend.js';
import { registerDeath } from './death.js';
import { formatBirthDate } from './person.js';
import { personHistory, readPerson, readPersonByUin, searchPersons, verifyClaims } from './read.js';
import { registerPerson } from './register.js';
import { resolveSectorToken } from './sector.js';
import { identitySettings } from './settings.js';
import { birthOf } from './view.js';

const tags = ['identity'];
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Str = (max = 100) => Type.String({ maxLength: max });
const Reason = Type.String({ minLength: 3, maxLength: 500, description: 'Why: recorded in the audit log' });
const Purpose = Type.Object({
  purpose: Type.String({
    minLength: 3,
    maxLength: 200,
    description: 'Why you need the record: recorded in the audit log',
  }),
});
const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });

const Parent = Type.Object({
  uin: Type.Optional(Str(20)),
  name: Type.Optional(Str()),
});
const Address = Type.Object({
  district: Str(2),
  constituency: Type.Optional(Str()),
  village: Type.Optional(Str()),
});
/** Text as typed: the register checks meaning (real dates, districts, phones) and answers 422. */
const PersonInput = Type.Object({
  givenNames: Str(),
  surname: Str(),
  otherNames: Type.Optional(Str()),
  sex: Type.String({ maxLength: 1, description: 'F or M' }),
  dateOfBirth: Type.String({
    maxLength: 10,
    description: 'YYYY-MM-DD, or YYYY-MM, or YYYY when only that is known',
  }),
  placeOfBirth: Type.Object({
    district: Type.String({ maxLength: 2, description: 'ISO 3166-2:LS district code, A to K' }),
    village: Type.Optional(Str()),
  }),
  father: Type.Optional(Parent),
  mother: Type.Optional(Parent),
  citizenship: Type.Optional(Str(3)),
  phones: Type.Optional(Type.Array(Str(30), { maxItems: 5 })),
  address: Type.Optional(Address),
  legacyId: Type.Optional(Str(40)),
});

const NullableStr = Nullable(Type.String());
const Person = Type.Object({
  id: Type.String(),
  uin: NullableStr,
  registerState: Type.String(),
  duplicateOf: NullableStr,
  version: Type.Integer(),
  givenNames: Type.String(),
  surname: Type.String(),
  otherNames: NullableStr,
  sex: Type.String(),
  dateOfBirth: Type.String(),
  birthPrecision: Type.String(),
  placeOfBirth: Type.Object({ district: NullableStr, village: NullableStr }),
  father: Type.Object({ personId: NullableStr, name: NullableStr }),
  mother: Type.Object({ personId: NullableStr, name: NullableStr }),
  citizenship: Type.String(),
  vitalStatus: Type.String(),
  dateOfDeath: NullableStr,
  phones: Type.Array(Type.String()),
  address: Type.Object({ district: NullableStr, constituency: NullableStr, village: NullableStr }),
  legacyId: NullableStr,
  registeredAt: Type.String(),
  updatedAt: Type.String(),
});
const Reasons = Type.Array(
  Type.Object({
    field: Type.String(),
    agreement: Type.String(),
    weight: Type.Number(),
    detail: Type.Optional(Type.String()),
  }),
);
const Candidate = Type.Object({
  personId: Type.String(),
  uin: NullableStr,
  score: Type.Number(),
  reasons: Reasons,
});
const Adjudication = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  candidates: Type.Array(Candidate),
  state: Type.String(),
  linkedTo: NullableStr,
  createdAt: Type.String(),
  decidedBy: NullableStr,
  decidedAt: NullableStr,
  decisionReason: NullableStr,
});
const Amendment = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  kind: Type.String(),
  changes: Type.Object({}, { additionalProperties: true }),
  reason: Type.String(),
  state: Type.String(),
  proposedBy: Type.String(),
  proposedAt: Type.String(),
  decidedBy: NullableStr,
  decidedAt: NullableStr,
  decisionReason: NullableStr,
});

const REGISTRARS = { actors: ['staff'], roles: ['registrar', 'supervisor'] } as const;
/** Staff who serve people and need to find them in the register. */
const READERS = {
  actors: ['staff'],
  roles: ['registrar', 'supervisor', 'centre_agent', 'passport_officer', 'licensing_officer'],
} as const;

export const identityRoutes: RoutesPlugin = (app, kernel) => {
  const settings = identitySettings(kernel.config);
  /**
   * Every handler works inside one Change: a read's audit entry (with the caller's purpose)
   * commits with the read, a write's with the write, or neither happens.
   */
  const inChange = <T>(request: FastifyRequest, work: (c: Change) => Promise<T>) =>
    change(kernel, actionContext(request), work);

  app.post(
    '/api/v1/identity/births',
    {
      config: { access: REGISTRARS },
      schema: {
        tags,
        summary: 'Register a birth (or a late registration)',
        description:
          'Searches the whole register for the same person first. 201 with a UIN, or 202 when a possible duplicate waits for a registrar in the adjudication queue.',
        body: Type.Object({ person: PersonInput, reason: Type.Optional(Reason) }),
        response: {
          201: Type.Object({
            person: Person,
            outcome: Type.Literal('registered'),
            candidates: Type.Array(Candidate),
          }),
          202: Type.Object({
            person: Person,
            outcome: Type.Literal('pending'),
            adjudicationId: Type.String(),
            candidates: Type.Array(Candidate),
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await inChange(request, (c) =>
        registerPerson(c, settings, request.body.person, request.body.reason ?? null, { alone: true }),
      );
      return reply.code(result.outcome === 'registered' ? 201 : 202).send(result as never);
    },
  );

  app.post(
    '/api/v1/identity/deaths',
    {
      config: { access: REGISTRARS },
      schema: {
        tags,
        summary: 'Register a death',
        description:
          'The person by `uin`, or by `personId` when they have no UIN yet. Refused (422) while their registration waits for a duplicate decision, and for a record linked as a duplicate.',
        body: Type.Object({
          uin: Type.Optional(Str(20)),
          personId: Type.Optional(Type.String({ format: 'uuid' })),
          dateOfDeath: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }),
          placeOfDeath: Type.Optional(
            Type.Object({ district: Type.Optional(Str(2)), village: Type.Optional(Str()) }),
          ),
          reason: Type.Optional(Reason),
        }),
        response: { 200: Person },
      },
    },
    async (request) => inChange(request, (c) => registerDeath(c, request.body, request.body.reason ?? null)),
  );

  app.get(
    '/api/v1/identity/persons/:id',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'One person’s record',
        params: Id,
        querystring: Purpose,
        response: { 200: Person },
      },
    },
    async (request) => inChange(request, (c) => readPerson(c, request.params.id, request.query.purpose)),
  );

  app.get(
    '/api/v1/identity/persons/by-uin/:uin',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'One person’s record, by UIN',
        params: Type.Object({ uin: Str(20) }),
        querystring: Purpose,
        response: { 200: Person },
      },
    },
    async (request) =>
      inChange(request, (c) => readPersonByUin(c, request.params.uin, request.query.purpose)),
  );

  app.get(
    '/api/v1/identity/persons',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Search the register by name',
        querystring: Type.Object({
          purpose: Purpose.properties.purpose,
          surname: Type.String({ minLength: 2, maxLength: 100 }),
          givenNames: Type.Optional(Str()),
          birthYear: Type.Optional(Type.Integer({ minimum: 1850, maximum: 2200 })),
          district: Type.Optional(Str(2)),
        }),
        response: { 200: Type.Object({ items: Type.Array(Person) }) },
      },
    },
    async (request) => {
      const { purpose, ...query } = request.query;
      const items = await inChange(request, (c) => searchPersons(c, query, purpose));
      return { items };
    },
  );

  app.get(
    '/api/v1/identity/persons/:id/history',
    {
      config: { access: REGISTRARS },
      schema: {
        tags,
        summary: 'Every version of a person’s record, oldest first',
        params: Id,
        querystring: Purpose,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                version: Type.Integer(),
                event: Type.String(),
                changedAt: Type.String(),
                changedBy: Type.Object({}, { additionalProperties: true }),
                reason: NullableStr,
                data: Person,
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      items: await inChange(request, (c) => personHistory(c, request.params.id, request.query.purpose)),
    }),
  );

  app.post(
    '/api/v1/identity/persons/:id/amendments',
    {
      config: { access: REGISTRARS },
      schema: {
        tags,
        summary: 'Propose a correction or a name change (another registrar approves it)',
        params: Id,
        body: Type.Object({
          kind: Type.Union([Type.Literal('correction'), Type.Literal('name-change')]),
          changes: Type.Partial(
            Type.Pick(PersonInput, [
              'givenNames',
              'surname',
              'otherNames',
              'sex',
              'dateOfBirth',
              'placeOfBirth',
              'citizenship',
              'phones',
              'address',
            ]),
          ),
          reason: Reason,
        }),
        response: { 201: Amendment },
      },
    },
    async (request, reply) => {
      const { kind, changes, reason } = request.body;
      const amendment = await inChange(request, (c) =>
        proposeAmendment(c, request.params.id, kind, changes, reason),
      );
      return reply.code(201).send(amendment);
    },
  );

  app.post(
    '/api/v1/identity/amendments/:id/approve',
    {
      config: { access: REGISTRARS },
      schema: {
        tags,
        summary: 'Approve an amendment proposed by another registrar',
        params: Id,
        body: Type.Object({ reason: Type.Optional(Reason) }),
        response: { 200: Type.Object({ amendment: Amendment, person: Person }) },
      },
    },
    async (request) =>
      inChange(request, (c) => approveAmendment(c, request.params.id, request.body.reason ?? null)),
  );

  app.post(
    '/api/v1/identity/amendments/:id/reject',
    {
      config: { access: REGISTRARS },
      schema: {
        tags,
        summary: 'Reject an amendment proposed by another registrar',
        params: Id,
        body: Type.Object({ reason: Reason }),
        response: { 200: Amendment },
      },
    },
    async (request) => inChange(request, (c) => rejectAmendment(c, request.params.id, request.body.reason)),
  );

  app.get(
    '/api/v1/identity/adjudications',
    {
      config: { access: REGISTRARS },
      schema: {
        tags,
        summary: 'Registrations waiting for a duplicate decision, oldest first',
        response: { 200: Type.Object({ items: Type.Array(Adjudication) }) },
      },
    },
    async () => ({ items: await openAdjudications(kernel.db.orm) }),
  );

  app.post(
    '/api/v1/identity/adjudications/:id/decision',
    {
      config: { access: REGISTRARS },
      schema: {
        tags,
        summary: 'Decide a possible duplicate: the same person as a candidate, or a different person',
        params: Id,
        body: Type.Object({
          decision: Type.Union([Type.Literal('same'), Type.Literal('different')]),
          personId: Type.Optional(
            Type.String({ format: 'uuid', description: 'The candidate, when the decision is same' }),
          ),
          reason: Reason,
        }),
        response: { 200: Type.Object({ adjudication: Adjudication, person: Person }) },
      },
    },
    async (request) => {
      const { decision, personId, reason } = request.body;
      return inChange(request, (c) =>
        decideAdjudication(
          c,
          settings,
          request.params.id,
          decision === 'same' ? { decision, personId: personId ?? '' } : { decision },
          reason,
        ),
      );
    },
  );

  app.post(
    '/api/v1/identity/verifications',
    {
      config: { access: { actors: ['staff', 'system'], scopes: ['identity:verify'] } },
      schema: {
        tags,
        summary: 'Check claims against the register: yes or no, never the record',
        body: Type.Object({
          uin: Str(20),
          givenNames: Type.Optional(Str()),
          surname: Type.Optional(Str()),
          dateOfBirth: Type.Optional(Type.String({ maxLength: 10 })),
          purpose: Purpose.properties.purpose,
        }),
        response: { 200: Type.Object({ match: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { purpose, ...claims } = request.body;
      return inChange(request, (c) => verifyClaims(c, claims, purpose));
    },
  );

  app.get(
    '/api/v1/identity/sectors/:sector/tokens/:token',
    {
      config: { access: { actors: ['system'], scopes: ['identity:resolve:{sector}'] } },
      schema: {
        tags,
        summary: 'Resolve a sector token to the person it stands for (never the UIN)',
        params: Type.Object({ sector: Str(32), token: Str(64) }),
        querystring: Purpose,
        response: {
          200: Type.Object({
            givenNames: Type.String(),
            surname: Type.String(),
            sex: Type.String(),
            dateOfBirth: Type.String(),
            vitalStatus: Type.String(),
          }),
        },
      },
    },
    async (request) => {
      const person = await inChange(request, (c) =>
        resolveSectorToken(c, request.params.sector, request.params.token, request.query.purpose),
      );
      return {
        givenNames: person.givenNames,
        surname: person.surname,
        sex: person.sex,
        dateOfBirth: formatBirthDate(birthOf(person)),
        vitalStatus: person.vitalStatus,
      };
    },
  );
};
