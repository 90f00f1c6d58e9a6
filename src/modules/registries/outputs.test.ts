import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestApp, type TestApp } from '../../../test/support/kernel.js';
import { change } from '../../core/kernel/index.js';
import { REGISTRY_RECORD_REQUESTED } from '../services/index.js';
import { findRecord } from './find.js';
import { checkRegistryOutput, type RecordRequest } from './outputs.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** As the services module announces it when a change of address is approved. */
const approved = (reference: string, fields: Record<string, unknown>): RecordRequest => ({
  applicationId: '0193a1b2-0000-7000-8000-0000000000a1',
  reference,
  serviceId: 'change-of-address',
  registry: 'residential-addresses',
  operation: 'create',
  personId: '0193a1b2-0000-7000-8000-0000000000b1',
  accountId: 'citizen-palesa',
  fields,
});

async function announce(request: RecordRequest) {
  await change(t.kernel, { actor: actors.staff(['registrar']) }, async (c) =>
    c.publish({ topic: REGISTRY_RECORD_REQUESTED, payload: request }),
  );
  await t.kernel.events.dispatchOnce();
}

const fields = { district: 'A', village: 'Ha Thetsane', since: '2026-10-01' };

describe('records requested by finished applications', () => {
  it('are written once, with the application’s reference as key and source, whatever the repeats', async () => {
    await announce(approved('CA-2026-7K3M9Q', fields));
    await announce(approved('CA-2026-7K3M9Q', fields));
    const record = await findRecord(t.kernel.db.orm, 'residential-addresses', {
      reference: 'CA-2026-7K3M9Q',
    });
    expect(record).toMatchObject({
      version: 1,
      data: { ...fields, reference: 'CA-2026-7K3M9Q', personId: '0193a1b2-0000-7000-8000-0000000000b1' },
    });
    const versions = await t.kernel.db.query<{ reason: string; source: unknown; actor: { id: string } }>(
      'SELECT reason, source, actor FROM registries.record_versions WHERE record_id = $1',
      [record?.id],
    );
    expect(versions).toEqual([
      {
        reason: 'change-of-address application CA-2026-7K3M9Q',
        source: { type: 'application', id: 'CA-2026-7K3M9Q' },
        actor: expect.objectContaining({ id: 'mmuso:registries' }),
      },
    ]);
  });

  it('leave the event failing, with the registry’s reason, when the record does not fit', async () => {
    await announce(approved('CA-2026-AAAAAA', { ...fields, district: 'Z', since: 'soon' }));
    expect(
      await findRecord(t.kernel.db.orm, 'residential-addresses', { reference: 'CA-2026-AAAAAA' }),
    ).toBeUndefined();
    const [event] = await t.kernel.db.query<{ status: string; last_error: string }>(
      `SELECT status, last_error FROM core.outbox WHERE topic = $1 AND payload->>'reference' = 'CA-2026-AAAAAA'`,
      [REGISTRY_RECORD_REQUESTED],
    );
    expect(event).toEqual({
      status: 'pending',
      last_error:
        'registries.write-record: residential-addresses refused the record (validation: /district, /since)',
    });
  });
});

describe('checking a service output against its registry', () => {
  it('accepts the shipped change-of-address output and names what is wrong otherwise', () => {
    expect(
      checkRegistryOutput('residential-addresses', ['district', 'constituency', 'village', 'since']),
    ).toEqual([]);
    expect(checkRegistryOutput('residential-addresses', ['district', 'postcode'])).toEqual([
      'residential-addresses records have no field postcode',
    ]);
    expect(checkRegistryOutput('vehicles', ['plate'])).toEqual(['names no registry: vehicles']);
  });
});
