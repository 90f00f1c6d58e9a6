import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import type { Actor } from '../../core/actors/index.js';
import { change } from '../../core/kernel/index.js';
import { loadCatalogue } from './catalogue.js';
import { SHIPPED_CATALOGUE } from './settings.js';
import { type SubmissionInput, submitApplication } from './submit.js';
import { refusal } from './test-support.js';

const catalogue = loadCatalogue(SHIPPED_CATALOGUE);
let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

const certificate = {
  subject: { givenNames: 'Palesa', surname: 'Mokoena', dateOfBirth: '1994-03-21', district: 'C' },
  relationship: 'self',
  copies: 2,
};
const address = { address: { district: 'A', village: 'Ha Thetsane' }, since: '2026-10-01' };
const substantial: Actor = { ...actors.citizen('citizen-s'), acr: 'urn:mmuso:loa:substantial' };

const submit = (actor: Actor, serviceId: string, input: SubmissionInput) =>
  change(t.kernel, { actor }, (c) =>
    submitApplication(c, catalogue, { actor, personId: null }, serviceId, input, 'en'),
  );

describe('submitApplication', () => {
  it('starts the workflow in its initial state, with the registrars’ task and its SLA clock', async () => {
    const view = await submit(actors.citizen(), 'change-of-address', { form: address });
    expect(view.reference).toMatch(/^CA-2026-/);
    expect(view.state.id).toBe('submitted');
    expect(view.fee.amount).toBe(0);
    const [task] = await t.kernel.db.query<{ roles: string[]; office: string; due_at: Date }>(
      `SELECT t.roles, t.office, t.due_at FROM services.tasks t JOIN services.applications a ON a.id = t.application_id
       WHERE a.reference = $1 AND t.closed_at IS NULL`,
      [view.reference],
    );
    expect(task).toMatchObject({ roles: ['registrar', 'supervisor'], office: 'maseru-hq' });
    expect(new Date(task?.due_at as Date).toISOString()).toBe('2026-11-26T08:00:00.000Z');
  });

  it('adds the chosen fee options to the fixed fee', async () => {
    const plain = await submit(substantial, 'birth-certificate-copy', { form: certificate });
    expect(plain.fee).toMatchObject({ amount: 5000, revenueHead: 'HA-CIVREG-01' });
    const urgent = await submit(substantial, 'birth-certificate-copy', {
      form: certificate,
      feeOptions: ['urgent'],
    });
    expect(urgent.fee).toMatchObject({ amount: 15000, options: ['urgent'] });
  });

  it('asks for the sign-in assurance the service needs', async () => {
    const problem = await refusal(submit(actors.citizen(), 'birth-certificate-copy', { form: certificate }));
    expect([problem.status, problem.slug]).toEqual([403, 'assurance']);
  });

  it('refuses kinds of applicant the service does not take', async () => {
    const business = { name: 'Maluti Traders', registrationNumber: 'B-2020-1234' };
    const problem = await refusal(submit(actors.citizen(), 'change-of-address', { form: address, business }));
    expect([problem.status, problem.slug]).toEqual([403, 'applicant-kind']);
  });

  it('reports every wrong field at once: form, fee option, office', async () => {
    const problem = await refusal(
      submit(substantial, 'birth-certificate-copy', {
        form: { ...certificate, copies: 0 },
        feeOptions: ['express'],
        office: 'nowhere',
      }),
    );
    expect(problem.status).toBe(422);
    expect(problem.options.errors?.map((e) => e.pointer)).toEqual([
      '/form/copies',
      '/feeOptions/0',
      '/office',
    ]);
  });

  it('lets an agent apply only with a consent', async () => {
    const agent = actors.staff(['centre_agent'], 'agent-1', 'mokhotlong-centre');
    const problem = await refusal(submit(agent, 'change-of-address', { form: address }));
    expect(problem.options.errors?.map((e) => [e.pointer, e.code])).toEqual([['/consentId', 'required']]);
  });

  it('does not know a service the catalogue does not hold', async () => {
    expect((await refusal(submit(actors.citizen(), 'no-such-service', { form: {} }))).status).toBe(404);
  });
});
