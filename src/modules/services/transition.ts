import { and, eq, isNull, sql } from 'drizzle-orm';
import { type Actor, actorSummary, systemActor } from '../../core/actors/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import type { CatalogueEntry } from './catalogue.js';
import { notifyApplicant } from './notifications.js';
import { produceOutputs } from './outputs.js';
import { type ApplicationRow, applications, history, tasks } from './schema.js';
import { automaticAction, isFinal, rolesActingIn, slaHours } from './workflow.js';

export const APPLICATION_MOVED = 'services.application.moved';

/** The platform's own hand in the workflow: automatic actions are recorded as taken by it. */
export const WORKFLOW_ACTOR: Actor = systemActor('workflow');

/** Enough automatic steps for any sane definition; a loop in a definition stops here. */
const MAX_AUTOMATIC_STEPS = 10;

export interface StepRecord {
  action: string;
  from: string | null;
  to: string;
  comment?: string | null;
  details?: Record<string, unknown>;
  actor?: Actor;
}

/** Appends one step to the application's history; the row lock on the application orders them. */
export async function recordStep(c: Change, app: ApplicationRow, step: StepRecord): Promise<void> {
  const actor = step.actor ?? c.actor;
  await c.tx.insert(history).values({
    applicationId: app.id,
    seq: sql`(SELECT coalesce(max(seq), 0) + 1 FROM services.history WHERE application_id = ${app.id})`,
    action: step.action,
    fromState: step.from,
    toState: step.to,
    actorId: actor.id,
    actor: actorSummary(actor),
    at: c.now,
    comment: step.comment ?? null,
    details: step.details ?? null,
  });
}

/**
 * Puts the application in the queue of the roles that may act in its state, at its office, with
 * the state's SLA clock; a state only the applicant or the platform acts in opens no task.
 */
export async function openTask(c: Change, entry: CatalogueEntry, app: ApplicationRow): Promise<void> {
  const roles = rolesActingIn(entry.definition, app.state);
  if (roles.length === 0 || isFinal(entry.definition, app.state)) return;
  const hours = slaHours(entry.definition, app.state);
  await c.tx.insert(tasks).values({
    id: newId(),
    applicationId: app.id,
    state: app.state,
    roles,
    office: app.office,
    createdAt: c.now,
    dueAt: hours === undefined ? null : new Date(c.now.getTime() + hours * 3600_000),
  });
}

/**
 * Moves the application to `to` by `step.action`, already allowed by the workflow: the state, its
 * history, the task queue, the audit entry and the event change together. Then the new state's
 * automatic action, if any, and on a final state the outputs.
 */
export async function moveApplication(
  c: Change,
  entry: CatalogueEntry,
  app: ApplicationRow,
  step: StepRecord & { to: string },
  set: Partial<ApplicationRow> = {},
): Promise<ApplicationRow> {
  return settle(c, entry, await enter(c, entry, app, step, set));
}

/** Takes the automatic actions of the states the application passes through, as the platform. */
export async function settle(c: Change, entry: CatalogueEntry, app: ApplicationRow): Promise<ApplicationRow> {
  let current = app;
  for (let n = 0; n < MAX_AUTOMATIC_STEPS; n += 1) {
    const automatic = automaticAction(entry.definition, current.state);
    const action = automatic ? entry.definition.workflow.actions[automatic] : undefined;
    if (!automatic || !action) return current;
    const step = { action: automatic, from: current.state, to: action.to, actor: WORKFLOW_ACTOR };
    current = await enter(c, entry, current, step, {});
  }
  return current;
}

async function enter(
  c: Change,
  entry: CatalogueEntry,
  app: ApplicationRow,
  step: StepRecord & { to: string },
  set: Partial<ApplicationRow>,
): Promise<ApplicationRow> {
  const final = isFinal(entry.definition, step.to);
  const [moved] = await c.tx
    .update(applications)
    .set({ ...set, state: step.to, updatedAt: c.now, ...(final ? { completedAt: c.now } : {}) })
    .where(eq(applications.id, app.id))
    .returning();
  const row = moved as ApplicationRow;
  await recordStep(c, row, step);
  await c.tx
    .update(tasks)
    .set({ closedAt: c.now })
    .where(and(eq(tasks.applicationId, app.id), isNull(tasks.closedAt)));
  await openTask(c, entry, row);
  const summary = { action: step.action, from: step.from, to: step.to };
  c.audit({
    action: APPLICATION_MOVED,
    subject: { type: 'application', id: row.reference },
    after: { ...summary, ...(step.actor ? { by: step.actor.id } : {}) },
  });
  c.publish({
    topic: APPLICATION_MOVED,
    payload: { applicationId: row.id, reference: row.reference, serviceId: row.serviceId, ...summary },
  });
  if (final) await produceOutputs(c, entry, row);
  // A state the platform leaves at once (paid → submitted) is not worth a message of its own.
  if (!automaticAction(entry.definition, row.state)) await notifyApplicant(c, entry, row, 'services.moved');
  return row;
}
