import { addMessages } from '../i18n/index.js';

/** Problem texts of the upload checks, under `uploads.`. Sesotho composed (glossary: "faele"); to review. */
const en = {
  'upload-empty': 'The file is empty',
  'upload-empty.detail': 'Choose a file that has something in it.',
  'upload-too-large': 'The file is too large',
  'upload-too-large.detail': 'The file must be {{limit}} bytes or smaller.',
  'upload-type-not-allowed': 'This kind of file is not accepted',
  'upload-type-not-allowed.detail': 'The file is {{found}}. Accepted: {{allowed}}.',
  'upload-infected': 'The file was refused',
  'upload-infected.detail': 'The virus check found a threat in this file. It was not saved.',
  'upload-scan-unavailable': 'Files cannot be checked right now',
  'upload-scan-unavailable.detail': 'The virus check is not answering. Please try again in a few minutes.',
};

const st: Record<keyof typeof en, string> = {
  'upload-empty': 'Faele ha e na letho',
  'upload-empty.detail': 'Khetha faele e nang le se itseng ka hare.',
  'upload-too-large': 'Faele e kholo haholo',
  'upload-too-large.detail': 'Faele e lokela ho ba li-byte tse {{limit}} kapa ka tlase.',
  'upload-type-not-allowed': 'Mofuta ona oa faele ha o amoheloe',
  'upload-type-not-allowed.detail': 'Faele ke {{found}}. Tse amoheloang: {{allowed}}.',
  'upload-infected': 'Faele e hanoe',
  'upload-infected.detail': 'Tlhahlobo ea livaerase e fumane kotsi faeleng ena. Ha ea bolokoa.',
  'upload-scan-unavailable': 'Lifaele li ke ke tsa hlahlojoa hona joale',
  'upload-scan-unavailable.detail':
    "Tlhahlobo ea livaerase ha e arabe. Ka kopo leka hape ka mor'a metsotso e seng mekae.",
};

addMessages('uploads', { en, st });
