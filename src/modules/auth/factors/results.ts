/** Why a second factor was refused. Callers show one generic text; the reason is for logs and tests. */
export type FactorFailure =
  | 'malformed'
  | 'not-enrolled'
  | 'no-code'
  | 'wrong'
  | 'replayed'
  | 'expired'
  | 'too-many-attempts'
  | 'locked';

export type Refusal = {
  ok: false;
  reason: FactorFailure;
  /** With 'locked': seconds until another attempt is allowed. */
  retryAfterSeconds?: number;
  /** With a one-time code: attempts that code still has. */
  attemptsLeft?: number;
};

/**
 * A verification's outcome is returned, never thrown: a failure changes state (attempt counts,
 * throttle) that must commit. Return it from `change()` and refuse the request after the commit.
 */
export type FactorResult<Success extends object = object> = ({ ok: true } & Success) | Refusal;
