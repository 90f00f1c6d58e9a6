import { eq, type SQL, sql } from 'drizzle-orm';
import { type Actor, actorSummary, systemActor } from '../../core/actors/index.js';
import { prepared, rows } from '../../core/db/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import type { CatalogueEntry } from './catalogue.js';
import { notifyApplicant } from './notifications.js';
import { produceOutputs } from './outputs.js';
import { type ApplicationRow, applications } from './schema.js';
import { type CaseParts, caseRecords, type HistoryPart, type TaskPart } from './view.js';
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

/** An application as this change leaves it: its row and what its view shows besides. */
export interface Case {
  row: ApplicationRow;
  parts: CaseParts;
}

/**
 * The task the application's state puts in the queue of the roles that may act in it, at its
 * office, with the state's SLA clock; a state only the applicant or the platform acts in has none.
 */
function taskFor(c: Change, entry: CatalogueEntry, app: ApplicationRow) {
  const roles = rolesActingIn(entry.definition, app.state);
  if (roles.length === 0 || isFinal(entry.definition, app.state)) return undefined;
  const hours = slaHours(entry.definition, app.state);
  return {
    id: newId(),
    roles,
    dueAt: hours === undefined ? null : new Date(c.now.getTime() + hours * 3600_000),
  };
}

/**
 * Writes the application (`write`: its INSERT or UPDATE, returning its id), the step that brought
 * it to its state, the closing of its open task and the state's new task, in one statement: round
 * trips are most of what a step costs. The step's number follows the last one; the row lock on the
 * application orders them. The new task is inserted after the old one is closed (it reads the
 * count of closed tasks), as one open task per application allows. The statement also reads the
 * history, comments and uploads as they stood before it, which the view adds this step to.
 * Nothing is written when `write` wrote no row; `written` says which.
 */
async function writeStep(
  c: Change,
  entry: CatalogueEntry,
  app: ApplicationRow,
  write: SQL,
  step: StepRecord,
): Promise<{ written: boolean; parts: CaseParts }> {
  const actor = step.actor ?? c.actor;
  const written: HistoryPart = {
    action: step.action,
    from_state: step.from,
    to_state: step.to,
    actor_id: actor.id,
    actor: actorSummary(actor),
    at: c.now.toISOString(),
    comment: step.comment ?? null,
  };
  const task = taskFor(c, entry, app);
  const details = step.details === undefined ? null : JSON.stringify(step.details);
  const opened = task
    ? sql`, opened AS (INSERT INTO services.tasks (id, application_id, state, roles, office, created_at, due_at)
        SELECT ${task.id}, app.id, ${app.state}, ${sql.param(task.roles)}::text[], ${app.office}, ${c.now}, ${task.dueAt}
        FROM app, (SELECT count(*) FROM closed) AS closed_first)`
    : sql``;
  const [result] = await rows<{ written: number } & Omit<CaseParts, 'task'>>(
    c.tx,
    prepared(sql`WITH app AS (${write}),
      step AS (INSERT INTO services.history
          (application_id, seq, action, from_state, to_state, actor_id, actor, at, comment, details)
        SELECT app.id, (SELECT coalesce(max(h.seq), 0) + 1 FROM services.history h WHERE h.application_id = app.id),
          ${written.action}, ${written.from_state}, ${written.to_state}, ${written.actor_id},
          ${JSON.stringify(written.actor)}::jsonb, ${c.now}, ${written.comment}, ${details}::jsonb
        FROM app),
      closed AS (UPDATE services.tasks SET closed_at = ${c.now}
        WHERE application_id IN (SELECT id FROM app) AND closed_at IS NULL RETURNING id)
      ${opened}
      SELECT (SELECT count(*) FROM app)::int AS written, ${caseRecords(app.id)}`),
  );
  const newTask: TaskPart | null = task
    ? {
        id: task.id,
        roles: task.roles,
        assignee: null,
        due_at: task.dueAt?.toISOString() ?? null,
        breached_at: null,
      }
    : null;
  return {
    written: result?.written === 1,
    parts: {
      history: [...(result?.history ?? []), written],
      comments: result?.comments ?? [],
      uploads: result?.uploads ?? [],
      task: newTask,
    },
  };
}

/**
 * Inserts a new application with its first step and task; undefined (and nothing written) when
 * its reference is already taken.
 */
export async function startApplication(
  c: Change,
  entry: CatalogueEntry,
  row: ApplicationRow,
  step: StepRecord,
): Promise<Case | undefined> {
  const insert = c.tx
    .insert(applications)
    .values(row)
    .onConflictDoNothing({ target: applications.reference })
    .returning({ id: applications.id });
  const { written, parts } = await writeStep(c, entry, row, insert.getSQL(), step);
  return written ? { row, parts } : undefined;
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
): Promise<Case> {
  return settle(c, entry, await enter(c, entry, app, step, set));
}

/** Takes the automatic actions of the states the application passes through, as the platform. */
export async function settle(c: Change, entry: CatalogueEntry, start: Case): Promise<Case> {
  let current = start;
  for (let n = 0; n < MAX_AUTOMATIC_STEPS; n += 1) {
    const { state } = current.row;
    const automatic = automaticAction(entry.definition, state);
    const action = automatic ? entry.definition.workflow.actions[automatic] : undefined;
    if (!automatic || !action) return current;
    const step = { action: automatic, from: state, to: action.to, actor: WORKFLOW_ACTOR };
    current = await enter(c, entry, current.row, step, {});
  }
  return current;
}

async function enter(
  c: Change,
  entry: CatalogueEntry,
  app: ApplicationRow,
  step: StepRecord & { to: string },
  set: Partial<ApplicationRow>,
): Promise<Case> {
  const final = isFinal(entry.definition, step.to);
  const changed = { ...set, state: step.to, updatedAt: c.now, ...(final ? { completedAt: c.now } : {}) };
  // The row is locked by whoever opened it for this change, so it is what the update leaves.
  const row: ApplicationRow = { ...app, ...changed };
  const update = c.tx
    .update(applications)
    .set(changed)
    .where(eq(applications.id, app.id))
    .returning({ id: applications.id });
  const { parts } = await writeStep(c, entry, row, update.getSQL(), step);
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
  return { row, parts };
}
