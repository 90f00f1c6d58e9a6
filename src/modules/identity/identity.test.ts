import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestApp, type TestApp } from '../../../test/support/kernel.js';
import { change } from '../../core/kernel/index.js';
import { type PersonRow, persons } from './schema.js';
import { sectorTokenFor } from './sector.js';
import { generateUin, verhoeffCheckDigit } from './uin/index.js';
import { personView } from './view.js';

let t: TestApp;
let registrar: Record<string, string>;
let secondRegistrar: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp();
  registrar = await t.as(actors.staff(['registrar'], 'registrar-1'));
  secondRegistrar = await t.as(actors.staff(['registrar'], 'registrar-2'));
});
afterAll(() => t.close());

const palesa = {
  givenNames: "Palesa Mots'elisi",
  surname: 'Mokoena',
  sex: 'F',
  dateOfBirth: '1994-03-21',
  placeOfBirth: { district: 'C', village: 'Hlotse' },
  mother: { name: "'Mathabo Mokoena" },
  phones: ['+266 5812 3456'],
  address: { district: 'A', village: 'Ha Thetsane' },
};

async function counts() {
  const [row] = await t.kernel.db.query<{ persons: string; versions: string; audit: string }>(
    `SELECT (SELECT count(*) FROM identity.persons) AS persons,
            (SELECT count(*) FROM identity.person_versions) AS versions,
            (SELECT count(*) FROM audit.entries) AS audit`,
  );
  return row;
}

const register = (person: object, headers = registrar) =>
  t.app.inject({ method: 'POST', url: '/api/v1/identity/births', headers, payload: { person } });

/** A well-formed UIN that no one holds, and one with its check digit off by one. */
function unknownUin() {
  return generateUin();
}
function mistypedUin(uin: string) {
  const body = uin.slice(0, -1);
  return body + String((Number(verhoeffCheckDigit(body)) + 1) % 10);
}

