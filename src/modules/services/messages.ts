import { addMessages } from '../../core/i18n/index.js';

/** Texts applicants and staff see from the case engine, under the `services.` prefix. */
const en = {
  'error.action-not-allowed': 'This application cannot be moved by "{{action}}" while it is {{state}}',
  'error.wrong-taker': 'Your role does not allow this action on this application',
  'error.maker-checker': 'You prepared this decision: another officer must approve it',
  'error.assurance': 'This service needs a stronger sign-in ({{required}})',
  'error.applicant-kind': 'This service does not take applications from {{kind}}',
  'error.other-office': 'This application is worked at another office',
  'error.fee-option': 'This service has no such fee option',
  'error.office': 'Choose one of the offices that handle this service',
  'error.receipt': 'Enter the receipt number',
  'error.comment': 'Say why: the applicant will read it',
  'error.form-required': 'Send the corrected form',
  'error.consent': 'There is no consent from this person for you to use: ask for it again',
  'error.consent-needed': 'An agent applies only with the citizen’s consent',
  'error.no-phone': 'This person has no phone number in the civil register: record a signed paper consent',
  'error.code-wrong': 'The code is not right: {{left}} tries left',
  'error.code-expired': 'The code has expired or was used: ask for a new one',
  'error.not-assignable': 'This officer cannot take this task',
  'error.task-closed': 'This task is finished',
  'error.finished': 'This application is finished: nothing more can be added',
  'error.uploads-missing': 'The applicant has not yet given every file this service needs',
  'consent.sms':
    'Mmuso: {{code}} lets the agent at {{centre}} apply for you. Give it only to the agent you are with.',
};

const st: Record<keyof typeof en, string> = {
  'error.action-not-allowed': 'Kopo ena e ke ke ea tsamaisoa ka "{{action}}" ha e ntse e le {{state}}',
  'error.wrong-taker': 'Boemo ba hau ha bo u lumelle ho etsa sena kopong ena',
  'error.maker-checker': 'U lokisitse qeto ena: ofisiri e ’ngoe e tlameha ho e amohela',
  'error.assurance': 'Tšebeletso ena e hloka ho kena ho matla ho feta ({{required}})',
  'error.applicant-kind': 'Tšebeletso ena ha e amohele likopo tse tsoang ho {{kind}}',
  'error.other-office': 'Kopo ena e sebetsoa ofising e ’ngoe',
  'error.fee-option': 'Tšebeletso ena ha e na khetho eo ea tefo',
  'error.office': 'Khetha e ’ngoe ea liofisi tse sebetsang tšebeletso ena',
  'error.receipt': 'Kenya nomoro ea rasiti',
  'error.comment': 'Bolela lebaka: mokopi o tla e bala',
  'error.form-required': 'Romela foromo e lokisitsoeng',
  'error.consent': 'Ha ho tumello ea motho enoa eo u ka e sebelisang: e kope hape',
  'error.consent-needed': 'Moemeli o etsa kopo feela ka tumello ea moahi',
  'error.no-phone':
    'Motho enoa ha a na nomoro ea mohala ngolisong ea sechaba: ngola tumello e saennoeng pampiring',
  'error.code-wrong': 'Khoutu ha e nepahale: ho setse boiteko ba {{left}}',
  'error.code-expired': 'Khoutu e felletsoe ke nako kapa e se e sebelisitsoe: kopa e ncha',
  'error.not-assignable': 'Ofisiri ena e ke ke ea nka mosebetsi ona',
  'error.task-closed': 'Mosebetsi ona o phethiloe',
  'error.finished': 'Kopo ena e phethiloe: ha ho sa ka ha eketsoa letho',
  'error.uploads-missing': 'Mokopi ha a e-so fane ka lifaele tsohle tseo tšebeletso ena e li hlokang',
  'consent.sms':
    'Mmuso: {{code}} e lumella moemeli oa {{centre}} ho u etsetsa kopo. E fe feela moemeli eo u leng le eena.',
};

addMessages('services', { en, st });
