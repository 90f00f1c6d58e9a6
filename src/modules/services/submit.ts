import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import { type FieldError, fieldError, HttpProblem, problems } from '../../core/http/index.js';
import type { Locale } from '../../core/i18n/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import { addMoney, type Lisente, lisente } from '../../core/money/index.js';
import { createReference } from '../../core/reference/index.js';
import { accountOfPerson } from '../auth/index.js';
import type { Caller } from './caller.js';
import type { Catalogue, CatalogueEntry } from './catalogue.js';
import { type ApplicantKind, ASSURANCE_LEVELS, type ServiceDefinition } from './definition.js';
import { formErrors } from './form.js';
import { notifyApplicant } from './notifications.js';
import { type ApplicationRow, consents } from './schema.js';
import { type Case, type StepRecord, settle, startApplication } from './transition.js';
import { applicationView } from './view.js';

export const APPLICATION_SUBMITTED = 'services.application.submitted';

export interface SubmissionInput {
  form: unknown;
  feeOptions?: string[];
  office?: string;
  business?: { name: string; registrationNumber: string };
  /** A service-centre agent applies with the consent the citizen gave them. */
  consentId?: string;
}

/** Assurance levels in order; the acr of a token ends with the level (urn:mmuso:loa:substantial). */
function assuranceRank(acr: string | undefined): number {
  const level = acr?.split(':').pop() ?? 'low';
  return Math.max(0, ASSURANCE_LEVELS.indexOf(level as (typeof ASSURANCE_LEVELS)[number]));
}

function applicantKind(caller: Caller, input: SubmissionInput): ApplicantKind {
  if (caller.actor.type === 'staff') return 'agent';
  return input.business ? 'business' : 'citizen';
}

function checkApplicant(definition: ServiceDefinition, caller: Caller, kind: ApplicantKind): void {
  if (!definition.applicants.includes(kind)) {
    throw new HttpProblem(403, 'applicant-kind', 'problem.forbidden', {
      detail: 'services.error.applicant-kind',
      values: { kind },
    });
  }
  if (kind !== 'agent' && assuranceRank(caller.actor.acr) < ASSURANCE_LEVELS.indexOf(definition.assurance)) {
    throw new HttpProblem(403, 'assurance', 'problem.forbidden', {
      detail: 'services.error.assurance',
      values: { required: definition.assurance },
    });
  }
}

function feeOf(definition: ServiceDefinition, chosen: readonly string[], errors: FieldError[]): Lisente {
  const options = definition.fees?.options ?? [];
  const amounts = chosen.map((id, i) => {
    const option = options.find((o) => o.id === id);
    if (!option) errors.push(fieldError(`/feeOptions/${i}`, 'unknown', 'services.error.fee-option'));
    return lisente(option?.amount ?? 0);
  });
  return addMoney(lisente(definition.fees?.amount ?? 0), ...amounts);
}

/** The consent an agent applies with: theirs, given, unused and in time; used up by this. */
async function useConsent(c: Change, consentId: string | undefined, errors: FieldError[]) {
  if (consentId === undefined) {
    errors.push(fieldError('/consentId', 'required', 'services.error.consent-needed'));
    return undefined;
  }
  const [consent] = await c.tx
    .update(consents)
    .set({ usedAt: c.now })
    .where(
      and(
        eq(consents.id, consentId),
        eq(consents.agentId, c.actor.id),
        isNotNull(consents.givenAt),
        isNull(consents.usedAt),
        gt(consents.expiresAt, c.now),
      ),
    )
    .returning();
  if (!consent) errors.push(fieldError('/consentId', 'unusable', 'services.error.consent'));
  return consent;
}

/** Starts the application under a fresh reference, drawing again in the rare case one is taken. */
async function startWithReference(
  c: Change,
  entry: CatalogueEntry,
  values: Omit<ApplicationRow, 'reference'>,
  step: StepRecord,
): Promise<Case> {
  for (;;) {
    const reference = createReference(entry.definition.referencePrefix, c.now.getUTCFullYear());
    const started = await startApplication(c, entry, { ...values, reference }, step);
    if (started) return started;
  }
}

/**
 * An application for a service: the form checked against the definition (422, one error per
 * field, in the caller's language), the fee worked out, a reference with a check character
 * issued, and the application started in the workflow's initial state — then whatever the
 * platform does there by itself. An agent applies for a citizen with that citizen's consent.
 */
export async function submitApplication(
  c: Change,
  catalogue: Catalogue,
  caller: Caller,
  serviceId: string,
  input: SubmissionInput,
  locale: Locale,
) {
  const entry = catalogue.get(serviceId);
  if (!entry) throw problems.notFound();
  const { definition } = entry;
  const kind = applicantKind(caller, input);
  checkApplicant(definition, caller, kind);

  const errors = formErrors(entry, input.form, locale);
  const chosen = input.feeOptions ?? [];
  const fee = feeOf(definition, chosen, errors);
  const office = input.office ?? definition.offices[0];
  if (!office || !definition.offices.includes(office)) {
    errors.push(fieldError('/office', 'unknown', 'services.error.office'));
  }
  const consent = kind === 'agent' ? await useConsent(c, input.consentId, errors) : undefined;
  if (errors.length) throw problems.invalid(errors);

  const { row, parts } = await startWithReference(
    c,
    entry,
    {
      id: newId(),
      serviceId: definition.id,
      serviceVersion: definition.version,
      state: definition.workflow.initial,
      form: input.form as Record<string, unknown>,
      feeOptions: chosen,
      feeLisente: fee,
      revenueHead: definition.fees?.revenueHead ?? null,
      feePaidAt: null,
      receiptNumber: null,
      applicantKind: kind,
      applicantAccount: kind === 'agent' ? null : caller.actor.id,
      applicantPerson: consent?.personId ?? caller.personId,
      business: input.business ?? null,
      agentId: consent ? caller.actor.id : null,
      centre: consent?.centre ?? null,
      consentId: consent?.id ?? null,
      office: office as string,
      createdAt: c.now,
      updatedAt: c.now,
      completedAt: null,
      locale,
      notifyAccount: consent
        ? ((await accountOfPerson(c.tx, consent.personId))?.id ?? null)
        : caller.actor.id,
      notifyPhone: consent ? consent.destination : (caller.phone ?? null),
    },
    {
      action: 'apply',
      from: null,
      to: definition.workflow.initial,
      ...(consent ? { details: { onBehalfOf: consent.personId, consentId: consent.id } } : {}),
    },
  );
  c.audit({
    action: APPLICATION_SUBMITTED,
    subject: { type: 'application', id: row.reference },
    after: {
      serviceId: definition.id,
      state: row.state,
      fee,
      ...(consent ? { agent: caller.actor.id, centre: consent.centre, forPerson: consent.personId } : {}),
    },
  });
  c.publish({
    topic: APPLICATION_SUBMITTED,
    payload: { applicationId: row.id, reference: row.reference, serviceId: definition.id, state: row.state },
  });
  // Then whatever the platform does in the initial state by itself.
  const settled = await settle(c, entry, { row, parts });
  await notifyApplicant(c, entry, settled.row, consent ? 'services.submitted-for-you' : 'services.submitted');
  const relation = kind === 'agent' ? 'agent' : 'applicant';
  return applicationView(c, entry, settled.row, relation, caller, settled.parts);
}
