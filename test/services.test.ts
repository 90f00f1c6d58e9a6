import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateOverdueTasks } from '../src/modules/services/index.js';
import { actors, createTestApp, type TestApp } from './support/kernel.js';

/**
 * A ministry adds a service as one data file, with no code change: the test writes the file into
 * a catalogue folder of its own, and the platform lists it, takes applications, lets a cashier
 * record the fee, lets staff work it and completes it.
 */
const fishingLicence = {
  id: 'fishing-licence',
  version: 1,
  referencePrefix: 'FL',
  name: { en: 'Recreational fishing licence', st: 'Laesense ea ho tšoasa litlhapi' },
  description: {
    en: 'A licence to fish in the dams and rivers of Lesotho for one year.',
    st: 'Laesense ea ho tšoasa litlhapi matamong le linokeng tsa Lesotho selemo se le seng.',
  },
  ministry: 'environment',
  applicants: ['citizen'],
  assurance: 'low',
  offices: ['maseru-hq'],
  form: {
    schema: {
      type: 'object',
      required: ['water', 'rods'],
      additionalProperties: false,
      properties: {
        water: { enum: ['katse', 'mohale', 'senqu'] },
        rods: { type: 'integer', minimum: 1, maximum: 3 },
      },
    },
    pages: [{ id: 'where', title: { en: 'Where and how', st: 'Kae le joang' }, fields: ['/water', '/rods'] }],
    fields: {
      '/water': {
        label: { en: 'Water', st: 'Metsi' },
        errors: { required: { en: 'Choose where you will fish', st: 'Khetha moo u tla tšoasa teng' } },
      },
      '/rods': {
        label: { en: 'Rods', st: 'Lithupa' },
        errors: { maximum: { en: 'At most 3 rods', st: 'Lithupa tse 3 feela' } },
      },
    },
  },
  uploads: [
    {
      id: 'photo',
      label: { en: 'A photo of you', st: 'Setšoantšo sa hau' },
      types: ['image/jpeg', 'image/png'],
      maxBytes: 1_000_000,
      required: true,
    },
  ],
  fees: { revenueHead: 'ENV-FISH-01', amount: 2500, options: [] },
  workflow: {
    initial: 'awaiting-payment',
    states: {
      'awaiting-payment': { label: { en: 'Awaiting payment', st: 'E emetse tefo' } },
      paid: { label: { en: 'Paid', st: 'E lefiloe' }, automatic: 'submit' },
      submitted: { label: { en: 'Submitted', st: 'E rometsoe' }, slaHours: 8 },
      checked: { label: { en: 'Checked', st: 'E hlahlobiloe' } },
      licensed: { label: { en: 'Licensed', st: 'E fuoe laesense' }, final: true },
      withdrawn: { label: { en: 'Withdrawn', st: 'E hulisitsoe' }, final: true },
    },
    actions: {
      'record-payment': {
        label: { en: 'Record the payment', st: 'Ngola tefo' },
        from: ['awaiting-payment'],
        to: 'paid',
        by: ['cashier'],
        payment: true,
      },
      submit: { label: { en: 'Submit', st: 'Romela' }, from: ['paid'], to: 'submitted', by: ['system'] },
      check: {
        label: { en: 'Check', st: 'Hlahloba' },
        from: ['submitted'],
        to: 'checked',
        by: ['licensing_officer'],
      },
      approve: {
        label: { en: 'Approve', st: 'Amohela' },
        from: ['checked'],
        to: 'licensed',
        by: ['licensing_officer', 'supervisor'],
        checkerOf: ['check'],
      },
      withdraw: {
        label: { en: 'Withdraw', st: 'Hula' },
        from: ['awaiting-payment', 'submitted'],
        to: 'withdrawn',
        by: ['applicant'],
      },
    },
  },
  outputs: [
    {
      when: 'licensed',
      document: { kind: 'fishing-licence', title: { en: 'Fishing licence', st: 'Laesense ea litlhapi' } },
    },
  ],
};

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
let t: TestApp;
let catalogueDir: string;
const palesa = actors.citizen('citizen-palesa');
const thabo = actors.citizen('citizen-thabo');
const cashier = actors.staff(['cashier'], 'cashier-1');
const officer = actors.staff(['licensing_officer'], 'officer-1');
const secondOfficer = actors.staff(['licensing_officer'], 'officer-2');
const registrar = actors.staff(['registrar'], 'registrar-1');

beforeAll(async () => {
  catalogueDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-services-'));
  fs.writeFileSync(path.join(catalogueDir, 'fishing-licence.json'), JSON.stringify(fishingLicence));
  t = await createTestApp({ SERVICES_CATALOGUE_DIR: catalogueDir });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(catalogueDir, { recursive: true, force: true });
});

