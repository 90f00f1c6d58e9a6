import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestApp, type TestApp } from '../../../test/support/kernel.js';
import type { Actor } from '../../core/actors/index.js';
import { HttpProblem, problemDocument } from '../../core/http/index.js';
import { change } from '../../core/kernel/index.js';
import { changeRecord } from './change.js';
import { createRecord } from './create.js';
import { findRecord } from './find.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const registrar = actors.staff(['registrar'], 'registrar-1');
const address = {
  reference: 'CA-2026-7K3M9Q',
  personId: '0193a1b2-0000-7000-8000-00000000000a',
  district: 'A',
  village: 'Ha Thetsane',
  since: '2026-10-01',
};
const source = { type: 'application', id: 'CA-2026-7K3M9Q' };

const as = (actor: Actor) => ({ actor, requestId: 'test' });
const create = (actor: Actor, data: Record<string, unknown>) =>
  change(t.kernel, as(actor), (c) =>
    createRecord(c, 'residential-addresses', data, { reason: 'application approved', source }),
  );

/** The problem the promise was refused with; a promise that resolves fails the test. */
async function refusal(promise: Promise<unknown>): Promise<HttpProblem> {
  await expect(promise).rejects.toBeInstanceOf(HttpProblem);
  return promise.catch((error: HttpProblem) => error) as Promise<HttpProblem>;
}

async function count(table: string): Promise<number> {
  const [row] = await t.kernel.db.query<{ n: string }>(`SELECT count(*) AS n FROM registries.${table}`);
  return Number(row?.n);
}

let recordId = '';

describe('writing records (workflow outputs)', () => {
  it('creates version 1 with who, when and why, audited and announced', async () => {
    const record = await create(registrar, address);
    recordId = record.id;
    expect(record).toMatchObject({
      registry: 'residential-addresses',
      key: { reference: 'CA-2026-7K3M9Q' },
      version: 1,
      data: address,
      createdAt: '2026-11-23T08:00:00.000Z',
    });
    const audit = await t.kernel.db.query<{ action: string; purpose: string; actor: { id: string } }>(
      `SELECT action, purpose, actor FROM audit.entries WHERE subject->>'id' = $1`,
      [record.id],
    );
    expect(audit).toEqual([
      {
        action: 'registries.record.created',
        purpose: 'application approved',
        actor: expect.objectContaining({ id: 'registrar-1' }),
      },
    ]);
    const events = await t.kernel.db.query<{ topic: string }>(
      `SELECT topic FROM core.outbox WHERE payload->>'id' = $1`,
      [record.id],
    );
    expect(events).toEqual([{ topic: 'registries.record.created' }]);
    await t.kernel.db.transaction(async (tx) => {
      expect(await findRecord(tx, 'residential-addresses', { reference: 'CA-2026-7K3M9Q' })).toEqual(record);
    });
  });

  it('changes by writing a new version; the old one stays as it was', async () => {
    t.clock.advance(60_000);
    const changed = await change(t.kernel, as(actors.staff(['supervisor'], 'supervisor-1')), (c) =>
      changeRecord(
        c,
        'residential-addresses',
        { reference: 'CA-2026-7K3M9Q' },
        { village: 'Ha Abia', constituency: null },
        {
          reason: 'village misspelt on approval',
        },
      ),
    );
    expect(changed).toMatchObject({ version: 2, data: { ...address, village: 'Ha Abia' } });
    const versions = await t.kernel.db.query<{ version: number; data: { village: string }; reason: string }>(
      'SELECT version, data, reason FROM registries.record_versions WHERE record_id = $1 ORDER BY version',
      [recordId],
    );
    expect(versions.map((v) => [v.version, v.data.village, v.reason])).toEqual([
      [1, 'Ha Thetsane', 'application approved'],
      [2, 'Ha Abia', 'village misspelt on approval'],
    ]);
    await expect(
      t.kernel.db.query(
        `UPDATE registries.record_versions SET reason = 'nothing happened' WHERE record_id = $1`,
        [recordId],
      ),
    ).rejects.toThrow(/append-only/);
  });

  it('refuses bad data with one error per field, a taken key with 409, a key change and a foreign role with 403, writing nothing', async () => {
    const before = [await count('records'), await count('record_versions')];
    const invalid = await refusal(
      create(registrar, {
        reference: 'CA-2026-AAAAAA',
        district: 'Z',
        village: 'Ha Abia',
        since: 'yesterday',
        colour: 'blue',
      }),
    );
    expect(invalid.status).toBe(422);
    expect(invalid.options.errors?.map((e) => e.pointer)).toEqual(['/colour', '/district', '/since']);
    // As the caller reads it, in their language: one entry per field.
    const sent = problemDocument(invalid, { locale: 'en', url: '/x', id: 'r' } as FastifyRequest);
    expect(sent.errors?.map((e) => e.detail)).toEqual([
      'colour is not an accepted field',
      'district must be one of: A, B, C, D, E, F, G, H, J, K',
      'since is not valid',
    ]);
    const inSesotho = problemDocument(invalid, { locale: 'st', url: '/x', id: 'r' } as FastifyRequest);
    expect(inSesotho.title).toBe('Ho na le bothata ho seo u se kentseng');
    expect(inSesotho.errors?.[2]?.detail).not.toBe('since is not valid');
    expect((await refusal(create(registrar, address))).status).toBe(409);
    expect(
      (await refusal(create(actors.staff(['cashier']), { ...address, reference: 'CA-2026-BBBBBB' }))).status,
    ).toBe(403);
    expect(
      (await refusal(create(actors.citizen(), { ...address, reference: 'CA-2026-BBBBBB' }))).status,
    ).toBe(403);
    expect(
      (
        await refusal(
          create(actors.system(['registry:write:certified-copies']), {
            ...address,
            reference: 'CA-2026-BBBBBB',
          }),
        )
      ).status,
    ).toBe(403);
    const rekey = await refusal(
      change(t.kernel, as(registrar), (c) =>
        changeRecord(
          c,
          'residential-addresses',
          { reference: 'CA-2026-7K3M9Q' },
          { reference: 'CA-2026-CCCCCC' },
          { reason: 'x' },
        ),
      ),
    );
    expect([rekey.status, rekey.options.errors?.[0]?.pointer]).toEqual([422, '/reference']);
    const missing = await refusal(
      change(t.kernel, as(registrar), (c) =>
        changeRecord(
          c,
          'residential-addresses',
          { reference: 'CA-2026-ZZZZZZ' },
          { village: 'x' },
          { reason: 'x' },
        ),
      ),
    );
    expect(missing.status).toBe(404);
    expect([await count('records'), await count('record_versions')]).toEqual(before);
  });

  it('lets the platform’s own automation and a system with registry:write:<id> write', async () => {
    const automatic = await create(actors.system([], 'mmuso:services'), {
      ...address,
      reference: 'CA-2026-DDDDDD',
    });
    expect(automatic.version).toBe(1);
    const scoped = await create(actors.system(['registry:write:residential-addresses'], 'lra'), {
      ...address,
      reference: 'CA-2026-EEEEEE',
    });
    expect(scoped.version).toBe(1);
  });
});

