import { describe, expect, it } from 'vitest';
import { missingMessages, translate } from '../../../core/i18n/index.js';
import { isGsm7 } from '../../messaging/sms/index.js';
import './index.js';

describe('factor texts', () => {
  it('exist in English and Sesotho', () => {
    expect(missingMessages().filter((m) => m.key.startsWith('auth.factors.'))).toEqual([]);
    expect(translate('st', 'auth.factors.error.locked', { minutes: 5 })).toBe(
      "Liteko tse ngata haholo. Ka kopo leka hape ka mor'a metsotso e 5.",
    );
  });

  it('the SMS text is GSM-7 in both languages as written, before any fallback', () => {
    for (const locale of ['en', 'st'] as const) {
      expect(isGsm7(translate(locale, 'auth.factors.sms.code', { code: '123456', minutes: 5 }))).toBe(true);
    }
  });
});
