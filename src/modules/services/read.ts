import { and, desc, eq, or, type SQL } from 'drizzle-orm';
import type { Change } from '../../core/kernel/index.js';
import type { Caller } from './caller.js';
import type { Catalogue } from './catalogue.js';
import { openApplication } from './lookup.js';
import { applications } from './schema.js';
import { type ApplicationSummary, applicationSummary, applicationView } from './view.js';

export const APPLICATION_READ = 'services.application.read';

/** Officers' reads of an application are personal data and audited, with why. */
export async function readApplication(
  c: Change,
  catalogue: Catalogue,
  caller: Caller,
  reference: string,
  purpose: string | undefined,
) {
  const { entry, row, relation } = await openApplication(c, catalogue, caller, reference);
  if (relation !== 'applicant') {
    c.audit({
      action: APPLICATION_READ,
      subject: { type: 'application', id: row.reference },
      purpose: purpose ?? 'casework',
    });
  }
  return applicationView(c, entry, row, relation, caller);
}

/**
 * The applications a caller may see, newest first: a citizen's own (those they made and those an
 * agent made for the person their account is linked to); an agent's centre's; an officer's office's.
 */
export async function listApplications(
  c: Change,
  catalogue: Catalogue,
  caller: Caller,
  filter: { serviceId?: string; state?: string; limit?: number },
): Promise<ApplicationSummary[]> {
  const { actor } = caller;
  let whose: SQL | undefined;
  if (actor.type === 'citizen') {
    whose = caller.personId
      ? or(eq(applications.applicantAccount, actor.id), eq(applications.applicantPerson, caller.personId))
      : eq(applications.applicantAccount, actor.id);
  } else if (actor.roles.some((r) => r !== 'centre_agent')) {
    whose = or(eq(applications.office, actor.office ?? ''), eq(applications.centre, actor.office ?? ''));
  } else {
    whose = eq(applications.centre, actor.office ?? '');
  }
  const found = await c.tx
    .select()
    .from(applications)
    .where(
      and(
        whose,
        filter.serviceId ? eq(applications.serviceId, filter.serviceId) : undefined,
        filter.state ? eq(applications.state, filter.state) : undefined,
      ),
    )
    .orderBy(desc(applications.createdAt), desc(applications.id))
    .limit(filter.limit ?? 50);
  if (actor.type === 'staff') {
    c.audit({
      action: APPLICATION_READ,
      subject: { type: 'application-list', id: actor.office ?? 'none' },
      purpose: 'casework',
      after: { references: found.map((r) => r.reference) },
    });
  }
  return found.flatMap((row) => {
    const entry = catalogue.get(row.serviceId);
    return entry ? [applicationSummary(entry, row)] : [];
  });
}
