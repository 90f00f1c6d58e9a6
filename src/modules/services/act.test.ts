import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import type { Actor } from '../../core/actors/index.js';
import { change } from '../../core/kernel/index.js';
import { type ActionInput, takeAction } from './act.js';
import { loadCatalogue } from './catalogue.js';
import { readApplication } from './read.js';
import { SHIPPED_CATALOGUE } from './settings.js';
import { submitApplication } from './submit.js';
import { refusal } from './test-support.js';

const catalogue = loadCatalogue(SHIPPED_CATALOGUE);
let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

const citizen = actors.citizen('citizen-act');
const registrar = actors.staff(['registrar'], 'registrar-1');
const address = { address: { district: 'A', village: 'Ha Thetsane' }, since: '2026-10-01' };

const caller = (actor: Actor) => ({ actor, personId: null });
const apply = () =>
  change(t.kernel, { actor: citizen }, (c) =>
    submitApplication(c, catalogue, caller(citizen), 'change-of-address', { form: address }, 'st'),
  );
const act = (actor: Actor, reference: string, action: string, input: ActionInput = {}) =>
  change(t.kernel, { actor }, (c) => takeAction(c, catalogue, caller(actor), reference, action, input, 'st'));

describe('takeAction', () => {
  it('returns for correction only with a reason, and takes the corrected form back', async () => {
    const { reference } = await apply();
    const silent = await refusal(act(registrar, reference, 'return'));
    expect(silent.options.errors?.map((e) => e.pointer)).toEqual(['/comment']);
    const returned = await act(registrar, reference, 'return', {
      comment: 'The village is missing its district',
    });
    expect(returned.state.id).toBe('returned');

    const wrong = await refusal(
      act(citizen, reference, 'resubmit', { form: { address: { district: 'Z' } } }),
    );
    expect(wrong.status).toBe(422);
    expect(wrong.options.errors?.map((e) => e.pointer).sort()).toEqual([
      '/form/address/district',
      '/form/address/village',
      '/form/since',
    ]);
    expect(wrong.options.errors?.find((e) => e.pointer === '/form/since')?.detail).toBe(
      'Kenya letsatsi leo u falletseng ka lona',
    );

    const corrected = { address: { district: 'B', village: 'Hlotse' }, since: '2026-10-01' };
    const again = await act(citizen, reference, 'resubmit', { form: corrected });
    expect(again.state.id).toBe('submitted');
    expect(again.form).toEqual(corrected);
    expect(again.history.map((h) => h.action)).toEqual(['apply', 'return', 'resubmit']);
    expect(again.history[1]?.comment).toBe('The village is missing its district');
  });

  it('lets the applicant withdraw, after which nothing moves it', async () => {
    const { reference } = await apply();
    expect((await act(citizen, reference, 'withdraw')).state).toMatchObject({ id: 'withdrawn', final: true });
    const after = await refusal(act(registrar, reference, 'verify'));
    expect(after.status).toBe(409);
    expect(after.options.extensions).toEqual({ state: 'withdrawn', allowedActions: [] });
  });

  it('lets officers of another office read but not act', async () => {
    const { reference } = await apply();
    const elsewhere = actors.staff(['registrar'], 'registrar-9', 'leribe-office');
    const problem = await refusal(act(elsewhere, reference, 'verify'));
    expect([problem.status, problem.slug]).toEqual([403, 'other-office']);
  });

  it('tells someone with no business with the application that it does not exist', async () => {
    const { reference } = await apply();
    expect((await refusal(act(actors.citizen('someone-else'), reference, 'withdraw'))).status).toBe(404);
    expect((await refusal(act(citizen, 'CA-2026-00000', 'withdraw'))).status).toBe(404);
  });
});

describe('what an action answers', () => {
  const cashier = actors.staff(['cashier'], 'cashier-1');
  const preparer = actors.staff(['registrar'], 'registrar-2');
  const approver = actors.staff(['supervisor'], 'supervisor-1');
  const applicant: Actor = { ...actors.citizen('citizen-view'), acr: 'urn:mmuso:loa:substantial' };
  const certificate = {
    subject: { givenNames: 'Palesa', surname: 'Mokoena', dateOfBirth: '1994-03-21', district: 'C' },
    relationship: 'self',
    copies: 1,
  };
  const read = (actor: Actor, reference: string) =>
    change(t.kernel, { actor }, (c) => readApplication(c, catalogue, caller(actor), reference, 'check'));

  it('is the application as a fresh read shows it, through automatic steps and to the end', async () => {
    const submitted = await change(t.kernel, { actor: applicant }, (c) =>
      submitApplication(
        c,
        catalogue,
        caller(applicant),
        'birth-certificate-copy',
        { form: certificate },
        'en',
      ),
    );
    expect(submitted).toEqual(await read(applicant, submitted.reference));
    const { reference } = submitted;
    const paid = await act(cashier, reference, 'record-payment', { receiptNumber: 'R-1' });
    expect(paid.history.map((h) => h.action)).toEqual(['apply', 'record-payment', 'submit']);
    expect(paid).toEqual(await read(cashier, reference));
    const prepared = await act(preparer, reference, 'prepare', { comment: 'Entry found' });
    expect(prepared.task).not.toBeNull();
    expect(prepared).toEqual(await read(preparer, reference));
    const issued = await act(approver, reference, 'approve');
    expect(issued.task).toBeNull();
    expect(issued).toEqual(await read(approver, reference));
    expect(await read(applicant, reference)).toMatchObject({ state: { id: 'issued' }, task: null });
  });
});
