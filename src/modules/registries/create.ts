import { actorSummary } from '../../core/actors/index.js';
import { problems } from '../../core/http/problem.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import {
  mayAccess,
  RECORD_CREATED,
  type RecordSource,
  type RegistryRecord,
  registryOrNotFound,
  storedKey,
  toRecord,
} from './record.js';
import { records, recordVersions } from './schema.js';
import { recordErrors } from './validate.js';

export interface WriteOptions {
  /** Why: kept with the version and in the audit log. */
  reason: string;
  source?: RecordSource;
}

/**
 * Creates a record (version 1), typically as the output of a workflow decision. 403 when the
 * actor may not write this registry, 422 with one error per field when the record does not fit
 * its schema, 409 when a record with the same key exists. Nothing is written on any of these.
 */
export async function createRecord(
  c: Change,
  registryId: string,
  data: Record<string, unknown>,
  options: WriteOptions,
): Promise<RegistryRecord> {
  const registry = registryOrNotFound(registryId);
  const { definition } = registry;
  if (!mayAccess(c.actor, definition, 'write')) throw problems.forbidden();
  const errors = recordErrors(registry, data);
  if (errors.length) throw problems.invalid(errors);
  const id = newId();
  const inserted = await c.tx
    .insert(records)
    .values({
      id,
      registry: definition.id,
      recordKey: storedKey(definition, data),
      version: 1,
      data,
      createdAt: c.now,
      updatedAt: c.now,
    })
    .onConflictDoNothing()
    .returning();
  const [row] = inserted;
  if (!row) throw problems.conflict(`A record with this key is already in the ${definition.id} registry.`);
  await c.tx.insert(recordVersions).values({
    recordId: id,
    version: 1,
    data,
    reason: options.reason,
    actor: actorSummary(c.actor),
    source: options.source ?? null,
    at: c.now,
  });
  const record = toRecord(row, definition);
  c.audit({
    action: RECORD_CREATED,
    subject: { type: `registry:${definition.id}`, id },
    purpose: options.reason,
    after: { key: record.key, version: 1, data, ...(options.source ? { source: options.source } : {}) },
  });
  c.publish({ topic: RECORD_CREATED, payload: { registry: definition.id, id, key: record.key, version: 1 } });
  return record;
}
