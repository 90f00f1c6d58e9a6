import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { type Actor, systemActor } from '../../core/actors/index.js';
import { rows } from '../../core/db/index.js';
import { HttpProblem, problems } from '../../core/http/index.js';
import { type Change, change, type Kernel } from '../../core/kernel/index.js';
import { applications, type TaskRow, tasks } from './schema.js';

export const TASK_ASSIGNED = 'services.task.assigned';
export const TASK_ESCALATED = 'services.task.escalated';

/** Who overdue work goes to. */
export const ESCALATION_ROLE = 'supervisor';

export interface TaskView {
  id: string;
  reference: string;
  serviceId: string;
  state: string;
  roles: string[];
  office: string;
  assignee: string | null;
  createdAt: string;
  dueAt: string | null;
  /** The SLA clock has run out. */
  breached: boolean;
  escalatedTo: string | null;
}

function taskView(task: TaskRow, app: { reference: string; serviceId: string }, now: Date): TaskView {
  return {
    id: task.id,
    reference: app.reference,
    serviceId: app.serviceId,
    state: task.state,
    roles: task.roles,
    office: task.office,
    assignee: task.assignee,
    createdAt: task.createdAt.toISOString(),
    dueAt: task.dueAt?.toISOString() ?? null,
    breached: task.breachedAt !== null || (task.dueAt !== null && task.dueAt <= now),
    escalatedTo: task.escalatedTo,
  };
}

const isSupervisor = (actor: Actor) => actor.roles.includes(ESCALATION_ROLE);

/**
 * The open tasks of an officer's office that their roles may work, oldest first; a supervisor
 * sees the whole office's. `mine`: only those assigned to them; `escalated`: only overdue ones
 * escalated to a supervisor.
 */
export async function listTasks(
  c: Change,
  actor: Actor,
  filter: { mine?: boolean; escalated?: boolean; limit?: number },
): Promise<TaskView[]> {
  const held = sql.join(
    actor.roles.map((r) => sql`${r}`),
    sql`, `,
  );
  const roles = sql`${tasks.roles} && ARRAY[${held}]::text[]`;
  const found = await c.tx
    .select({ task: tasks, reference: applications.reference, serviceId: applications.serviceId })
    .from(tasks)
    .innerJoin(applications, eq(applications.id, tasks.applicationId))
    .where(
      and(
        isNull(tasks.closedAt),
        eq(tasks.office, actor.office ?? ''),
        isSupervisor(actor) ? undefined : roles,
        filter.mine ? eq(tasks.assignee, actor.id) : undefined,
        filter.escalated ? isNotNull(tasks.escalatedTo) : undefined,
      ),
    )
    .orderBy(asc(tasks.createdAt), asc(tasks.id))
    .limit(filter.limit ?? 100);
  return found.map((f) => taskView(f.task, f, c.now));
}

/**
 * Assignment and reassignment. An officer who may work the task claims it while nobody has it,
 * or lets go of their own; a supervisor of the office gives it to anyone, or takes it back.
 */
export async function assignTask(c: Change, taskId: string, assignee: string | null): Promise<TaskView> {
  const [task] = await c.tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
  if (!task || task.office !== c.actor.office) throw problems.notFound();
  const [app] = await c.tx
    .select({ reference: applications.reference, serviceId: applications.serviceId })
    .from(applications)
    .where(eq(applications.id, task.applicationId));
  if (!app) throw problems.notFound();
  if (task.closedAt) throw problems.conflict('services.error.task-closed');
  const worker = c.actor.roles.some((r) => task.roles.includes(r));
  const allowed =
    isSupervisor(c.actor) ||
    (worker && assignee === c.actor.id && task.assignee === null) ||
    (worker && assignee === null && task.assignee === c.actor.id);
  if (!allowed) {
    throw new HttpProblem(403, 'not-assignable', 'problem.forbidden', {
      detail: 'services.error.not-assignable',
    });
  }
  const [updated] = await c.tx.update(tasks).set({ assignee }).where(eq(tasks.id, taskId)).returning();
  c.audit({
    action: TASK_ASSIGNED,
    subject: { type: 'application', id: app.reference },
    before: { task: taskId, assignee: task.assignee },
    after: { task: taskId, assignee },
  });
  return taskView(updated as TaskRow, app, c.now);
}

interface OverdueRow {
  id: string;
  application_id: string;
  office: string;
  state: string;
  due_at: Date;
}

/**
 * Flags tasks whose SLA clock ran out and escalates each once to the office's supervisors. Claims
 * them with SKIP LOCKED, as the outbox does, so several processes can run it side by side.
 */
export async function escalateOverdueTasks(kernel: Kernel, limit = 200): Promise<number> {
  return change(kernel, { actor: systemActor('sla') }, async (c) => {
    const overdue = await rows<OverdueRow>(
      c.tx,
      sql`UPDATE services.tasks SET breached_at = ${c.now}, escalated_to = ${ESCALATION_ROLE}
          WHERE id IN (
            SELECT id FROM services.tasks
            WHERE closed_at IS NULL AND breached_at IS NULL AND due_at <= ${c.now}
            ORDER BY due_at LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          RETURNING id, application_id, office, state, due_at`,
    );
    for (const task of overdue) {
      const payload = {
        taskId: task.id,
        applicationId: task.application_id,
        office: task.office,
        state: task.state,
        dueAt: new Date(task.due_at).toISOString(),
        escalatedTo: ESCALATION_ROLE,
      };
      c.audit({ action: TASK_ESCALATED, subject: { type: 'task', id: task.id }, after: payload });
      c.publish({ topic: TASK_ESCALATED, payload });
    }
    return overdue.length;
  });
}
