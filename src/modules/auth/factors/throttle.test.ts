import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../../test/support/kernel.js';
import { act } from './test-support.js';
import {
  checkAllowed,
  DEFAULT_THROTTLE,
  ipBucket,
  nextThrottleState,
  pruneThrottle,
  recordFailure,
  reset,
  THROTTLE_LOCKED,
  throttleKeys,
} from './throttle.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

const fail = (key: string) => act(t, (c) => recordFailure(c, key));
const allowed = (key: string) => checkAllowed(t.kernel.db.orm, key, t.kernel.clock.now());
const MINUTE = 60_000;

describe('progressive throttle', () => {
  it('locks after 5 failures for 1 minute, then 5, 15 and 60 minutes, and tells how long', async () => {
    const key = throttleKeys.account('a1');
    for (const lockMinutes of [1, 5, 15, 60, 60]) {
      for (let i = 1; i <= 4; i += 1) {
        const state = await fail(key);
        expect(state).toMatchObject({ allowed: true, failures: i });
        expect(await allowed(key)).toEqual({ allowed: true, retryAfterSeconds: 0 });
      }
      const locked = await fail(key);
      expect(locked).toMatchObject({ allowed: false, retryAfterSeconds: lockMinutes * 60 });
      t.clock.advance(lockMinutes * MINUTE - 1500);
      expect(await allowed(key)).toEqual({ allowed: false, retryAfterSeconds: 2 });
      t.clock.advance(1500);
      expect(await allowed(key)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    }
    const [row] = await t.kernel.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit.entries WHERE action = $1 AND subject->>'id' = $2`,
      [THROTTLE_LOCKED, key],
    );
    expect(Number(row?.n)).toBe(5);
  });

  it('counts failures within a 15-minute window only', async () => {
    const key = throttleKeys.ip('192.0.2.7');
    for (let i = 0; i < 4; i += 1) await fail(key);
    t.clock.advance(15 * MINUTE);
    for (let i = 0; i < 4; i += 1) expect((await fail(key)).allowed).toBe(true);
    expect((await fail(key)).allowed).toBe(false);
  });

  it('failures while locked neither count nor extend the lockout', async () => {
    const key = 'test:locked';
    for (let i = 0; i < 5; i += 1) await fail(key);
    t.clock.advance(30_000);
    for (let i = 0; i < 10; i += 1)
      expect(await fail(key)).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
    t.clock.advance(30_000);
    expect(await allowed(key)).toMatchObject({ allowed: true });
    expect(await fail(key)).toMatchObject({ allowed: true, failures: 1, lockouts: 1 });
  });

  it('reset forgets everything; a quiet day forgets the lockout level', async () => {
    const key = 'test:reset';
    for (let i = 0; i < 5; i += 1) await fail(key);
    await act(t, (c) => reset(c, key));
    expect(await allowed(key)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    for (let i = 0; i < 4; i += 1) await fail(key);
    expect(await fail(key)).toMatchObject({ allowed: false, retryAfterSeconds: 60, lockouts: 1 });

    t.clock.advance(MINUTE);
    for (let i = 0; i < 5; i += 1) await fail(key);
    expect(await allowed(key)).toMatchObject({ retryAfterSeconds: 300 });
    t.clock.advance(24 * 60 * MINUTE);
    for (let i = 0; i < 4; i += 1) await fail(key);
    expect(await fail(key)).toMatchObject({ retryAfterSeconds: 60, lockouts: 1 });
  });

  it('keeps keys apart', async () => {
    for (let i = 0; i < 5; i += 1) await fail('test:one');
    expect((await allowed('test:one')).allowed).toBe(false);
    expect((await allowed('test:two')).allowed).toBe(true);
  });

  it('counts every failure under concurrent attempts', async () => {
    const key = 'test:concurrent';
    await Promise.all(Array.from({ length: 4 }, () => fail(key)));
    expect(await fail(key)).toMatchObject({ allowed: false, lockouts: 1 });
  });

  it('prunes keys quiet for a day, but not a running lockout', async () => {
    await fail('test:old');
    t.clock.advance(25 * 60 * MINUTE);
    await fail('test:fresh');
    const removed = await act(t, (c) => pruneThrottle(c));
    expect(removed).toBeGreaterThanOrEqual(1);
    const keys = await t.kernel.db.query<{ key: string }>('SELECT key FROM auth.throttle');
    expect(keys.map((k) => k.key)).toContain('test:fresh');
    expect(keys.map((k) => k.key)).not.toContain('test:old');
  });
});

describe('the throttle step (pure)', () => {
  it('never locks before the threshold, always at it, and lockouts never shrink', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 * 3600 }), { minLength: 1, maxLength: 40 }),
        (gaps) => {
          let now = Date.parse('2026-11-23T08:00:00Z');
          let row: ReturnType<typeof nextThrottleState> | undefined;
          let lastLock = 0;
          for (const gap of gaps) {
            now += gap * 1000;
            const wasLocked = row?.lockedUntil ? row.lockedUntil.getTime() > now : false;
            const before = row;
            row = nextThrottleState(row, new Date(now));
            expect(row.failures).toBeLessThan(DEFAULT_THROTTLE.threshold);
            if (row.lockedNow) {
              expect(wasLocked).toBe(false);
              const length = (row.lockedUntil as Date).getTime() - now;
              if (before && before.lockouts > 0 && row.lockouts > 1)
                expect(length).toBeGreaterThanOrEqual(lastLock);
              lastLock = length;
            }
            if (wasLocked) expect(row.lockedUntil).toEqual(before?.lockedUntil);
          }
        },
      ),
    );
  });
});

describe('address buckets', () => {
  it('groups IPv6 by /64 and unwraps IPv4-mapped addresses', () => {
    expect(ipBucket('192.0.2.7')).toBe('192.0.2.7');
    expect(ipBucket('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(ipBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipBucket('[fe80::1%eth0]')).toBe('fe80:0:0:0::/64');
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
    expect(throttleKeys.ip('2001:db8:1:2::5')).toBe(throttleKeys.ip('2001:db8:1:2:9::9'));
  });
});