describe('birth registration', () => {
  let palesaUin: string;

  it('registers a new person with a UIN, a first version and an audit entry', async () => {
    const response = await register(palesa);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.outcome).toBe('registered');
    expect(body.person.uin).toMatch(/^[2-9]\d{9}$/);
    expect(body.person).toMatchObject({
      givenNames: "Palesa Mots'elisi",
      dateOfBirth: '1994-03-21',
      birthPrecision: 'day',
      phones: ['+26658123456'],
      version: 1,
      registerState: 'registered',
    });
    palesaUin = body.person.uin;
    const audit = await t.kernel.db.query(`SELECT 1 FROM audit.entries WHERE subject->>'id' = $1`, [
      body.person.id,
    ]);
    expect(audit).toHaveLength(1);
    // The answer, the stored row and the first version are the same record; the UIN is issued.
    const [stored] = await t.kernel.db.orm.select().from(persons).where(eq(persons.id, body.person.id));
    expect(personView(stored as PersonRow)).toEqual(body.person);
    const versions = await t.kernel.db.query<{ version: number; event: string; data: unknown }>(
      'SELECT version, event, data FROM identity.person_versions WHERE person_id = $1',
      [body.person.id],
    );
    expect(versions).toEqual([{ version: 1, event: 'registered', data: body.person }]);
    const issued = await t.kernel.db.query(
      `SELECT 1 FROM identity.issued_uins WHERE uin = $1 AND person_id = $2
       UNION ALL SELECT 1 FROM identity.uin_pool WHERE uin = $1`,
      [palesaUin, body.person.id],
    );
    expect(issued).toHaveLength(1);
  });

  it('holds a likely duplicate for a registrar, without a UIN, listing the candidate and why', async () => {
    const again = await register({ ...palesa, givenNames: 'Palesa Motselisi', dateOfBirth: '1995-03-21' });
    expect(again.statusCode).toBe(202);
    const body = again.json();
    expect(body.outcome).toBe('pending');
    expect(body.person.uin).toBeNull();
    expect(body.candidates[0].uin).toBe(palesaUin);
    expect(body.candidates[0].reasons.length).toBeGreaterThan(0);

    const queue = await t.app.inject({
      method: 'GET',
      url: '/api/v1/identity/adjudications',
      headers: registrar,
    });
    expect(queue.json().items.map((a: { id: string }) => a.id)).toContain(body.adjudicationId);

    const decided = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/adjudications/${body.adjudicationId}/decision`,
      headers: registrar,
      payload: {
        decision: 'same',
        personId: body.candidates[0].personId,
        reason: 'Same mother, same village',
      },
    });
    expect(decided.statusCode).toBe(200);
    expect(decided.json().person).toMatchObject({ registerState: 'duplicate', uin: null, version: 2 });

    const twice = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/adjudications/${body.adjudicationId}/decision`,
      headers: registrar,
      payload: { decision: 'different', reason: 'Changed my mind' },
    });
    expect(twice.statusCode).toBe(409);
  });

  it('issues a UIN when the registrar decides the candidate is someone else', async () => {
    const twin = await register({ ...palesa, givenNames: 'Palesa', phones: [] });
    expect(twin.statusCode).toBe(202);
    const { adjudicationId } = twin.json();
    const decided = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/adjudications/${adjudicationId}/decision`,
      headers: registrar,
      payload: { decision: 'different', reason: 'A cousin of the same name' },
    });
    expect(decided.statusCode).toBe(200);
    expect(decided.json().person.uin).toMatch(/^\d{10}$/);
    expect(decided.json().person.uin).not.toBe(palesaUin);
  });

  it('holds for a registrar anyone whose legacy ID number someone in the register already holds', async () => {
    const holder = await register({
      ...palesa,
      givenNames: 'Teboho',
      surname: 'Ntsekhe',
      legacyId: 'LS-88-1',
    });
    expect(holder.statusCode).toBe(201);
    // Nothing else alike: only the shared legacy number says these may be one person.
    const other = { ...palesa, givenNames: 'Rethabile', surname: 'Moletsane', dateOfBirth: '1971-01-09' };
    const response = await register({ ...other, placeOfBirth: { district: 'K' }, legacyId: 'LS-88-1' });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body.candidates).toHaveLength(1);
    expect(body.candidates[0]).toMatchObject({ personId: holder.json().person.id });
    expect(body.candidates[0].reasons[0]).toMatchObject({ field: 'legacyId', agreement: 'exact' });
    const unrelated = { ...other, givenNames: 'Nkhono', surname: 'Lebona', legacyId: 'LS-88-2' };
    expect((await register(unrelated)).statusCode).toBe(201);
  });

  it('links parents given by UIN and takes their names from the register', async () => {
    const child = await register({
      givenNames: 'Thabo',
      surname: 'Mokoena',
      sex: 'M',
      dateOfBirth: '2026-11-20',
      placeOfBirth: { district: 'A', village: 'Maseru' },
      mother: { uin: palesaUin },
    });
    expect(child.statusCode).toBe(201);
    expect(child.json().person.mother).toMatchObject({ name: "Palesa Mots'elisi Mokoena" });
  });

  const refused: [string, object, string][] = [
    [
      'a birth date in the future',
      { dateOfBirth: `${new Date().getUTCFullYear() + 1}-01-01` },
      '/dateOfBirth',
    ],
    ['31 February', { dateOfBirth: '2001-02-31' }, '/dateOfBirth'],
    ['an unknown district', { placeOfBirth: { district: 'Z' } }, '/placeOfBirth/district'],
    ['an invalid phone', { phones: ['5812345'] }, '/phones/0'],
    ['a parent UIN with a typing error', { father: { uin: 'MISTYPED' } }, '/father/uin'],
    ['a parent UIN no one holds', { father: { uin: 'UNKNOWN' } }, '/father/uin'],
    ['sex neither F nor M', { sex: 'X' }, '/sex'],
    ['a name with digits', { surname: 'Mokoena2' }, '/surname'],
  ];
  for (const [name, override, pointer] of refused) {
    it(`refuses ${name} with 422 naming ${pointer}, storing nothing`, async () => {
      const unknown = unknownUin();
      const input = JSON.parse(
        JSON.stringify({ ...palesa, ...override })
          .replace('"MISTYPED"', JSON.stringify(mistypedUin(palesaUin)))
          .replace('"UNKNOWN"', JSON.stringify(unknown)),
      );
      const before = await counts();
      const response = await register(input);
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      expect(await counts()).toEqual(before);
    });
  }

  it('says a mistyped UIN is a typing error, not "not found", in Sesotho too', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/births?lang=st',
      headers: registrar,
      payload: { person: { ...palesa, father: { uin: mistypedUin(palesaUin) } } },
    });
    const error = response.json().errors[0];
    expect(error.code).toBe('uin-check-digit');
    expect(error.detail).toBe('Nomoro ena ea boitsebiso e na le phoso ea ho ngola: hlahloba nomoro ka ’ngoe');
  });
});

describe('death registration', () => {
  it('marks the person deceased, keeps the history, and emits the event', async () => {
    const born = (
      await register({ ...palesa, givenNames: 'Lineo', surname: 'Letsie', dateOfBirth: '1950' })
    ).json();
    const uin = born.person.uin;
    const died = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/deaths',
      headers: registrar,
      payload: { uin, dateOfDeath: '2026-11-01' },
    });
    expect(died.statusCode).toBe(200);
    expect(died.json()).toMatchObject({ vitalStatus: 'deceased', dateOfDeath: '2026-11-01', version: 2 });
    const events = await t.kernel.db.query(
      `SELECT 1 FROM core.outbox WHERE topic = 'identity.person.died' AND payload->>'personId' = $1`,
      [born.person.id],
    );
    expect(events).toHaveLength(1);

    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/deaths',
      headers: registrar,
      payload: { uin, dateOfDeath: '2026-11-02' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('refuses a death before the birth, or in the future, changing nothing', async () => {
    const born = (
      await register({ ...palesa, givenNames: 'Retšepile', surname: 'Mahao', dateOfBirth: '1980-06' })
    ).json();
    for (const dateOfDeath of ['1980-05-31', `${new Date().getUTCFullYear() + 1}-01-01`]) {
      const before = await counts();
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/deaths',
        headers: registrar,
        payload: { uin: born.person.uin, dateOfDeath },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().errors[0].pointer).toBe('/dateOfDeath');
      expect(await counts()).toEqual(before);
    }
  });

  it('refuses the death of a person whose registration waits for adjudication, or of a linked duplicate', async () => {
    const first = { ...palesa, givenNames: 'Mpho Lerato', surname: 'Sekhonyana', dateOfBirth: '1961-07-04' };
    expect((await register(first)).statusCode).toBe(201);
    const pending = (
      await register({ ...first, givenNames: 'Mpho Lerato', dateOfBirth: '1962-07-04' })
    ).json();
    expect(pending.outcome).toBe('pending');
    const death = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/api/v1/identity/deaths', headers: registrar, payload });

    const before = await counts();
    const waiting = await death({ personId: pending.person.id, dateOfDeath: '2026-10-01' });
    expect(waiting.statusCode).toBe(422);
    expect(waiting.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(waiting.json().errors).toEqual([
      expect.objectContaining({ pointer: '/personId', code: 'person-pending' }),
    ]);
    const neither = await death({ dateOfDeath: '2026-10-01' });
    expect(neither.json().errors).toEqual([
      expect.objectContaining({ pointer: '/uin', code: 'uin-or-person' }),
    ]);
    expect(await counts()).toEqual(before);

    await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/adjudications/${pending.adjudicationId}/decision`,
      headers: registrar,
      payload: { decision: 'same', personId: pending.candidates[0].personId, reason: 'Same parents' },
    });
    const linked = await death({ personId: pending.person.id, dateOfDeath: '2026-10-01' });
    expect(linked.json().errors).toEqual([
      expect.objectContaining({ pointer: '/personId', code: 'person-duplicate' }),
    ]);
    // The person they were linked to is the one whose death is recorded.
    const original = await death({ personId: pending.candidates[0].personId, dateOfDeath: '2026-10-01' });
    expect(original.statusCode).toBe(200);
    expect(original.json()).toMatchObject({ vitalStatus: 'deceased', dateOfDeath: '2026-10-01' });
  });

  it('refuses a mistyped UIN as a typing error', async () => {
    const born = (
      await register({ ...palesa, givenNames: 'Karabo', surname: 'Molapo', dateOfBirth: '1970' })
    ).json();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/deaths',
      headers: registrar,
      payload: { uin: mistypedUin(born.person.uin), dateOfDeath: '2026-01-01' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0]).toMatchObject({ pointer: '/uin', code: 'uin-check-digit' });
  });
});

