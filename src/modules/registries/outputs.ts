import { and, desc, eq } from 'drizzle-orm';
import { systemActor } from '../../core/actors/index.js';
import { HttpProblem } from '../../core/http/problem.js';
import { change, type Kernel } from '../../core/kernel/index.js';
import { REGISTRY_RECORD_REQUESTED } from '../services/index.js';
import { registryCatalogue } from './catalogue.js';
import { changeRecord } from './change.js';
import { createRecord } from './create.js';
import { keyOf, type RecordKey, storedKey } from './record.js';
import { records, recordVersions } from './schema.js';

/** What the services module announces when a finished application asks for a record. */
export interface RecordRequest {
  applicationId: string;
  reference: string;
  serviceId: string;
  registry: string;
  operation: 'create' | 'change';
  personId?: string | null;
  accountId?: string | null;
  /** The value of the output's declared key field of the form, when it declares one. */
  key?: unknown;
  fields: Record<string, unknown>;
}

/**
 * Fields a record gets from the application itself when its registry declares them and the
 * form did not fill them: the application's reference, and who applied.
 */
function contextFields(request: RecordRequest): Record<string, unknown> {
  return { reference: request.reference, personId: request.personId, accountId: request.accountId };
}

/** The record the request describes: the form's fields, then the application's own. */
export function recordFromRequest(request: RecordRequest): { data: Record<string, unknown>; key: RecordKey } {
  const registry = registryCatalogue().get(request.registry);
  if (!registry) throw new Error(`services asked for a record in an unknown registry: ${request.registry}`);
  const { definition } = registry;
  const properties = definition.record.properties;
  const data: Record<string, unknown> = { ...request.fields };
  const [onlyKey] = definition.key;
  if (definition.key.length === 1 && onlyKey && request.key !== undefined && data[onlyKey] === undefined) {
    data[onlyKey] = request.key;
  }
  for (const [field, value] of Object.entries(contextFields(request))) {
    if (
      Object.hasOwn(properties, field) &&
      data[field] === undefined &&
      value !== undefined &&
      value !== null
    ) {
      data[field] = value;
    }
  }
  return { data, key: keyOf(definition, data) };
}

/**
 * Problems with a service output that names this registry, for the service catalogue's start-up
 * check: the registry must exist and every field must be one its records declare. Empty when
 * the output can be carried out (the record is still checked whole when written).
 */
export function checkRegistryOutput(registryId: string, fields: readonly string[]): string[] {
  const registry = registryCatalogue().get(registryId);
  if (!registry) return [`names no registry: ${registryId}`];
  const { properties } = registry.definition.record;
  return fields
    .filter((f) => !Object.hasOwn(properties, f))
    .map((f) => `${registryId} records have no field ${f}`);
}

const actor = systemActor('registries');

/** Whether this application already wrote the record's latest version (a repeated event). */
async function alreadyWritten(kernel: Kernel, registryId: string, key: RecordKey, reference: string) {
  const definition = registryCatalogue().get(registryId)?.definition;
  if (!definition) return false;
  const [latest] = await kernel.db.orm
    .select({ source: recordVersions.source })
    .from(recordVersions)
    .innerJoin(records, eq(records.id, recordVersions.recordId))
    .where(and(eq(records.registry, registryId), eq(records.recordKey, storedKey(definition, key))))
    .orderBy(desc(recordVersions.version))
    .limit(1);
  return latest?.source?.type === 'application' && latest.source.id === reference;
}

/**
 * Carries out a finished application's registry output, at least once: a repeated event finds
 * its own version already written and does nothing. A record the registry refuses (its schema,
 * a key another application holds) fails the event, which the outbox retries and then leaves
 * dead for an operator, with the reason as its last error.
 */
export async function writeRequestedRecord(kernel: Kernel, request: RecordRequest): Promise<void> {
  const { data, key } = recordFromRequest(request);
  if (await alreadyWritten(kernel, request.registry, key, request.reference)) return;
  const options = {
    reason: `${request.serviceId} application ${request.reference}`,
    source: { type: 'application', id: request.reference },
  };
  try {
    await change(kernel, { actor }, (c) =>
      request.operation === 'create'
        ? createRecord(c, request.registry, data, options)
        : changeRecord(c, request.registry, key, data, options),
    );
  } catch (error) {
    if (error instanceof HttpProblem) {
      const fields = error.options.errors?.map((e) => e.pointer).join(', ');
      throw new Error(`${request.registry} refused the record (${error.slug}${fields ? `: ${fields}` : ''})`);
    }
    throw error;
  }
}

const subscribed = new WeakSet<object>();

export function subscribeToServiceOutputs(kernel: Kernel): void {
  if (subscribed.has(kernel.events)) return;
  subscribed.add(kernel.events);
  kernel.events.subscribe(REGISTRY_RECORD_REQUESTED, 'registries.write-record', (event) =>
    writeRequestedRecord(kernel, event.payload as RecordRequest),
  );
}
