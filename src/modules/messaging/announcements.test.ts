import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestApp, type TestApp } from '../../../test/support/kernel.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const notice = {
  title: { en: 'Maseru centre closed', st: 'Setsi sa Maseru se koetsoe' },
  body: { en: 'Closed on Friday for maintenance.', st: 'Se koetsoe ka Labohlano.' },
  district: 'A',
};

async function count(): Promise<number> {
  const [row] = await t.kernel.db.query<{ n: string }>('SELECT count(*) AS n FROM messaging.announcements');
  return Number(row?.n);
}

describe('service notices', () => {
  it('a supervisor publishes a notice that the public then sees, with an audit entry and an event', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/announcements',
      headers: await t.as(actors.staff(['supervisor'])),
      payload: notice,
    });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(response.headers.location).toBe(`/api/v1/announcements/${created.id}`);
    expect(created.title.st).toBe('Setsi sa Maseru se koetsoe');

    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/announcements?district=A' });
    expect(listed.json().items.map((i: { id: string }) => i.id)).toContain(created.id);
    const elsewhere = await t.app.inject({ method: 'GET', url: '/api/v1/announcements?district=J' });
    expect(elsewhere.json().items.map((i: { id: string }) => i.id)).not.toContain(created.id);

    const audit = await t.kernel.db.query<{ action: string; actor: { id: string } }>(
      `SELECT action, actor FROM audit.entries WHERE subject->>'id' = $1`,
      [created.id],
    );
    expect(audit).toEqual([
      { action: 'messaging.announcement.published', actor: expect.objectContaining({ id: 'staff-1' }) },
    ]);
    const events = await t.kernel.db.query<{ topic: string }>(
      `SELECT topic FROM core.outbox WHERE payload->>'id' = $1`,
      [created.id],
    );
    expect(events).toEqual([{ topic: 'messaging.announcement.published' }]);
  });

  it('refuses an end before the start with 422 naming the field, and stores nothing', async () => {
    const before = await count();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/announcements',
      headers: await t.as(actors.staff(['administrator'])),
      payload: { ...notice, startsAt: '2026-12-01T08:00:00Z', endsAt: '2026-11-30T08:00:00Z' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors).toEqual([expect.objectContaining({ pointer: '/endsAt' })]);
    expect(await count()).toBe(before);
  });

  it('a withdrawn notice is no longer shown, and cannot be withdrawn twice', async () => {
    const headers = await t.as(actors.staff(['administrator']));
    const created = (
      await t.app.inject({ method: 'POST', url: '/api/v1/announcements', headers, payload: notice })
    ).json();
    const withdraw = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/announcements/${created.id}/withdraw`,
        headers,
        payload: { reason: 'Centre reopened early' },
      });
    expect((await withdraw()).statusCode).toBe(200);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/announcements' });
    expect(listed.json().items.map((i: { id: string }) => i.id)).not.toContain(created.id);
    const again = await withdraw();
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe('https://mmuso.gov.ls/problems/conflict');
  });

  it('a cashier may not publish notices', async () => {
    const before = await count();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/announcements',
      headers: await t.as(actors.staff(['cashier'])),
      payload: notice,
    });
    expect(response.statusCode).toBe(403);
    expect(await count()).toBe(before);
  });
});