async function call(
  actor: Parameters<TestApp['as']>[0],
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
  lang = 'en',
) {
  return t.app.inject({
    method,
    url,
    headers: { ...(await t.as(actor)), 'accept-language': lang },
    ...(payload ? { payload } : {}),
  });
}

const apply = (actor = palesa, form: object = { water: 'katse', rods: 2 }, lang = 'en') =>
  call(actor, 'POST', '/api/v1/services/fishing-licence/applications', { form }, lang);
const act = (actor: Parameters<TestApp['as']>[0], reference: string, action: string, body: object = {}) =>
  call(actor, 'POST', `/api/v1/applications/${reference}/actions/${action}`, body);

async function stepsOf(reference: string): Promise<number> {
  const [row] = await t.kernel.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM services.history h JOIN services.applications a ON a.id = h.application_id
     WHERE a.reference = $1`,
    [reference],
  );
  return Number(row?.n);
}

describe('a new service added as one data file', () => {
  let reference: string;

  it('is listed and described', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/services' });
    expect(list.json().items.map((s: { id: string }) => s.id)).toEqual(['fishing-licence']);
    const one = await t.app.inject({ method: 'GET', url: '/api/v1/services/fishing-licence' });
    expect(one.json().workflow.initial).toBe('awaiting-payment');
    const schema = await t.app.inject({ method: 'GET', url: '/api/v1/services/schema' });
    expect(schema.json().$id).toBe('https://mmuso.gov.ls/schemas/service-definition.json');
  });

  it('refuses a form failing its schema with one error per field, in Sesotho, changing nothing', async () => {
    const response = await apply(palesa, { rods: 7, bait: 'worms' }, 'st');
    expect(response.statusCode).toBe(422);
    const errors = response.json().errors as { pointer: string; detail: string }[];
    expect(errors.map((e) => e.pointer).sort()).toEqual(['/form/bait', '/form/rods', '/form/water']);
    expect(errors.find((e) => e.pointer === '/form/water')?.detail).toBe('Khetha moo u tla tšoasa teng');
    expect(errors.find((e) => e.pointer === '/form/rods')?.detail).toBe('Lithupa tse 3 feela');
    const [count] = await t.kernel.db.query<{ n: string }>('SELECT count(*) AS n FROM services.applications');
    expect(Number(count?.n)).toBe(0);
  });

  it('takes an application with a checked reference, waiting for the fee', async () => {
    const response = await apply();
    expect(response.statusCode).toBe(201);
    const body = response.json();
    reference = body.reference;
    expect(reference).toMatch(/^FL-2026-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(body.state.id).toBe('awaiting-payment');
    expect(body.fee).toMatchObject({ amount: 2500, revenueHead: 'ENV-FISH-01', paidAt: null });
    expect(body.actions.map((a: { id: string }) => a.id)).toEqual(['withdraw']);
  });

  it('refuses an action the state does not allow with 409, listing the allowed ones', async () => {
    const before = await stepsOf(reference);
    const response = await act(officer, reference, 'approve');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      type: 'https://mmuso.gov.ls/problems/action-not-allowed',
      state: 'awaiting-payment',
      allowedActions: ['record-payment', 'withdraw'],
    });
    expect(await stepsOf(reference)).toBe(before);
  });

  it('refuses the wrong role with 403, changing nothing', async () => {
    const before = await stepsOf(reference);
    const response = await act(officer, reference, 'record-payment', { receiptNumber: 'R-1' });
    expect(response.statusCode).toBe(403);
    expect(response.json().type).toBe('https://mmuso.gov.ls/problems/wrong-role');
    expect(await stepsOf(reference)).toBe(before);
  });

  it('is marked paid by a cashier, which submits it by itself', async () => {
    const missing = await act(cashier, reference, 'record-payment', {});
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0].pointer).toBe('/receiptNumber');
    const response = await act(cashier, reference, 'record-payment', { receiptNumber: 'MSU-000123' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.state.id).toBe('submitted');
    expect(body.fee).toMatchObject({ receiptNumber: 'MSU-000123', paidAt: '2026-11-23T08:00:00.000Z' });
    expect(body.history.map((h: { action: string; to: string }) => `${h.action}→${h.to}`)).toEqual([
      'apply→awaiting-payment',
      'record-payment→paid',
      'submit→submitted',
    ]);
    expect(body.history[2].by).toMatchObject({ type: 'system', id: 'mmuso:workflow' });
  });

  it('lands in the licensing officers’ queue of the office, with its SLA clock', async () => {
    const queue = await call(officer, 'GET', '/api/v1/tasks');
    const [task] = queue.json().items;
    expect(task).toMatchObject({ reference, state: 'submitted', assignee: null, breached: false });
    expect(task.dueAt).toBe('2026-11-23T16:00:00.000Z');
    expect((await call(registrar, 'GET', '/api/v1/tasks')).json().items).toEqual([]);
    const claimed = await call(officer, 'POST', `/api/v1/tasks/${task.id}/assignment`, {
      assignee: 'officer-1',
    });
    expect(claimed.json(), claimed.body).toMatchObject({ assignee: 'officer-1' });
    const taken = await call(secondOfficer, 'POST', `/api/v1/tasks/${task.id}/assignment`, {
      assignee: 'officer-2',
    });
    expect(taken.statusCode).toBe(403);
  });

  it('keeps internal comments from the applicant', async () => {
    await call(officer, 'POST', `/api/v1/applications/${reference}/comments`, {
      body: 'Checked the permit list',
    });
    await call(officer, 'POST', `/api/v1/applications/${reference}/comments`, {
      body: 'Your licence is being checked',
      visibility: 'applicant',
    });
    const seen = await call(palesa, 'GET', `/api/v1/applications/${reference}`);
    expect(seen.json().comments.map((c: { body: string }) => c.body)).toEqual([
      'Your licence is being checked',
    ]);
    const staffView = await call(officer, 'GET', `/api/v1/applications/${reference}`);
    expect(staffView.json().comments).toHaveLength(2);
  });

  it('is not worked before the applicant gives the files it needs', async () => {
    const early = await act(officer, reference, 'check');
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({
      type: 'https://mmuso.gov.ls/problems/uploads-missing',
      missingUploads: ['photo'],
    });
    const photo = await t.app.inject({
      method: 'POST',
      url: `/api/v1/applications/${reference}/uploads/photo`,
      headers: {
        ...(await t.as(palesa)),
        'content-type': 'image/png',
        'content-disposition': 'attachment; filename="me.png"',
      },
      payload: PNG,
    });
    expect(photo.statusCode).toBe(201);
  });

  it('is worked by staff, and the officer who checked it cannot approve it', async () => {
    expect((await act(officer, reference, 'check')).json().state.id).toBe('checked');
    const before = await stepsOf(reference);
    const own = await act(officer, reference, 'approve');
    expect(own.statusCode).toBe(403);
    expect(own.json().type).toBe('https://mmuso.gov.ls/problems/maker-checker');
    expect(await stepsOf(reference)).toBe(before);
    const approved = await act(secondOfficer, reference, 'approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json().state).toMatchObject({ id: 'licensed', final: true });
    expect(approved.json().completedAt).toBe('2026-11-23T08:00:00.000Z');
  });

  it('asks for its document once complete, through the outbox', async () => {
    const events = await t.kernel.db.query<{ payload: { reference: string; kind: string } }>(
      `SELECT payload FROM core.outbox WHERE topic = 'services.output.document-requested'`,
    );
    expect(events.map((e) => [e.payload.reference, e.payload.kind])).toEqual([
      [reference, 'fishing-licence'],
    ]);
    expect((await call(officer, 'GET', '/api/v1/tasks')).json().items).toEqual([]);
  });
});

describe('who sees which applications', () => {
  it('a citizen lists and opens only their own', async () => {
    const thabos = (await apply(thabo)).json().reference;
    const palesas = (await call(palesa, 'GET', '/api/v1/applications')).json().items;
    expect(palesas.length).toBeGreaterThan(0);
    expect(palesas.map((a: { reference: string }) => a.reference)).not.toContain(thabos);
    const mine = (await call(thabo, 'GET', '/api/v1/applications')).json().items;
    expect(mine.map((a: { reference: string }) => a.reference)).toEqual([thabos]);
    expect((await call(palesa, 'GET', `/api/v1/applications/${thabos}`)).statusCode).toBe(404);
    expect((await act(palesa, thabos, 'withdraw')).statusCode).toBe(404);
    expect((await act(thabo, thabos, 'withdraw')).json().state.id).toBe('withdrawn');
  });
});

describe('SLA clocks', () => {
  it('flag an overdue task and escalate it to the office’s supervisors, once', async () => {
    const reference = (await apply()).json().reference;
    await act(cashier, reference, 'record-payment', { receiptNumber: 'MSU-000124' });
    t.clock.advance(9 * 3600_000);
    expect(await escalateOverdueTasks(t.kernel)).toBe(1);
    expect(await escalateOverdueTasks(t.kernel)).toBe(0);
    const supervisor = actors.staff(['supervisor'], 'supervisor-1');
    const escalated = (await call(supervisor, 'GET', '/api/v1/tasks?escalated=true')).json().items;
    expect(escalated).toMatchObject([{ reference, breached: true, escalatedTo: 'supervisor' }]);
    const audit = await t.kernel.db.query(
      `SELECT 1 FROM audit.entries WHERE action = 'services.task.escalated'`,
    );
    expect(audit).toHaveLength(1);
  });
});
