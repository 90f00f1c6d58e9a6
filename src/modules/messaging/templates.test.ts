import { describe, expect, it } from 'vitest';
import { addTemplates, hasTemplate, renderTemplate } from './templates.js';

const texts = {
  en: {
    subject: 'Application {{reference}} received',
    body: 'We received your application {{reference}} for {{service}}.',
    sms: 'Mmuso: application {{reference}} received.',
  },
  st: {
    subject: 'Kopo {{reference}} e amohetsoe',
    body: 'Re amohetse kopo ea hau {{reference}} ea {{service}}.',
    sms: 'Mmuso: kopo {{reference}} e amohetsoe.',
  },
};

describe('notification templates', () => {
  it('render in the person’s language with the parameters filled in', () => {
    addTemplates({ 'test.received': texts });
    expect(hasTemplate('test.received')).toBe(true);
    expect(
      renderTemplate('test.received', 'st', { reference: 'CA-2026-7K3M9Q', service: 'Aterese' }),
    ).toEqual({
      subject: 'Kopo CA-2026-7K3M9Q e amohetsoe',
      body: 'Re amohetse kopo ea hau CA-2026-7K3M9Q ea Aterese.',
      sms: 'Mmuso: kopo CA-2026-7K3M9Q e amohetsoe.',
    });
    expect(renderTemplate('test.received', 'en', { reference: 'X', service: 'Y' }).subject).toBe(
      'Application X received',
    );
  });

  it('refuse a missing parameter or an unknown template rather than send raw placeholders', () => {
    addTemplates({ 'test.received-2': texts });
    expect(() => renderTemplate('test.received-2', 'en', { reference: 'X' })).toThrow(/needs service/);
    expect(() => renderTemplate('test.nothing', 'en', {})).toThrow(/unknown notification template/);
    expect(hasTemplate('test.nothing')).toBe(false);
  });

  it('refuse a definition with a language or a part missing, or languages that disagree on placeholders', () => {
    expect(() => addTemplates({ 'test.half': { en: texts.en, st: { ...texts.st, sms: ' ' } } })).toThrow(
      /st\.sms is missing/,
    );
    expect(() =>
      addTemplates({
        'test.drift': { en: texts.en, st: { ...texts.st, body: 'Re amohetse kopo {{reference}}.' } },
      }),
    ).toThrow(/different placeholders/);
    expect(() => addTemplates({ Bad: texts })).toThrow(/dotted lower-case/);
    expect(hasTemplate('test.half')).toBe(false);
  });
});
