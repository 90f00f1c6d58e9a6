import { isIP } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../../core/db/index.js';
import type { Change } from '../../../core/kernel/index.js';
import { throttle } from './schema.js';

/**
 * Progressive throttling per key: failures counted within a window; reaching the threshold locks
 * the key, each further lockout for longer (1 min, 5 min, 15 min, 1 h, then 1 h each time).
 * The level is forgotten after a quiet day, or at once by `reset` (a successful sign-in).
 * Keys are free text; use `throttleKeys` so every caller spells them the same.
 */
export interface ThrottlePolicy {
  /** Failures within `windowSeconds` that lock the key. */
  threshold: number;
  windowSeconds: number;
  /** Lockout lengths in order; the last repeats. */
  lockoutSeconds: readonly number[];
  /** A key with no failure for this long starts again from the first lockout. */
  forgetAfterSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  threshold: 5,
  windowSeconds: 15 * 60,
  lockoutSeconds: [60, 5 * 60, 15 * 60, 60 * 60],
  forgetAfterSeconds: 24 * 60 * 60,
};

export interface ThrottleDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise whole seconds until the lockout ends (for Retry-After). */
  retryAfterSeconds: number;
}

export interface ThrottleState extends ThrottleDecision {
  /** Failures in the current window (0 right after a lockout began). */
  failures: number;
  lockouts: number;
}

export const THROTTLE_LOCKED = 'auth.throttle.locked';

type Row = typeof throttle.$inferSelect;

function decision(lockedUntil: Date | null, now: Date): ThrottleDecision {
  const left = lockedUntil ? lockedUntil.getTime() - now.getTime() : 0;
  return left > 0
    ? { allowed: false, retryAfterSeconds: Math.ceil(left / 1000) }
    : { allowed: true, retryAfterSeconds: 0 };
}

/** Whether an attempt under this key may go ahead now. Reads only. */
export async function checkAllowed(on: Queryable, key: string, now: Date): Promise<ThrottleDecision> {
  const [row] = await on
    .select({ lockedUntil: throttle.lockedUntil })
    .from(throttle)
    .where(eq(throttle.key, key));
  return decision(row?.lockedUntil ?? null, now);
}

/** The state after one more failure, as a pure function of the stored row (exported for tests). */
export function nextThrottleState(
  row: Pick<Row, 'failures' | 'windowStart' | 'lockedUntil' | 'lockouts' | 'lastFailureAt'> | undefined,
  now: Date,
  policy: ThrottlePolicy = DEFAULT_THROTTLE,
): Omit<Row, 'key'> & { lockedNow: boolean } {
  const t = now.getTime();
  const forgotten = !row || t - row.lastFailureAt.getTime() >= policy.forgetAfterSeconds * 1000;
  let lockouts = forgotten ? 0 : row.lockouts;
  const locked = !forgotten && row.lockedUntil !== null && row.lockedUntil.getTime() > t;
  if (locked) {
    // Failures while locked (a caller that did not check first) neither count nor extend it.
    return { ...row, lastFailureAt: now, lockedNow: false };
  }
  const windowOpen = !forgotten && t - row.windowStart.getTime() < policy.windowSeconds * 1000;
  const failures = (windowOpen ? row.failures : 0) + 1;
  const windowStart = windowOpen ? row.windowStart : now;
  if (failures >= policy.threshold) {
    lockouts += 1;
    const seconds = policy.lockoutSeconds[Math.min(lockouts, policy.lockoutSeconds.length) - 1] ?? 60;
    return {
      failures: 0,
      windowStart: now,
      lockedUntil: new Date(t + seconds * 1000),
      lockouts,
      lastFailureAt: now,
      lockedNow: true,
    };
  }
  return {
    failures,
    windowStart,
    lockedUntil: forgotten ? null : (row.lockedUntil ?? null),
    lockouts,
    lastFailureAt: now,
    lockedNow: false,
  };
}

/**
 * Counts a failure under the key, in the caller's transaction (so it must commit: return a
 * refusal from `change()` rather than throwing inside it). A lockout that begins is audited.
 */
export async function recordFailure(
  c: Change,
  key: string,
  policy: ThrottlePolicy = DEFAULT_THROTTLE,
): Promise<ThrottleState> {
  await c.tx
    .insert(throttle)
    .values({ key, failures: 0, windowStart: c.now, lockedUntil: null, lockouts: 0, lastFailureAt: c.now })
    .onConflictDoNothing();
  const [row] = await c.tx.select().from(throttle).where(eq(throttle.key, key)).for('update');
  const { lockedNow, ...next } = nextThrottleState(row, c.now, policy);
  await c.tx.update(throttle).set(next).where(eq(throttle.key, key));
  if (lockedNow) {
    c.audit({
      action: THROTTLE_LOCKED,
      subject: { type: 'throttle-key', id: key },
      after: { lockouts: next.lockouts, lockedUntil: next.lockedUntil?.toISOString() },
    });
  }
  return { ...decision(next.lockedUntil, c.now), failures: next.failures, lockouts: next.lockouts };
}

/** Forgets the key's failures and lockouts: call it after a success. */
export async function reset(c: Change, key: string): Promise<void> {
  await c.tx.delete(throttle).where(eq(throttle.key, key));
}

/** Removes keys with no failure for `forgetAfterSeconds` and no lockout running: a daily job. */
export async function pruneThrottle(c: Change, policy: ThrottlePolicy = DEFAULT_THROTTLE): Promise<number> {
  const before = new Date(c.now.getTime() - policy.forgetAfterSeconds * 1000);
  const removed = await c.tx
    .delete(throttle)
    .where(
      sql`${throttle.lastFailureAt} < ${before} AND (${throttle.lockedUntil} IS NULL OR ${throttle.lockedUntil} <= ${c.now})`,
    )
    .returning({ key: throttle.key });
  return removed.length;
}

/**
 * How keys are spelled. An IPv6 address is throttled by its /64, which one subscriber usually
 * holds whole; an IPv4-mapped IPv6 address counts as the IPv4 address.
 */
export const throttleKeys = {
  account: (accountId: string) => `account:${accountId}`,
  ip: (address: string) => `ip:${ipBucket(address)}`,
  secondFactor: (accountId: string) => `second-factor:${accountId}`,
};

export function ipBucket(address: string): string {
  const bare = address
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1]) return mapped[1];
  if (isIP(bare) !== 6) return bare;
  const [head = '', tail = ''] = bare.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = bare.includes('::') ? (tail ? tail.split(':') : []) : [];
  // A trailing dotted IPv4 part is really two groups, but it never reaches the first four.
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
