import { HttpProblem, problems } from '../../core/http/index.js';
import type { Change } from '../../core/kernel/index.js';
import type { UploadLimits, UploadReference } from '../../core/uploads/index.js';
import type { Caller } from './caller.js';
import type { Catalogue } from './catalogue.js';
import { openApplication } from './lookup.js';
import { uploads } from './schema.js';
import { isFinal } from './workflow.js';

export const UPLOAD_ATTACHED = 'services.application.upload-attached';

/**
 * The limits of an upload slot the service declares, for a caller who may add files to this
 * application: its applicant (or the agent serving them) while it is not finished.
 */
export async function uploadSlot(
  c: Change,
  catalogue: Catalogue,
  caller: Caller,
  reference: string,
  slot: string,
): Promise<UploadLimits> {
  const { entry, row, relation } = await openApplication(c, catalogue, caller, reference);
  const declared = entry.definition.uploads.find((u) => u.id === slot);
  if (!declared) throw problems.notFound();
  if (relation === 'staff') throw problems.forbidden();
  if (isFinal(entry.definition, row.state)) {
    throw new HttpProblem(409, 'application-finished', 'problem.conflict', {
      detail: 'services.error.finished',
    });
  }
  return { types: declared.types, maxBytes: declared.maxBytes };
}

/** Records a checked, stored file against its slot; a new file replaces the previous one. */
export async function attachUpload(
  c: Change,
  catalogue: Catalogue,
  caller: Caller,
  reference: string,
  slot: string,
  file: UploadReference,
) {
  await uploadSlot(c, catalogue, caller, reference, slot);
  const { row } = await openApplication(c, catalogue, caller, reference, true);
  const values = {
    applicationId: row.id,
    uploadId: slot,
    sha256: file.sha256,
    mediaType: file.type,
    size: file.size,
    name: file.name,
    uploadedBy: c.actor.id,
    at: c.now,
  };
  await c.tx
    .insert(uploads)
    .values(values)
    .onConflictDoUpdate({ target: [uploads.applicationId, uploads.uploadId], set: values });
  c.audit({
    action: UPLOAD_ATTACHED,
    subject: { type: 'application', id: row.reference },
    after: { slot, sha256: file.sha256, type: file.type, size: file.size },
  });
  return {
    id: slot,
    sha256: file.sha256,
    type: file.type,
    size: file.size,
    name: file.name,
    at: c.now.toISOString(),
  };
}
