import { asc, eq } from 'drizzle-orm';
import { type FieldError, fieldError, HttpProblem, problems } from '../../core/http/index.js';
import type { Locale } from '../../core/i18n/index.js';
import type { Change } from '../../core/kernel/index.js';
import { type Caller, takerFor } from './caller.js';
import type { Catalogue } from './catalogue.js';
import type { ServiceDefinition } from './definition.js';
import { formErrors } from './form.js';
import { openApplication } from './lookup.js';
import { history, uploads } from './schema.js';
import { moveApplication } from './transition.js';
import { applicationView } from './view.js';
import { step } from './workflow.js';

export interface ActionInput {
  comment?: string;
  /** The cashier's receipt, for an action that records the fee as paid. */
  receiptNumber?: string;
  /** Corrected form data, for an action that resubmits. */
  form?: unknown;
}

/** Required files the applicant has not given yet: officers do not work an incomplete case. */
async function missingUploads(c: Change, definition: ServiceDefinition, applicationId: string) {
  const required = definition.uploads.filter((u) => u.required).map((u) => u.id);
  if (required.length === 0) return [];
  const given = await c.tx
    .select({ id: uploads.uploadId })
    .from(uploads)
    .where(eq(uploads.applicationId, applicationId));
  return required.filter((id) => !given.some((g) => g.id === id));
}

function notAllowed(action: string, state: string, allowed: string[]) {
  return new HttpProblem(409, 'action-not-allowed', 'problem.conflict', {
    detail: 'services.error.action-not-allowed',
    values: { action, state },
    extensions: { state, allowedActions: allowed },
  });
}

/**
 * Takes one action on an application. Only the actions its definition allows from the current
 * state (409 listing those), only by whom it names (403), never by the officer who prepared what
 * is being checked (403); a refused action changes nothing.
 */
export async function takeAction(
  c: Change,
  catalogue: Catalogue,
  caller: Caller,
  reference: string,
  actionId: string,
  input: ActionInput,
  locale: Locale,
) {
  const { entry, row, relation } = await openApplication(c, catalogue, caller, reference, true);
  // Only maker-checker needs to know who did what before.
  const checks = Object.hasOwn(entry.definition.workflow.actions, actionId)
    ? entry.definition.workflow.actions[actionId]?.checkerOf
    : undefined;
  const done = checks
    ? await c.tx
        .select({ action: history.action, actorId: history.actorId })
        .from(history)
        .where(eq(history.applicationId, row.id))
        .orderBy(asc(history.seq))
    : [];
  const taker = takerFor(row, relation, caller);
  const decided = step(entry.definition, row.state, actionId, taker, done);
  if (!decided.ok) {
    if (decided.reason === 'not-allowed') throw notAllowed(actionId, row.state, decided.allowed);
    if (decided.reason === 'maker-checker') {
      throw new HttpProblem(403, 'maker-checker', 'problem.forbidden', {
        detail: 'services.error.maker-checker',
      });
    }
    throw new HttpProblem(403, 'wrong-role', 'problem.forbidden', {
      detail: 'services.error.wrong-taker',
      extensions: { allowedTakers: decided.by },
    });
  }
  const { action } = decided;
  if (taker.kind === 'staff' && !taker.forApplicant && !action.payment) {
    const missing = await missingUploads(c, entry.definition, row.id);
    if (missing.length) {
      throw new HttpProblem(409, 'uploads-missing', 'problem.conflict', {
        detail: 'services.error.uploads-missing',
        extensions: { missingUploads: missing },
      });
    }
  }
  const errors: FieldError[] = [];
  const receipt = input.receiptNumber?.trim();
  if (action.payment && !receipt)
    errors.push(fieldError('/receiptNumber', 'required', 'services.error.receipt'));
  if (action.commentRequired && !input.comment?.trim()) {
    errors.push(fieldError('/comment', 'required', 'services.error.comment'));
  }
  if (action.correction) {
    if (input.form === undefined)
      errors.push(fieldError('/form', 'required', 'services.error.form-required'));
    else errors.push(...formErrors(entry, input.form, locale));
  }
  if (errors.length) throw problems.invalid(errors);

  const moved = await moveApplication(
    c,
    entry,
    row,
    {
      action: actionId,
      from: row.state,
      to: decided.to,
      comment: input.comment?.trim() || null,
      ...(action.payment ? { details: { receiptNumber: receipt } } : {}),
    },
    {
      ...(action.payment ? { feePaidAt: c.now, receiptNumber: receipt ?? null } : {}),
      ...(action.correction ? { form: input.form as Record<string, unknown> } : {}),
    },
  );
  return applicationView(c, entry, moved.row, relation, caller, moved.parts);
}
