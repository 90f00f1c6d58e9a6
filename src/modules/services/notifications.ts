import type { Change } from '../../core/kernel/index.js';
import { addTemplates, notify } from '../messaging/index.js';
import type { CatalogueEntry } from './catalogue.js';
import type { ApplicationRow } from './schema.js';

/** What applicants are told, by SMS, e-mail and in-portal notice, in their own language. */
addTemplates({
  'services.submitted': {
    en: {
      subject: 'Application {{reference}} received',
      body: 'We have received your application for {{service}}. Its reference is {{reference}}. It is now: {{state}}.',
      sms: 'Mmuso: application {{reference}} ({{service}}) received. Status: {{state}}.',
    },
    st: {
      subject: 'Kopo {{reference}} e amohetsoe',
      body: 'Re amohetse kopo ea hau ea {{service}}. Nomoro ea tšupiso ke {{reference}}. Boemo ba eona hona joale: {{state}}.',
      sms: 'Mmuso: kopo {{reference}} ({{service}}) e amohetsoe. Boemo: {{state}}.',
    },
  },
  'services.submitted-for-you': {
    en: {
      subject: 'Application {{reference}} made for you',
      body: 'An agent at the {{centre}} service centre applied for {{service}} on your behalf, with your consent. The reference is {{reference}}. It is now: {{state}}.',
      sms: 'Mmuso: an agent at {{centre}} applied for {{service}} for you. Ref {{reference}}. Status: {{state}}.',
    },
    st: {
      subject: 'Kopo {{reference}} e etselitsoe uena',
      body: 'Moemeli oa setsi sa litšebeletso sa {{centre}} o u etselitse kopo ea {{service}}, ka tumello ea hau. Nomoro ea tšupiso ke {{reference}}. Boemo ba eona hona joale: {{state}}.',
      sms: 'Mmuso: moemeli oa {{centre}} o u etselitse kopo ea {{service}}. Tšupiso {{reference}}. Boemo: {{state}}.',
    },
  },
  'services.moved': {
    en: {
      subject: 'Application {{reference}}: {{state}}',
      body: 'Your application for {{service}} ({{reference}}) is now: {{state}}.',
      sms: 'Mmuso: application {{reference}} is now: {{state}}.',
    },
    st: {
      subject: 'Kopo {{reference}}: {{state}}',
      body: 'Kopo ea hau ea {{service}} ({{reference}}) hona joale: {{state}}.',
      sms: 'Mmuso: kopo {{reference}} hona joale: {{state}}.',
    },
  },
});

export type ApplicantTemplate = 'services.submitted' | 'services.submitted-for-you' | 'services.moved';

/**
 * Tells the applicant where their application stands, in the transaction that moved it: on the
 * portal (their account, or the account linked to the person an agent applied for) and by SMS.
 * An applicant the platform cannot reach is not told; the application goes on all the same.
 */
export async function notifyApplicant(
  c: Change,
  entry: CatalogueEntry,
  app: ApplicationRow,
  template: ApplicantTemplate,
): Promise<void> {
  const to = {
    locale: app.locale,
    ...(app.notifyAccount ? { accountId: app.notifyAccount } : {}),
    ...(app.notifyPhone ? { phone: app.notifyPhone } : {}),
  };
  if (!to.accountId && !to.phone) return;
  const { definition } = entry;
  const state = definition.workflow.states[app.state]?.label[app.locale] ?? app.state;
  await notify(c, {
    to,
    template,
    params: {
      reference: app.reference,
      service: definition.name[app.locale],
      state,
      ...(app.centre ? { centre: app.centre } : {}),
    },
    about: { type: 'application', id: app.reference },
  });
}