describe('amendments (maker-checker)', () => {
  it('the proposer cannot approve; a second registrar can, and the history keeps both versions', async () => {
    const born = (
      await register({ ...palesa, givenNames: 'Teboho', surname: 'Ramoreboli', dateOfBirth: '1988-08-08' })
    ).json();
    const proposed = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/persons/${born.person.id}/amendments`,
      headers: registrar,
      payload: {
        kind: 'correction',
        changes: { dateOfBirth: '1988-08-18' },
        reason: 'Clerical error on the 1988 form',
      },
    });
    expect(proposed.statusCode).toBe(201);
    const id = proposed.json().id;

    const own = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/amendments/${id}/approve`,
      headers: registrar,
      payload: {},
    });
    expect(own.statusCode).toBe(403);
    expect(own.json().type).toBe('https://mmuso.gov.ls/problems/maker-checker');

    const approved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/amendments/${id}/approve`,
      headers: secondRegistrar,
      payload: { reason: 'Checked against the clinic record' },
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().person).toMatchObject({ dateOfBirth: '1988-08-18', version: 2 });

    const history = await t.app.inject({
      method: 'GET',
      url: `/api/v1/identity/persons/${born.person.id}/history?purpose=check correction`,
      headers: registrar,
    });
    const items = history.json().items;
    expect(items.map((v: { version: number; event: string }) => [v.version, v.event])).toEqual([
      [1, 'registered'],
      [2, 'corrected'],
    ]);
    expect(items[0].data.dateOfBirth).toBe('1988-08-08');
    expect(items[1].changedBy).toMatchObject({ id: 'registrar-2' });
  });

  it('a proposed change that breaks a rule is refused naming the field', async () => {
    const born = (
      await register({ ...palesa, givenNames: 'Bokang', surname: 'Nthako', dateOfBirth: '1999' })
    ).json();
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/persons/${born.person.id}/amendments`,
      headers: registrar,
      payload: { kind: 'correction', changes: { placeOfBirth: { district: 'Q' } }, reason: 'Moved' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0].pointer).toBe('/changes/placeOfBirth/district');
  });
});

