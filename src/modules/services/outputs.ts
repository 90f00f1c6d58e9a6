import type { Change } from '../../core/kernel/index.js';
import type { CatalogueEntry } from './catalogue.js';
import type { ServiceDefinition } from './definition.js';
import type { ApplicationRow } from './schema.js';

export const DOCUMENT_REQUESTED = 'services.output.document-requested';
export const REGISTRY_RECORD_REQUESTED = 'services.output.registry-record-requested';

type Output = ServiceDefinition['outputs'][number];

/** The value a JSON pointer names in the form data, or undefined. */
export function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const segment of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** The registry fields an output asks for, taken from the form; fields the applicant left out stay out. */
export function registryFields(output: Output, form: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, pointer] of Object.entries(output.registry?.fields ?? {})) {
    const value = valueAt(form, pointer);
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

/**
 * What a finished application produces: a document to issue, a registry record to create or
 * change. Each is announced in the same transaction as the final step (at least once, through
 * the outbox) for the documents and registries modules to act on, and recorded in the audit log.
 */
export async function produceOutputs(c: Change, entry: CatalogueEntry, app: ApplicationRow): Promise<void> {
  for (const output of entry.definition.outputs.filter((o) => o.when === app.state)) {
    const about = { applicationId: app.id, reference: app.reference, serviceId: app.serviceId };
    if (output.document) {
      const payload = { ...about, personId: app.applicantPerson, ...output.document };
      c.publish({ topic: DOCUMENT_REQUESTED, payload });
      c.audit({
        action: DOCUMENT_REQUESTED,
        subject: { type: 'application', id: app.reference },
        after: payload,
      });
    }
    if (output.registry) {
      const { registry, operation, key } = output.registry;
      const payload = {
        ...about,
        registry,
        operation,
        personId: app.applicantPerson,
        accountId: app.applicantAccount,
        ...(key ? { key: valueAt(app.form, key) } : {}),
        fields: registryFields(output, app.form),
      };
      c.publish({ topic: REGISTRY_RECORD_REQUESTED, payload });
      c.audit({
        action: REGISTRY_RECORD_REQUESTED,
        subject: { type: 'application', id: app.reference },
        after: payload,
      });
    }
  }
}
