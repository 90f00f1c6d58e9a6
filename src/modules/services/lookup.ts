import { eq } from 'drizzle-orm';
import { problems } from '../../core/http/index.js';
import type { Change } from '../../core/kernel/index.js';
import { parseReference } from '../../core/reference/index.js';
import { type Caller, type Relation, relationTo } from './caller.js';
import type { Catalogue, CatalogueEntry } from './catalogue.js';
import { type ApplicationRow, applications } from './schema.js';

export interface OpenedApplication {
  entry: CatalogueEntry;
  row: ApplicationRow;
  relation: Relation;
}

/**
 * The application a reference names, as this caller stands to it. Someone with no business with
 * it is told it does not exist, exactly as for a reference nobody holds.
 */
export async function openApplication(
  c: Change,
  catalogue: Catalogue,
  caller: Caller,
  reference: string,
  forUpdate = false,
): Promise<OpenedApplication> {
  const parsed = parseReference(reference);
  if (!parsed.ok) throw problems.notFound();
  const query = c.tx.select().from(applications).where(eq(applications.reference, parsed.reference));
  const [row] = forUpdate ? await query.for('update') : await query;
  const entry = row ? catalogue.get(row.serviceId) : undefined;
  if (!row || !entry) throw problems.notFound();
  const relation = relationTo(row, entry.definition, caller);
  if (relation === 'none') throw problems.notFound();
  return { entry, row, relation };
}