describe('reads, verification and sector tokens', () => {
  let person: { id: string; uin: string };
  beforeAll(async () => {
    person = (
      await register({ ...palesa, givenNames: 'Nthabiseng', surname: 'Tšoeu', dateOfBirth: '1991-12-01' })
    ).json().person;
  });

  it('every read of a record is audited with who and why', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/identity/persons/${person.id}?purpose=Passport application PP-2026-X`,
      headers: await t.as(actors.staff(['passport_officer'], 'officer-7')),
    });
    expect(response.statusCode).toBe(200);
    const [entry] = await t.kernel.db.query<{ purpose: string; actor: { id: string } }>(
      `SELECT purpose, actor FROM audit.entries WHERE action = 'identity.person.read' AND subject->>'id' = $1`,
      [person.id],
    );
    expect(entry).toMatchObject({ purpose: 'Passport application PP-2026-X', actor: { id: 'officer-7' } });
  });

  it('a read without a stated purpose is refused', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/identity/persons/${person.id}`,
      headers: registrar,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].pointer).toBe('/purpose');
  });

  it('finds people by name despite spelling variants', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/identity/persons?surname=Tsoeu&purpose=Counter enquiry',
      headers: registrar,
    });
    expect(response.json().items.map((p: { id: string }) => p.id)).toContain(person.id);
  });

  it('verifies claims yes or no, tolerant of apostrophes and diacritics, never returning the record', async () => {
    const bank = await t.as(actors.system(['identity:verify'], 'bank-client'));
    const verify = (claims: object) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/verifications',
        headers: bank,
        payload: { uin: person.uin, purpose: 'Account opening', ...claims },
      });
    const yes = await verify({ surname: 'Tsoeu', dateOfBirth: '1991-12-01' });
    expect(yes.json()).toEqual({ match: true });
    const no = await verify({ surname: 'Tsoeu', dateOfBirth: '1991-12-02' });
    expect(no.json()).toEqual({ match: false });
  });

  it('a citizen cannot read any person record, by any route, nor search, verify or resolve', async () => {
    const citizen = await t.as(actors.citizen());
    const token = await change(t.kernel, { actor: actors.staff(['registrar']) }, (c) =>
      sectorTokenFor(c, { dataDir: t.dataDir, version: 1 }, person.id, 'health'),
    );
    const reads = [
      ['GET', `/api/v1/identity/persons/${person.id}?purpose=curious`],
      ['GET', `/api/v1/identity/persons/by-uin/${person.uin}?purpose=curious`],
      ['GET', `/api/v1/identity/persons/${person.id}/history?purpose=curious`],
      ['GET', '/api/v1/identity/persons?surname=Tsoeu&purpose=curious'],
      ['GET', '/api/v1/identity/adjudications'],
      ['GET', `/api/v1/identity/sectors/health/tokens/${token}?purpose=curious`],
      ['POST', '/api/v1/identity/verifications', { uin: person.uin, surname: 'Tsoeu', purpose: 'curious' }],
    ] as const;
    const before = await counts();
    for (const [method, url, payload] of reads) {
      const response = await t.app.inject({ method, url, headers: citizen, ...(payload ? { payload } : {}) });
      expect(response.statusCode, url).toBe(403);
      // The problem names the path asked for, never a particular of the person.
      expect(response.body, url).not.toMatch(/Nthabiseng|Tšoeu|1991-12-01/);
    }
    // Refused before anything was read: no read was audited either.
    expect(await counts()).toEqual(before);
  });

  it('a health client resolves a health token; a transport client cannot', async () => {
    const token = await change(t.kernel, { actor: actors.staff(['registrar']) }, (c) =>
      sectorTokenFor(c, { dataDir: t.dataDir, version: 1 }, person.id, 'health'),
    );
    expect(token).not.toContain(person.uin);
    const resolve = async (scopes: string[], sector: string) =>
      t.app.inject({
        method: 'GET',
        url: `/api/v1/identity/sectors/${sector}/tokens/${token}?purpose=Clinic visit`,
        headers: await t.as(actors.system(scopes)),
      });
    const health = await resolve(['identity:resolve:health'], 'health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({
      givenNames: 'Nthabiseng',
      surname: 'Tšoeu',
      sex: 'F',
      dateOfBirth: '1991-12-01',
      vitalStatus: 'alive',
    });
    expect((await resolve(['identity:resolve:transport'], 'health')).statusCode).toBe(403);
    expect((await resolve(['identity:resolve:transport'], 'transport')).statusCode).toBe(404);

    const again = await change(t.kernel, { actor: actors.staff(['registrar']) }, (c) =>
      sectorTokenFor(c, { dataDir: t.dataDir, version: 1 }, person.id, 'health'),
    );
    const transport = await change(t.kernel, { actor: actors.staff(['registrar']) }, (c) =>
      sectorTokenFor(c, { dataDir: t.dataDir, version: 1 }, person.id, 'transport'),
    );
    expect(again).toBe(token);
    expect(transport).not.toBe(token);
  });
});
