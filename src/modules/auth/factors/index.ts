/**
 * Second factors of the national login (TOTP apps, SMS one-time codes, recovery codes) and the
 * progressive throttle. Plain functions over a `Change`; verifications return their outcome
 * instead of throwing, because a failure changes state that must commit.
 */
import './messages.js';

export {
  constantTimeEqual,
  maskPhone,
  newNumericCode,
  newRecoveryCode,
  normalizeNumericCode,
  normalizeRecoveryCode,
  RECOVERY_ALPHABET,
  RECOVERY_CODE_LENGTH,
} from './codes.js';
export {
  confirmSmsFactor,
  enrolSmsFactor,
  FACTOR_REMOVED,
  type FactorSummary,
  hasSecondFactor,
  issueSmsFactorCode,
  listFactors,
  removeFactor,
  SMS_CONFIRMED,
  SMS_ENROLLED,
  smsPhone,
  verifySmsFactorCode,
} from './enrolments.js';
export { type FactorKeys, loadFactorKeys } from './keys.js';
export type { FactorMessageKey } from './messages.js';
export {
  generateRecoveryCodes,
  RECOVERY_CODE_COUNT,
  RECOVERY_FAILED,
  RECOVERY_GENERATED,
  RECOVERY_USED,
  remainingRecoveryCodes,
  useRecoveryCode,
} from './recovery.js';
export type { FactorFailure, FactorResult, Refusal } from './results.js';
export { factorEnrolments, oneTimeCodes, recoveryCodes, throttle } from './schema.js';
export {
  CODE_FAILED,
  CODE_ISSUED,
  CODE_VERIFIED,
  type CodePurpose,
  codeText,
  type IssueResult,
  issueAndSendSmsCode,
  issueSmsCode,
  type OutgoingSms,
  pruneOneTimeCodes,
  SMS_CODE,
  sendSms,
  verifySmsCode,
} from './sms-codes.js';
export {
  checkAllowed,
  DEFAULT_THROTTLE,
  ipBucket,
  nextThrottleState,
  pruneThrottle,
  recordFailure,
  reset,
  reset as resetThrottle,
  THROTTLE_LOCKED,
  type ThrottleDecision,
  type ThrottlePolicy,
  type ThrottleState,
  throttleKeys,
} from './throttle.js';
export {
  confirmTotp,
  enrolTotp,
  FACTOR_ADDED,
  matchTotp,
  newTotpSecret,
  pendingTotpEnrolment,
  qrCode,
  TOTP_CONFIRMED,
  TOTP_ENROLLED,
  TOTP_FAILED,
  TOTP_SETTINGS,
  TOTP_VERIFIED,
  type TotpEnrolment,
  totpCode,
  totpStep,
  totpUri,
  verifyTotp,
} from './totp.js';
