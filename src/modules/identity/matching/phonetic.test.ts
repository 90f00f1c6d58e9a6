import { describe, expect, it } from 'vitest';
import { GIVEN_NAMES, SURNAMES, spellingVariants } from '../synth/index.js';
import { measureKeyStability, measureKeyStabilityOfTypoModel } from './evaluate.js';
import { phoneticKey } from './index.js';

describe('phoneticKey', () => {
  it.each([
    ['Mokoena', 'Mokwena', 'MOKOENA'],
    ['Tšoeu', 'Tsoeu', 'Tshweu'],
    ["Mots'oene", 'Motso’ene', 'Motsoene'],
    ['Ramakoae', 'Ramaokae', 'RAMAKOAE'],
    ['Ramokhoro', 'Ramokohro', 'Ramokoro'],
    ['Mpolokeng', 'Mpollokeng', 'Mpolokneg'],
    ['Lekhanya', 'Lekhanyya', 'Lekhania'],
    ['Matšela', 'Matšla', 'Matshela'],
    ['Mahao', 'Mhao', 'Mahau'],
    ['Pholo', 'Phlo', 'Polo'],
    ['Thabo', 'Tabo', 'Thaob'],
    ['Molise', 'Modise', 'Mollise'],
    ['Khaketla', 'Kgaketla', 'Kaketla'],
  ])('gives %s, %s and %s the same key', (a, b, c) => {
    const key = phoneticKey(a);
    expect(key).not.toBe('');
    expect(phoneticKey(b)).toBe(key);
    expect(phoneticKey(c)).toBe(key);
  });

  it('keeps common surnames apart', () => {
    const keys = new Set(
      ['Mokoena', 'Mofokeng', 'Molapo', 'Letsie', 'Mohapi', 'Nthako', 'Lebona'].map((n) => phoneticKey(n)),
    );
    expect(keys.size).toBe(7);
  });

  it('is stable under every spelling variant of the synthetic names', () => {
    for (const name of [...SURNAMES, ...GIVEN_NAMES.map((g) => g.name)]) {
      for (const variant of spellingVariants(name)) {
        expect(phoneticKey(variant), `${name} ~ ${variant}`).toBe(phoneticKey(name));
      }
    }
  });

  it('splits the surname list into many small blocks', () => {
    const sizes = new Map<string, number>();
    for (const name of SURNAMES) {
      const key = phoneticKey(name);
      sizes.set(key, (sizes.get(key) ?? 0) + 1);
    }
    expect(sizes.size).toBeGreaterThan(SURNAMES.length * 0.8);
    expect(Math.max(...sizes.values())).toBeLessThanOrEqual(6);
  });

  it('survives most single typos', () => {
    const every = measureKeyStability(SURNAMES);
    const rate = (kind: string) => (every[kind]?.changed ?? 0) / (every[kind]?.typos ?? 1);
    // Vowel slips, dropped or added h, doubled letters and vowel/consonant transpositions keep the key;
    // a consonant replaced, dropped or added changes it.
    expect(rate('insertion')).toBeLessThan(0.05);
    expect(rate('transposition')).toBeLessThan(0.15);
    expect(rate('deletion')).toBeLessThan(0.5);
    expect(rate('substitution')).toBeLessThan(0.8);
    // With the mix of slips the synthesiser makes (keyboard neighbours), most typos keep the key.
    expect(measureKeyStabilityOfTypoModel(SURNAMES, 5000)).toBeLessThan(0.5);
  });
});
