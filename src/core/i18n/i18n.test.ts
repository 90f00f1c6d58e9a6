import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { addMessages, chooseLocale, isLocale, missingMessages, translate } from './index.js';
import { en, st } from './messages.js';

// addMessages changes the module's catalogues for the rest of this file: every test that adds
// texts uses its own prefix and completes both languages before it ends.

const SRC = fileURLToPath(new URL('../../', import.meta.url));

/** Every source file that adds texts (module catalogues register themselves when imported). */
function cataloguesInSource(): string[] {
  return (fs.readdirSync(SRC, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith(path.join('core', 'i18n')))
    .filter((f) => /\baddMessages\(/.test(fs.readFileSync(path.join(SRC, f), 'utf8')))
    .map((f) => path.join(SRC, f));
}

describe('the shipped catalogues', () => {
  let loaded: string[] = [];

  beforeAll(async () => {
    loaded = cataloguesInSource();
    for (const file of loaded) await import(file);
  });

  it('have every key in both languages, module texts included', () => {
    expect(missingMessages()).toEqual([]);
  });

  it('have the same keys in Sesotho as in English, none blank', () => {
    expect(Object.keys(st).sort()).toEqual(Object.keys(en).sort());
    for (const text of [...Object.values(en), ...Object.values(st)]) expect(text.trim()).not.toBe('');
  });

  it('use the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect({ key, st: placeholders(st[key]) }).toEqual({ key, st: placeholders(en[key]) });
    }
  });
});

describe('addMessages and missingMessages', () => {
  it('reports a key missing in Sesotho, and forgets it once added', () => {
    addMessages('test-missing', {
      en: { greeting: 'Hello', farewell: 'Goodbye' },
      st: { greeting: 'Lumela' },
    });
    expect(missingMessages()).toEqual([{ locale: 'st', key: 'test-missing.farewell' }]);
    addMessages('test-missing', { en: {}, st: { farewell: 'Sala hantle' } });
    expect(missingMessages()).toEqual([]);
  });

  it('reports a key missing in English', () => {
    addMessages('test-missing-en', { en: {}, st: { only: 'Feela' } });
    expect(missingMessages()).toEqual([{ locale: 'en', key: 'test-missing-en.only' }]);
    addMessages('test-missing-en', { en: { only: 'Only' }, st: {} });
    expect(missingMessages()).toEqual([]);
  });

  it('counts a blank text as missing', () => {
    addMessages('test-blank', { en: { title: 'Title' }, st: { title: '   ' } });
    expect(missingMessages()).toEqual([{ locale: 'st', key: 'test-blank.title' }]);
    addMessages('test-blank', { en: {}, st: { title: 'Sehlooho' } });
    expect(missingMessages()).toEqual([]);
  });

  it('makes added texts available to translate at once', () => {
    expect(translate('en', 'test-added.hello')).toBe('test-added.hello');
    addMessages('test-added', { en: { hello: 'Hello {{name}}' }, st: { hello: 'Lumela {{name}}' } });
    expect(translate('en', 'test-added.hello', { name: 'Palesa' })).toBe('Hello Palesa');
    expect(translate('st', 'test-added.hello', { name: 'Palesa' })).toBe('Lumela Palesa');
    expect(missingMessages()).toEqual([]);
  });
});

describe('translate', () => {
  it('gives the text in the language asked for', () => {
    expect(translate('en', 'problem.not-found')).toBe(en['problem.not-found']);
    expect(translate('st', 'problem.not-found')).toBe(st['problem.not-found']);
    expect(translate('st', 'language.en')).toBe('Senyesemane');
  });

  it('fills in placeholders, without HTML-escaping them', () => {
    expect(translate('en', 'problem.too-large.detail', { limit: 1024 })).toBe(
      'The request body is larger than 1024 bytes.',
    );
    const sesotho = translate('st', 'problem.too-large.detail', { limit: 1024 });
    expect(sesotho).toContain('1024');
    expect(sesotho).not.toContain('{{');
    expect(translate('en', 'field.one-of', { field: 'District', allowed: 'Maseru, Berea' })).toBe(
      'District must be one of: Maseru, Berea',
    );
    expect(translate('en', 'field.required', { field: '<b>name</b> & "surname"' })).toBe(
      'Enter <b>name</b> & "surname"',
    );
  });

  it('does not treat dots or colons in a key as separators', () => {
    expect(translate('en', 'problem.bad-request.detail')).toBe(en['problem.bad-request.detail']);
    addMessages('test:ns', { en: { 'a.b': 'With colon' }, st: { 'a.b': 'Le kholone' } });
    expect(translate('st', 'test:ns.a.b')).toBe('Le kholone');
  });
});

describe('chooseLocale', () => {
  it('prefers the query, then the cookie, then Accept-Language', () => {
    expect(chooseLocale({ query: 'st', cookie: 'en', acceptLanguage: 'en' })).toBe('st');
    expect(chooseLocale({ query: 'en', cookie: 'st', acceptLanguage: 'st' })).toBe('en');
    expect(chooseLocale({ cookie: 'st', acceptLanguage: 'en' })).toBe('st');
    expect(chooseLocale({ cookie: 'en', acceptLanguage: 'st' })).toBe('en');
    expect(chooseLocale({ acceptLanguage: 'st' })).toBe('st');
  });

  it('skips a query or cookie that is not a supported language', () => {
    expect(chooseLocale({ query: 'fr', cookie: 'st' })).toBe('st');
    expect(chooseLocale({ query: ['st'], cookie: 'xx', acceptLanguage: 'st' })).toBe('st');
    expect(chooseLocale({ query: 'ST', acceptLanguage: 'en' })).toBe('en');
    expect(chooseLocale({ query: 42, cookie: null })).toBe('en');
  });

  it.each([
    ['st-LS,st;q=0.9,en;q=0.8', 'st'],
    ['st-LS', 'st'],
    ['en-GB,en;q=0.9,st;q=0.5', 'en'],
    ['en;q=0.5,st;q=0.9', 'st'],
    ['fr', 'en'],
    ['fr-FR,zu;q=0.8', 'en'],
    ['*', 'en'],
    ['', 'en'],
    ['fr;q=1,st;q=0.1', 'st'],
  ])('Accept-Language %j → %s', (header, expected) => {
    expect(chooseLocale({ acceptLanguage: header })).toBe(expected);
  });

  it('defaults to English with nothing to go on', () => {
    expect(chooseLocale({})).toBe('en');
  });

  it('isLocale accepts exactly the supported languages', () => {
    expect(['en', 'st', 'EN', 'st-LS', '', undefined, 1].map(isLocale)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