describe('the lookup API', () => {
  const lookup = async (actor: Actor, query = 'key=CA-2026-7K3M9Q&purpose=checking an address') =>
    t.app.inject({
      method: 'GET',
      url: `/api/v1/registries/residential-addresses/records?${query}`,
      headers: await t.as(actor),
    });

  it('gives a reader the record by key, and audits the read with its purpose', async () => {
    const response = await lookup(actors.staff(['registrar'], 'registrar-2'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: recordId, version: 2, data: { village: 'Ha Abia' } });
    const reads = await t.kernel.db.query<{ purpose: string; actor: { id: string } }>(
      `SELECT purpose, actor FROM audit.entries WHERE action = 'registries.record.read' AND subject->>'id' = $1`,
      [recordId],
    );
    expect(reads).toEqual([
      { purpose: 'checking an address', actor: expect.objectContaining({ id: 'registrar-2' }) },
    ]);
    const system = await lookup(actors.system(['registry:read:residential-addresses'], 'lra'));
    expect(system.statusCode).toBe(200);
  });

  it('refuses a citizen, a role the definition does not name, and a system without the scope', async () => {
    expect((await lookup(actors.citizen())).statusCode).toBe(403);
    for (const role of ['licensing_officer', 'cashier', 'centre_agent'] as const) {
      const response = await lookup(actors.staff([role]));
      expect(response.statusCode, role).toBe(403);
      expect(response.json().type).toBe('https://mmuso.gov.ls/problems/forbidden');
    }
    expect((await lookup(actors.system(['registry:read:certified-copies']))).statusCode).toBe(403);
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/api/v1/registries/residential-addresses/records?key=x&purpose=xyz',
    });
    expect(anonymous.statusCode).toBe(401);
    const [row] = await t.kernel.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit.entries WHERE action = 'registries.record.read' AND actor->>'type' <> 'staff' AND actor->>'id' <> 'lra'`,
    );
    expect(Number(row?.n)).toBe(0);
  });

  it('answers an unknown key or registry with 404, a wrong number of key parts with 422, no purpose with 400', async () => {
    const reader = actors.staff(['supervisor']);
    expect((await lookup(reader, 'key=CA-2026-ZZZZZZ&purpose=checking')).statusCode).toBe(404);
    expect((await lookup(reader, 'key=a&key=b&purpose=checking')).statusCode).toBe(422);
    expect((await lookup(reader, 'key=CA-2026-7K3M9Q')).statusCode).toBe(400);
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/v1/registries/vehicles/records?key=A123&purpose=checking',
      headers: await t.as(reader),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('shows the history of a record, by id, with who, when and why', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registries/residential-addresses/records/${recordId}/history?purpose=dispute about the address`,
      headers: await t.as(actors.staff(['supervisor'])),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([
      expect.objectContaining({
        version: 1,
        reason: 'application approved',
        source,
        actor: expect.objectContaining({ id: 'registrar-1', type: 'staff' }),
        at: '2026-11-23T08:00:00.000Z',
      }),
      expect.objectContaining({
        version: 2,
        reason: 'village misspelt on approval',
        source: null,
        actor: expect.objectContaining({ id: 'supervisor-1' }),
        at: '2026-11-23T08:01:00.000Z',
      }),
    ]);
    const byId = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registries/residential-addresses/records/${recordId}?purpose=checking`,
      headers: await t.as(actors.citizen()),
    });
    expect(byId.statusCode).toBe(403);
  });

  it('lists the registries and their definitions publicly', async () => {
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/registries' })).json();
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([
      'certified-copies',
      'residential-addresses',
    ]);
    const one = (await t.app.inject({ method: 'GET', url: '/api/v1/registries/certified-copies' })).json();
    expect(one).toMatchObject({
      ministry: 'home-affairs',
      key: ['reference'],
      access: { read: ['registrar', 'supervisor'] },
    });
    const schema = (await t.app.inject({ method: 'GET', url: '/api/v1/registries/schema' })).json();
    expect(schema.required).toEqual(
      expect.arrayContaining(['id', 'name', 'ministry', 'key', 'record', 'access']),
    );
  });
});
