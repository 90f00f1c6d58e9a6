import { sql } from 'drizzle-orm';
import { rows } from '../../core/db/index.js';
import type { Change } from '../../core/kernel/index.js';
import type { Caller, Relation } from './caller.js';
import { takerFor, worksOn } from './caller.js';
import type { CatalogueEntry } from './catalogue.js';
import type { ApplicationRow } from './schema.js';
import { allowedActions, step } from './workflow.js';

interface Bilingual {
  en: string;
  st: string;
}

export interface ApplicationSummary {
  reference: string;
  service: { id: string; version: number; name: Bilingual };
  state: { id: string; label: Bilingual; final: boolean };
  applicantKind: string;
  submittedBy: { agentId: string; centre: string } | null;
  office: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface ApplicationView extends ApplicationSummary {
  form: Record<string, unknown>;
  fee: {
    amount: number;
    options: string[];
    revenueHead: string | null;
    paidAt: string | null;
    receiptNumber: string | null;
  };
  applicant: {
    accountId: string | null;
    personId: string | null;
    business: { name: string; registrationNumber: string } | null;
  };
  /** What this caller may do now. */
  actions: { id: string; label: Bilingual }[];
  history: {
    action: string;
    from: string | null;
    to: string;
    at: string;
    comment: string | null;
    by?: Record<string, unknown>;
  }[];
  comments: { id: string; visibility: string; body: string; at: string; by?: Record<string, unknown> }[];
  uploads: { id: string; sha256: string; type: string; size: number; name: string | null; at: string }[];
  task: {
    id: string;
    roles: string[];
    assignee: string | null;
    dueAt: string | null;
    breached: boolean;
  } | null;
}

/** A history step as PostgreSQL's row_to_json gives it: column names, timestamps as text. */
export interface HistoryPart {
  action: string;
  from_state: string | null;
  to_state: string;
  actor_id: string;
  actor: Record<string, unknown>;
  at: string;
  comment: string | null;
}

export interface TaskPart {
  id: string;
  roles: string[];
  assignee: string | null;
  due_at: string | null;
  breached_at: string | null;
}

/** What hangs off an application, as row_to_json gives it. */
export interface CaseParts {
  history: HistoryPart[];
  comments: { id: string; visibility: string; body: string; at: string; author: Record<string, unknown> }[];
  uploads: {
    upload_id: string;
    sha256: string;
    media_type: string;
    size: number;
    name: string | null;
    at: string;
  }[];
  /** The open task. */
  task: TaskPart | null;
}

/** The application's history, comments (all of them) and uploads, as columns of a SELECT. */
export const caseRecords = (applicationId: string) => sql`
  (SELECT coalesce(json_agg(h ORDER BY h.seq), '[]') FROM services.history h
    WHERE h.application_id = ${applicationId}) AS history,
  (SELECT coalesce(json_agg(n ORDER BY n.at, n.id), '[]') FROM services.comments n
    WHERE n.application_id = ${applicationId}) AS comments,
  (SELECT coalesce(json_agg(u ORDER BY u.upload_id), '[]') FROM services.uploads u
    WHERE u.application_id = ${applicationId}) AS uploads`;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function applicationSummary(entry: CatalogueEntry, row: ApplicationRow): ApplicationSummary {
  const { definition } = entry;
  const state = definition.workflow.states[row.state];
  return {
    reference: row.reference,
    service: { id: definition.id, version: row.serviceVersion, name: definition.name },
    state: {
      id: row.state,
      label: state?.label ?? { en: row.state, st: row.state },
      final: state?.final === true,
    },
    applicantKind: row.applicantKind,
    submittedBy: row.agentId && row.centre ? { agentId: row.agentId, centre: row.centre } : null,
    office: row.office,
    createdAt: iso(row.createdAt) as string,
    updatedAt: iso(row.updatedAt) as string,
    completedAt: iso(row.completedAt),
  };
}

/** The actions this caller could take now (maker-checker included), for the application's page. */
function actionsFor(
  entry: CatalogueEntry,
  row: ApplicationRow,
  relation: Relation,
  caller: Caller,
  done: { action: string; actorId: string }[],
) {
  if (relation === 'staff' && !worksOn(row, caller.actor)) return [];
  const taker = takerFor(row, relation, caller);
  return allowedActions(entry.definition, row.state)
    .filter((id) => step(entry.definition, row.state, id, taker, done).ok)
    .map((id) => ({ id, label: entry.definition.workflow.actions[id]?.label ?? { en: id, st: id } }));
}

/**
 * The application as this caller may see it: staff see who did what and internal comments; the
 * applicant (and the agent serving them) see the steps and the comments meant for them. `known`:
 * what the change already has in hand (it just wrote it); otherwise it is read, in one round trip.
 */
export async function applicationView(
  { tx, now }: Change,
  entry: CatalogueEntry,
  row: ApplicationRow,
  relation: Relation,
  caller: Caller,
  known?: CaseParts,
): Promise<ApplicationView> {
  const staff = relation === 'staff';
  const parts =
    known ??
    (
      await rows<CaseParts>(
        tx,
        sql`SELECT ${caseRecords(row.id)}, (SELECT row_to_json(t) FROM services.tasks t
          WHERE t.application_id = ${row.id} AND t.closed_at IS NULL) AS task`,
      )
    )[0];
  const steps = (parts?.history ?? []).map((h) => ({ ...h, actorId: h.actor_id }));
  const notes = (parts?.comments ?? []).filter((n) => staff || n.visibility === 'applicant');
  const files = parts?.uploads ?? [];
  const task = parts?.task ?? null;
  return {
    ...applicationSummary(entry, row),
    form: row.form,
    fee: {
      amount: row.feeLisente,
      options: row.feeOptions,
      revenueHead: row.revenueHead,
      paidAt: iso(row.feePaidAt),
      receiptNumber: row.receiptNumber,
    },
    applicant: { accountId: row.applicantAccount, personId: row.applicantPerson, business: row.business },
    actions: actionsFor(entry, row, relation, caller, steps),
    history: steps.map((h) => ({
      action: h.action,
      from: h.from_state,
      to: h.to_state,
      at: iso(h.at) as string,
      comment: h.comment,
      ...(staff ? { by: h.actor } : {}),
    })),
    comments: notes.map((n) => ({
      id: n.id,
      visibility: n.visibility,
      body: n.body,
      at: iso(n.at) as string,
      ...(staff ? { by: n.author } : {}),
    })),
    uploads: files.map((f) => ({
      id: f.upload_id,
      sha256: f.sha256,
      type: f.media_type,
      size: f.size,
      name: f.name,
      at: iso(f.at) as string,
    })),
    task:
      task && staff
        ? {
            id: task.id,
            roles: task.roles,
            assignee: task.assignee,
            dueAt: iso(task.due_at),
            breached:
              task.breached_at !== null ||
              (task.due_at !== null && new Date(task.due_at).getTime() < now.getTime()),
          }
        : null,
  };
}
