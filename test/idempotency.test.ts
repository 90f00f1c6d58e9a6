import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestApp, type TestApp } from './support/kernel.js';

let t: TestApp;
let headers: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp();
  headers = await t.as(actors.staff(['administrator']));
});
afterAll(() => t.close());

const notice = (title: string) => ({ title: { en: title, st: title }, body: { en: 'Body', st: 'Litaba' } });

async function countTitled(title: string): Promise<number> {
  const [row] = await t.kernel.db.query<{ n: string }>(
    'SELECT count(*) AS n FROM messaging.announcements WHERE title_en = $1',
    [title],
  );
  return Number(row?.n);
}

const post = (key: string, payload: unknown, extra: Record<string, string> = headers) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/announcements',
    headers: { ...extra, 'idempotency-key': key },
    payload: payload as object,
  });

describe('Idempotency-Key', () => {
  it('50 concurrent retries of one POST create exactly one row and all get the same answer', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => post('retry-50', notice('Fifty'))));
    expect(await countTitled('Fifty')).toBe(1);
    const statuses = new Set(responses.map((r) => r.statusCode));
    expect([...statuses]).toEqual([201]);
    const ids = new Set(responses.map((r) => r.json().id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    const audit = await t.kernel.db.query(`SELECT 1 FROM audit.entries WHERE subject->>'id' = $1`, [
      [...ids][0],
    ]);
    expect(audit).toHaveLength(1);
  });

  it('a later retry gets the stored response', async () => {
    const first = await post('later', notice('Later'));
    const again = await post('later', notice('Later'));
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.json()).toEqual(first.json());
    expect(await countTitled('Later')).toBe(1);
  });

  it('the same key with a different body gets 422 and changes nothing', async () => {
    await post('changed', notice('Original'));
    const response = await post('changed', notice('Different'));
    expect(response.statusCode).toBe(422);
    expect(response.json().type).toBe('https://mmuso.gov.ls/problems/idempotency-mismatch');
    expect(await countTitled('Different')).toBe(0);
  });

  it('keys belong to the caller: another actor with the same key makes its own change', async () => {
    await post('shared-key', notice('Shared'));
    const other = await post(
      'shared-key',
      notice('Shared'),
      await t.as(actors.staff(['supervisor'], 'staff-2')),
    );
    expect(other.statusCode).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(await countTitled('Shared')).toBe(2);
  });

  it('a request refused by validation keeps no key, so a corrected retry runs', async () => {
    const bad = await post('fix-me', { title: notice('x').title });
    expect(bad.statusCode).toBe(400);
    const fixed = await post('fix-me', notice('Fixed'));
    expect(fixed.statusCode).toBe(201);
  });

  it('keys expire after 24 hours', async () => {
    await post('old', notice('Old'));
    await t.kernel.db.query(
      `UPDATE core.idempotency SET expires_at = now() - interval '1 second' WHERE key = 'old'`,
    );
    const again = await post('old', notice('Old'));
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await countTitled('Old')).toBe(2);
  });

  it('a malformed key is refused', async () => {
    const response = await post('has spaces and ünïcode', notice('Bad key'));
    expect(response.statusCode).toBe(400);
    expect(await countTitled('Bad key')).toBe(0);
  });
});
