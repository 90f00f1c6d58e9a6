import type { StaffRole } from '../../core/actors/index.js';
import type { ServiceDefinition, WorkflowAction } from './definition.js';

/**
 * The state machine a service definition describes, as pure functions: which actions leave a
 * state, who may take them, and where they lead. The case engine asks `step` before it changes
 * anything, so an application can only ever be in a state its definition names.
 */

/** Who is trying to act, as the workflow sees them. */
export type Taker =
  | { kind: 'applicant'; id: string }
  | { kind: 'system'; id: string }
  | {
      kind: 'staff';
      id: string;
      roles: readonly StaffRole[];
      /** A service-centre agent acting for the applicant may take the applicant's actions. */
      forApplicant?: boolean;
    };

/** What has been done to the application so far, as maker-checker needs it. */
export interface Done {
  action: string;
  actorId: string;
}

export type Step =
  | { ok: true; action: WorkflowAction; to: string }
  | { ok: false; reason: 'not-allowed'; allowed: string[] }
  | { ok: false; reason: 'wrong-taker'; by: readonly string[] }
  | { ok: false; reason: 'maker-checker'; madeBy: string };

/** Actions that leave `state`, in the order the definition lists them. */
export function allowedActions(definition: ServiceDefinition, state: string): string[] {
  return Object.entries(definition.workflow.actions)
    .filter(([, action]) => action.from.includes(state))
    .map(([id]) => id);
}

export function mayTake(action: WorkflowAction, taker: Taker): boolean {
  if (taker.kind === 'staff') {
    return (
      taker.roles.some((role) => action.by.includes(role)) ||
      (taker.forApplicant === true && action.by.includes('applicant'))
    );
  }
  return action.by.includes(taker.kind);
}

/** Staff roles that may act in `state`: the queues its task belongs to. Empty: nobody on staff. */
export function rolesActingIn(definition: ServiceDefinition, state: string): StaffRole[] {
  const roles = new Set<StaffRole>();
  for (const id of allowedActions(definition, state)) {
    for (const by of definition.workflow.actions[id]?.by ?? []) {
      if (by !== 'applicant' && by !== 'system') roles.add(by);
    }
  }
  return [...roles];
}

/**
 * Whether `taker` may take `actionId` from `state`, and where it leads. An action the state does
 * not allow is refused before who is asking matters (409); then the taker (403); then
 * maker-checker: whoever took one of the actions this one checks may not take it (403).
 */
export function step(
  definition: ServiceDefinition,
  state: string,
  actionId: string,
  taker: Taker,
  done: readonly Done[],
): Step {
  const action = Object.hasOwn(definition.workflow.actions, actionId)
    ? definition.workflow.actions[actionId]
    : undefined;
  if (!action?.from.includes(state)) {
    return { ok: false, reason: 'not-allowed', allowed: allowedActions(definition, state) };
  }
  if (!mayTake(action, taker)) return { ok: false, reason: 'wrong-taker', by: action.by };
  const made = done.find((d) => action.checkerOf?.includes(d.action) && d.actorId === taker.id);
  if (made) return { ok: false, reason: 'maker-checker', madeBy: made.action };
  return { ok: true, action, to: action.to };
}

/** The action the platform takes by itself on entering `state`, if the definition names one. */
export function automaticAction(definition: ServiceDefinition, state: string): string | undefined {
  return definition.workflow.states[state]?.automatic;
}

export function isFinal(definition: ServiceDefinition, state: string): boolean {
  return definition.workflow.states[state]?.final === true;
}

/** Hours staff have in `state` before the task is overdue, if the definition sets a clock. */
export function slaHours(definition: ServiceDefinition, state: string): number | undefined {
  return definition.workflow.states[state]?.slaHours;
}
