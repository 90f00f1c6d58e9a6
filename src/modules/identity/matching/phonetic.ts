import { normaliseName } from './normalise.js';

/**
 * A Sesotho-tuned phonetic key, used to block candidates by surname across districts.
 *
 * Built on the normalised name (so apostrophes, š and Lesotho/South African spellings already agree):
 * 1. spaces are removed and doubled letters collapse (Mpollokeng = Mpolokeng, Lekhanyya = Lekhanya);
 * 2. H is dropped everywhere, so aspiration and its slips do not matter (Thabo = Tabo, Ph = P, Kh = K,
 *    Hl = L, Tlh = Tl, Ch = C);
 * 3. letters that spell one sound or are confused with each other share a class: Q, G → K (G only
 *    remains from NG); Z → S; V → F; X → K;
 * 4. vowels and the semivowels W and Y are dropped, so a vowel slip, a vowel insertion or deletion, and the
 *    transposition of a vowel with a consonant (Ramakoae/Ramaokae, Ramokhoro/Ramokohro) keep the key;
 * 5. the key is the first KEY_LENGTH consonant classes (Ramoreboli → RMRB).
 *
 * Double Metaphone was considered and rejected: it reads PH as F and TH as θ, which is English phonology;
 * in Sesotho they are aspirated P and T, and the common slip Thabo/Tabo would change its key.
 */

/** Consonant classes kept in a key; longer keys split blocks finer but make a slip likelier to matter. */
export const KEY_LENGTH = 4;

const CONSONANT_CLASS: Readonly<Record<string, string>> = {
  B: 'B',
  C: 'C',
  D: 'D',
  F: 'F',
  G: 'K',
  J: 'J',
  K: 'K',
  L: 'L',
  M: 'M',
  N: 'N',
  P: 'P',
  Q: 'K',
  R: 'R',
  S: 'S',
  T: 'T',
  V: 'F',
  X: 'K',
  Z: 'S',
};

/** Key of a name that is already normalised (see normaliseName); exposed for callers that cache it. */
export function phoneticKeyOfNormalised(normalised: string, keyLength = KEY_LENGTH): string {
  let key = '';
  let previousLetter = '';
  for (const letter of normalised) {
    if (letter === ' ') {
      continue;
    }
    if (letter === previousLetter) {
      continue;
    }
    previousLetter = letter;
    const consonant = CONSONANT_CLASS[letter];
    if (consonant === undefined) {
      continue;
    }
    key += consonant;
    if (key.length >= keyLength) {
      break;
    }
  }
  // A name of vowels only (rare: "Ea") or of letters outside A–Z keeps its normalised form, so that it
  // still lands in a block of its own rather than in one shared by all such names.
  return key === '' ? normalised.replaceAll(' ', '') : key;
}

/**
 * Phonetic key of a surname (or any name): e.g. Mokoena, Mokwena, Mokoéna → "MKN"; Tšoeu, Tsoeu, Tshweu
 * → "TS"; Mots'oene, Motso'ene → "MTSN". Empty only for an empty name.
 */
export function phoneticKey(name: string, keyLength = KEY_LENGTH): string {
  return phoneticKeyOfNormalised(normaliseName(name), keyLength);
}
