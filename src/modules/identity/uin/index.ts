/**
 * The Unique Identification Number (UIN) of the national identity register, modelled on MOSIP: random
 * digits ending in a Verhoeff check digit, filtered so that numbers are hard to guess and easy to read out.
 */
export { cryptoDigit, type DigitSource, generateUin } from './generate.js';
export { type UinInputResult, validateUinInput } from './input.js';
export {
  checkUinRules,
  DEFAULT_UIN_POLICY,
  UIN_RULES,
  type UinPolicy,
  type UinRule,
  type UinRuleResult,
  uinPolicy,
  uinRuleViolations,
} from './rules.js';
export { isVerhoeffValid, verhoeffCheckDigit } from './verhoeff.js';
