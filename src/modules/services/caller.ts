import type { Actor } from '../../core/actors/index.js';
import { HttpProblem } from '../../core/http/index.js';
import type { ServiceDefinition } from './definition.js';
import type { ApplicationRow } from './schema.js';
import type { Taker } from './workflow.js';

/** Who is calling, with the civil-register person a citizen's account is linked to. */
export interface Caller {
  actor: Actor;
  personId: string | null;
  /** A citizen's phone (their login), where SMS about their applications go. */
  phone?: string | null;
}

/**
 * How a caller stands to an application:
 * - applicant: the citizen who applied, or the person it was made for (their linked account);
 * - agent: a service-centre agent of the centre it was submitted at, acting for the applicant;
 * - staff: an officer of the office working it, of the centre, or of the owning ministry;
 * - none: anyone else, who is told it does not exist.
 */
export type Relation = 'applicant' | 'agent' | 'staff' | 'none';

export function relationTo(app: ApplicationRow, definition: ServiceDefinition, caller: Caller): Relation {
  const { actor } = caller;
  if (actor.type === 'citizen') {
    const own =
      app.applicantAccount === actor.id ||
      (caller.personId !== null && app.applicantPerson === caller.personId);
    return own ? 'applicant' : 'none';
  }
  if (actor.type !== 'staff') return 'none';
  const officer = actor.roles.some((r) => r !== 'centre_agent');
  if (officer && (worksOn(app, actor) || actor.ministry === definition.ministry)) return 'staff';
  if (actor.roles.includes('centre_agent') && app.centre !== null && app.centre === actor.office)
    return 'agent';
  return 'none';
}

/** Whether the officer's office is where the application is worked, or the centre it came from. */
export function worksOn(app: ApplicationRow, actor: Actor): boolean {
  return actor.office !== undefined && (actor.office === app.office || actor.office === app.centre);
}

/** The caller as the workflow sees them; staff of another office may read but not act. */
export function takerFor(app: ApplicationRow, relation: Relation, caller: Caller): Taker {
  const { actor } = caller;
  if (relation === 'applicant') return { kind: 'applicant', id: actor.id };
  if (relation === 'agent') return { kind: 'staff', id: actor.id, roles: [], forApplicant: true };
  if (!worksOn(app, actor)) {
    throw new HttpProblem(403, 'other-office', 'problem.forbidden', {
      detail: 'services.error.other-office',
    });
  }
  return {
    kind: 'staff',
    id: actor.id,
    roles: actor.roles,
    forApplicant: actor.roles.includes('centre_agent') && app.centre === actor.office,
  };
}
