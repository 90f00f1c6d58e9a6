import { addMessages } from '../../../core/i18n/index.js';

/**
 * Texts of the second factors, under `auth.factors.`. The SMS text follows the brief and the
 * glossary ("Khoutu", "metsotso"); the other Sesotho texts are composed (glossary certainty C)
 * and need a Lesotho Sesotho speaker's review before release.
 */
const en = {
  'sms.code': 'Your Mmuso code is {{code}}. It expires in {{minutes}} minutes.',
  'error.code': 'This code is not right or can no longer be used. Ask for a new code.',
  'error.locked': 'Too many attempts. Try again in {{minutes}} minutes.',
  'error.too-soon': 'A code was sent a moment ago. Wait {{seconds}} seconds before asking again.',
  'error.totp-exists': 'This account already has an authenticator app. Remove it before adding another.',
  'error.sms-exists': 'This phone number is already a second factor of this account.',
  'error.phone': 'Enter a mobile phone number like 58123456 or +266 5812 3456',
  'recovery.notice': 'Keep these codes somewhere safe. Each one works once. They are shown only now.',
};

const st: Record<keyof typeof en, string> = {
  'sms.code': "Khoutu ea hau ea Mmuso ke {{code}}. E fela ka mor'a metsotso e {{minutes}}.",
  'error.code': 'Khoutu ena ha e nepahale kapa ha e sa sebetsa. Kopa khoutu e ncha.',
  'error.locked': "Liteko tse ngata haholo. Ka kopo leka hape ka mor'a metsotso e {{minutes}}.",
  'error.too-soon': 'Khoutu e sa tsoa romeloa. Ema metsotsoana e {{seconds}} pele u kopa hape.',
  'error.totp-exists': 'Akhaonte ena e se e na le app ea netefatso. E hlakole pele u kenya e ncha.',
  'error.sms-exists': 'Nomoro ena ea mohala e se e sebelisoa ho netefatsa akhaonte ena.',
  'error.phone': 'Kenya nomoro ea mohala joaloka 58123456 kapa +266 5812 3456',
  'recovery.notice':
    'Boloka likhoutu tsena sebakeng se sireletsehileng. E ngoe le e ngoe e sebetsa hang. Li bontšoa hona joale feela.',
};

addMessages('auth.factors', { en, st });

export type FactorMessageKey = `auth.factors.${keyof typeof en}`;
