import { and, asc, eq } from 'drizzle-orm';
import type { Queryable } from '../../core/db/index.js';
import { problems } from '../../core/http/problem.js';
import type { Change } from '../../core/kernel/index.js';
import {
  mayAccess,
  RECORD_READ,
  type RecordKey,
  type RecordVersion,
  type RegistryRecord,
  registryOrNotFound,
  storedKey,
  toRecord,
} from './record.js';
import { records, recordVersions } from './schema.js';

/**
 * The current record with this key, for workflows inside their change (`c.tx`), or undefined.
 * Not audited: the workflow's own decision is. People's lookups go through `lookUpRecord`.
 */
export async function findRecord(
  db: Queryable,
  registryId: string,
  key: RecordKey,
): Promise<RegistryRecord | undefined> {
  const { definition } = registryOrNotFound(registryId);
  const [row] = await db
    .select()
    .from(records)
    .where(and(eq(records.registry, definition.id), eq(records.recordKey, storedKey(definition, key))));
  return row ? toRecord(row, definition) : undefined;
}

function readable(c: Change, registryId: string) {
  const registry = registryOrNotFound(registryId);
  if (!mayAccess(c.actor, registry.definition, 'read')) throw problems.forbidden();
  return registry.definition;
}

/** A lookup by key for a person or system allowed to read the registry; audited with its purpose. */
export async function lookUpRecord(
  c: Change,
  registryId: string,
  by: { key: RecordKey } | { id: string },
  purpose: string,
): Promise<RegistryRecord> {
  const definition = readable(c, registryId);
  const [row] = await c.tx
    .select()
    .from(records)
    .where(
      and(
        eq(records.registry, definition.id),
        'id' in by ? eq(records.id, by.id) : eq(records.recordKey, storedKey(definition, by.key)),
      ),
    );
  if (!row) throw problems.notFound();
  c.audit({ action: RECORD_READ, subject: { type: `registry:${definition.id}`, id: row.id }, purpose });
  return toRecord(row, definition);
}

/** Every version of a record, oldest first, with who, when and why; audited with its purpose. */
export async function recordHistory(
  c: Change,
  registryId: string,
  id: string,
  purpose: string,
): Promise<RecordVersion[]> {
  const definition = readable(c, registryId);
  const [row] = await c.tx
    .select({ id: records.id })
    .from(records)
    .where(and(eq(records.registry, definition.id), eq(records.id, id)));
  if (!row) throw problems.notFound();
  const versions = await c.tx
    .select()
    .from(recordVersions)
    .where(eq(recordVersions.recordId, id))
    .orderBy(asc(recordVersions.version));
  c.audit({
    action: RECORD_READ,
    subject: { type: `registry:${definition.id}`, id },
    purpose,
    after: { history: true },
  });
  return versions.map((v) => ({
    version: v.version,
    data: v.data,
    reason: v.reason,
    actor: v.actor,
    source: v.source ?? null,
    at: v.at.toISOString(),
  }));
}
