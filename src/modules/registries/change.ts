import { and, eq } from 'drizzle-orm';
import { actorSummary } from '../../core/actors/index.js';
import { fieldError, problems } from '../../core/http/problem.js';
import type { Change } from '../../core/kernel/index.js';
import type { WriteOptions } from './create.js';
import {
  mayAccess,
  RECORD_CHANGED,
  type RecordKey,
  type RegistryRecord,
  registryOrNotFound,
  storedKey,
  toRecord,
} from './record.js';
import { records, recordVersions } from './schema.js';
import { recordErrors } from './validate.js';

/**
 * Changes a record: `changes` are merged over the current data (a field set to null is
 * removed), the result is checked whole, and written as the next version; the old version stays.
 * Key fields never change. 404 for no such record, 403/422 as for createRecord.
 */
export async function changeRecord(
  c: Change,
  registryId: string,
  key: RecordKey,
  changes: Record<string, unknown>,
  options: WriteOptions,
): Promise<RegistryRecord> {
  const registry = registryOrNotFound(registryId);
  const { definition } = registry;
  if (!mayAccess(c.actor, definition, 'write')) throw problems.forbidden();
  const [current] = await c.tx
    .select()
    .from(records)
    .where(and(eq(records.registry, definition.id), eq(records.recordKey, storedKey(definition, key))))
    .for('update');
  if (!current) throw problems.notFound();
  const keyChanges = definition.key.filter(
    (field) => field in changes && changes[field] !== current.data[field],
  );
  if (keyChanges.length) {
    throw problems.invalid(
      keyChanges.map((field) => fieldError(`/${field}`, 'key', 'field.invalid', { field })),
    );
  }
  const data: Record<string, unknown> = { ...current.data };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) delete data[field];
    else data[field] = value;
  }
  const errors = recordErrors(registry, data);
  if (errors.length) throw problems.invalid(errors);
  const version = current.version + 1;
  const [row] = await c.tx
    .update(records)
    .set({ version, data, updatedAt: c.now })
    .where(eq(records.id, current.id))
    .returning();
  await c.tx.insert(recordVersions).values({
    recordId: current.id,
    version,
    data,
    reason: options.reason,
    actor: actorSummary(c.actor),
    source: options.source ?? null,
    at: c.now,
  });
  const record = toRecord(row ?? current, definition);
  c.audit({
    action: RECORD_CHANGED,
    subject: { type: `registry:${definition.id}`, id: current.id },
    purpose: options.reason,
    before: { version: current.version, data: current.data },
    after: { version, data, ...(options.source ? { source: options.source } : {}) },
  });
  c.publish({
    topic: RECORD_CHANGED,
    payload: { registry: definition.id, id: current.id, key: record.key, version },
  });
  return record;
}
