/**
 * Phone numbers as people write them in Lesotho — 58123456, +266 5812 3456, 266-58123456 —
 * normalised to E.164. Lesotho numbers have 8 digits after +266; foreign numbers must be given
 * in full international form.
 */
export type PhoneParse = { ok: true; e164: string } | { ok: false; reason: 'format' | 'length' };

const LESOTHO = '266';

export function parsePhone(text: string): PhoneParse {
  const trimmed = text.trim();
  if (!/^\(?\+?[\d\s().-]+$/.test(trimmed)) return { ok: false, reason: 'format' };
  const international = trimmed.includes('+');
  const digits = trimmed.replace(/\D/g, '');
  if (!international && digits.length === 8) return lesotho(digits);
  if (digits.startsWith(LESOTHO)) {
    const national = digits.slice(LESOTHO.length);
    return national.length === 8 ? lesotho(national) : { ok: false, reason: 'length' };
  }
  if (international && /^[1-9]\d{7,14}$/.test(digits)) return { ok: true, e164: `+${digits}` };
  return { ok: false, reason: digits.length < 8 ? 'length' : 'format' };
}

function lesotho(national: string): PhoneParse {
  // Mobile numbers start with 5 or 6, fixed lines with 2 or 3.
  if (!/^[2356]/.test(national)) return { ok: false, reason: 'format' };
  return { ok: true, e164: `+${LESOTHO}${national}` };
}

/** True for Lesotho mobile numbers, the ones an SMS can reach. */
export function isLesothoMobile(e164: string): boolean {
  return /^\+266[56]\d{7}$/.test(e164);
}
