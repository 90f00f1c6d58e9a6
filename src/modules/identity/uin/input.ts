import { DEFAULT_UIN_POLICY, type UinPolicy } from './rules.js';
import { isVerhoeffValid } from './verhoeff.js';

export type UinInputResult =
  | { readonly ok: true; readonly uin: string }
  // 'format': not a UIN's shape; 'check-digit': the right number of digits but a typing error somewhere.
  | { readonly ok: false; readonly reason: 'format' | 'check-digit' };

// People group digits with spaces or hyphens; phones often autocorrect '-' into a Unicode dash or minus.
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/g;

// Longer input cannot be a UIN even with generous spacing; capping it bounds the work done.
const MAX_INPUT_LENGTH = 64;

/**
 * Reads a UIN as a person typed it, e.g. "2750 4510 68" or "27504-51068". Only the shape and the check digit
 * are checked, not the generation rules, so UINs issued under an earlier policy stay readable; whether the
 * UIN was ever issued is for the caller to look up. `policy` supplies the length (10 by default).
 */
export function validateUinInput(
  text: string,
  policy: Pick<UinPolicy, 'length'> = DEFAULT_UIN_POLICY,
): UinInputResult {
  const uin = text.length <= MAX_INPUT_LENGTH ? text.replace(SEPARATORS, '') : '';
  // [0-9], not \d: other scripts' digits would pass a Unicode-aware check but are not UINs.
  if (uin.length !== policy.length || !/^[0-9]+$/.test(uin)) {
    return { ok: false, reason: 'format' };
  }
  return isVerhoeffValid(uin) ? { ok: true, uin } : { ok: false, reason: 'check-digit' };
}
