import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/core/actors/index.js';
import { change } from '../src/core/kernel/index.js';
import { linkAccountToPerson, signUp } from '../src/modules/auth/index.js';
import { messagingChannels } from '../src/modules/messaging/index.js';
import type { SmsSimulator } from '../src/modules/messaging/sms/index.js';
import { findRecord } from '../src/modules/registries/index.js';
import { CONSENT_PURPOSE } from '../src/modules/services/consent.js';
import { actors, createTestApp, type TestApp } from './support/kernel.js';

/**
 * Assisted service at a rural service centre: the agent finds the citizen in the register, the
 * citizen consents with a code sent to their registered phone (or a signed paper form), the agent
 * applies for them, and the application is the citizen's own from then on.
 */
let t: TestApp;
let personId: string;
let citizen: Actor;
const phone = '+26658123456';
const agent = actors.staff(['centre_agent'], 'agent-mokhotlong', 'mokhotlong-centre');
const otherAgent = actors.staff(['centre_agent'], 'agent-quthing', 'quthing-centre');
const registrar = actors.staff(['registrar'], 'registrar-1');
const address = { address: { district: 'J', village: 'Mapholaneng' }, since: '2026-09-01' };
// The smallest PDF file-type recognises, and the PNG signature.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

beforeAll(async () => {
  t = await createTestApp();
  const born = await t.app.inject({
    method: 'POST',
    url: '/api/v1/identity/births',
    headers: await t.as(actors.staff(['registrar'], 'registrar-9')),
    payload: {
      person: {
        givenNames: 'Lineo',
        surname: 'Makara',
        sex: 'F',
        dateOfBirth: '1961-05-02',
        placeOfBirth: { district: 'J', village: 'Mapholaneng' },
        phones: ['58123456'],
      },
    },
  });
  personId = born.json().person.id;
  const account = await change(t.kernel, { actor: actors.citizen() }, async (c) => {
    const made = await signUp(c, { login: 'lineo@example.ls', password: 'not used here' }, 'x');
    await linkAccountToPerson(c, made.id, personId, 'test');
    return made;
  });
  citizen = actors.citizen(account.id);
});
afterAll(() => t.close());

async function call(actor: Actor, method: 'GET' | 'POST', url: string, payload?: object) {
  return t.app.inject({ method, url, headers: await t.as(actor), ...(payload ? { payload } : {}) });
}

async function upload(actor: Actor, url: string, content: Buffer, name: string) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: {
      ...(await t.as(actor)),
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${name}"`,
    },
    payload: content,
  });
}

const sms = () => messagingChannels(t.kernel).sms as SmsSimulator;

describe('consent by a one-time code to the registered phone', () => {
  let consentId: string;
  let reference: string;

  it('sends a code to the phone in the civil register, and audits the read with its purpose', async () => {
    const response = await call(agent, 'POST', '/api/v1/assisted/consents', { personId });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      personId,
      method: 'sms-code',
      given: false,
      sentTo: '+266 •••• ••56',
    });
    consentId = response.json().id;
    expect(sms().lastTo(phone)?.text).toMatch(
      /^Mmuso: \d{6} lets the agent at mokhotlong-centre apply for you/,
    );
    const reads = await t.kernel.db.query<{ purpose: string }>(
      `SELECT purpose FROM audit.entries WHERE action = 'identity.person.read' AND subject->>'id' = $1`,
      [personId],
    );
    expect(reads.map((r) => r.purpose)).toEqual([CONSENT_PURPOSE]);
  });

  it('counts a wrong code and accepts the right one', async () => {
    const code = /\d{6}/.exec(sms().lastTo(phone)?.text ?? '')?.[0] as string;
    const wrong = await call(agent, 'POST', `/api/v1/assisted/consents/${consentId}/confirmation`, {
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0]).toMatchObject({
      pointer: '/code',
      detail: 'The code is not right: 4 tries left',
    });
    const notTheirs = await call(otherAgent, 'POST', `/api/v1/assisted/consents/${consentId}/confirmation`, {
      code,
    });
    expect(notTheirs.statusCode).toBe(404);
    const right = await call(agent, 'POST', `/api/v1/assisted/consents/${consentId}/confirmation`, { code });
    expect(right.statusCode).toBe(200);
    expect(right.json().given).toBe(true);
  });

  it('lets the agent apply on the citizen’s behalf, marked as submitted by the agent for them', async () => {
    const response = await call(agent, 'POST', '/api/v1/services/change-of-address/applications', {
      form: address,
      consentId,
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    reference = body.reference;
    expect(body).toMatchObject({
      applicantKind: 'agent',
      submittedBy: { agentId: 'agent-mokhotlong', centre: 'mokhotlong-centre' },
      applicant: { personId, accountId: null },
    });
    const again = await call(agent, 'POST', '/api/v1/services/change-of-address/applications', {
      form: address,
      consentId,
    });
    expect(again.statusCode).toBe(422);
    expect(again.json().errors[0].pointer).toBe('/consentId');
  });

  it('appears in the citizen’s own account, and the citizen is notified', async () => {
    const mine = await call(citizen, 'GET', '/api/v1/applications');
    expect(mine.json().items.map((a: { reference: string }) => a.reference)).toEqual([reference]);
    const opened = await call(citizen, 'GET', `/api/v1/applications/${reference}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.json().actions.map((a: { id: string }) => a.id)).toEqual(['withdraw']);
    const notices = await call(citizen, 'GET', '/api/v1/me/notices');
    expect(notices.statusCode).toBe(200);
    expect(JSON.stringify(notices.json())).toContain(reference);
    expect(sms().lastTo(phone)?.text).toContain(reference);
  });

  it('is seen by the agent’s own centre only', async () => {
    const own = await call(agent, 'GET', '/api/v1/applications');
    expect(own.json().items.map((a: { reference: string }) => a.reference)).toEqual([reference]);
    expect((await call(otherAgent, 'GET', '/api/v1/applications')).json().items).toEqual([]);
    expect((await call(otherAgent, 'GET', `/api/v1/applications/${reference}`)).statusCode).toBe(404);
    expect(
      (await call(otherAgent, 'POST', `/api/v1/applications/${reference}/actions/withdraw`, {})).statusCode,
    ).toBe(404);
  });

  it('is worked by the registrars and tells the citizen each step', async () => {
    await call(registrar, 'POST', `/api/v1/applications/${reference}/actions/verify`, {});
    const done = await call(
      actors.staff(['supervisor'], 'supervisor-1'),
      'POST',
      `/api/v1/applications/${reference}/actions/approve`,
      {},
    );
    expect(done.json().state.id).toBe('recorded');
    const sent = await t.kernel.db.query<{ template: string; state: string }>(
      `SELECT template, params->>'state' AS state FROM messaging.notifications WHERE about_id = $1 ORDER BY id`,
      [reference],
    );
    expect(sent).toEqual([
      { template: 'services.submitted-for-you', state: 'Submitted' },
      { template: 'services.moved', state: 'Verified' },
      { template: 'services.moved', state: 'Recorded' },
    ]);
    const [output] = await t.kernel.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM core.outbox WHERE topic = 'services.output.registry-record-requested'`,
    );
    expect(output?.payload).toMatchObject({
      registry: 'residential-addresses',
      personId,
      fields: { district: 'J', village: 'Mapholaneng', since: '2026-09-01' },
    });
    // The registries module carries the output out once the outbox delivers it.
    while ((await t.kernel.events.dispatchOnce()) > 0);
    const record = await findRecord(t.kernel.db.orm, 'residential-addresses', { reference });
    expect(record?.data).toMatchObject({ reference, personId, district: 'J', village: 'Mapholaneng' });
  });
});

describe('consent on signed paper, and uploads checked by content', () => {
  it('refuses a file whose name lies about its content, storing nothing', async () => {
    const forged = await upload(
      agent,
      `/api/v1/assisted/persons/${personId}/paper-consents`,
      PNG,
      'consent.pdf',
    );
    expect(forged.statusCode).toBe(415);
    const [count] = await t.kernel.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM services.consents WHERE method = 'paper'`,
    );
    expect(Number(count?.n)).toBe(0);
  });

  it('records a scanned signed form as a given consent the agent can apply with', async () => {
    const paper = await upload(
      agent,
      `/api/v1/assisted/persons/${personId}/paper-consents`,
      PDF,
      'consent.pdf',
    );
    expect(paper.statusCode).toBe(201);
    expect(paper.json()).toMatchObject({ method: 'paper', given: true, sentTo: null });
    const applied = await call(agent, 'POST', '/api/v1/services/change-of-address/applications', {
      form: address,
      consentId: paper.json().id,
    });
    expect(applied.statusCode).toBe(201);
  });

  it('takes a file for an application’s upload slot only when its content is an accepted type', async () => {
    const substantial = { ...citizen, acr: 'urn:mmuso:loa:substantial' };
    const applied = await call(substantial, 'POST', '/api/v1/services/birth-certificate-copy/applications', {
      form: {
        subject: { givenNames: 'Lineo', surname: 'Makara', dateOfBirth: '1961-05-02', district: 'J' },
        relationship: 'self',
        copies: 1,
      },
    });
    const { reference } = applied.json();
    const url = `/api/v1/applications/${reference}/uploads/proof-of-relationship`;
    expect((await upload(citizen, url, PNG, 'letter.pdf')).statusCode).toBe(415);
    const accepted = await upload(citizen, url, PDF, 'letter.pdf');
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toMatchObject({ id: 'proof-of-relationship', type: 'application/pdf' });
    const opened = await call(citizen, 'GET', `/api/v1/applications/${reference}`);
    expect(opened.json().uploads.map((u: { name: string }) => u.name)).toEqual(['letter.pdf']);
    expect(
      (await upload(citizen, `/api/v1/applications/${reference}/uploads/no-such-slot`, PDF, 'a.pdf'))
        .statusCode,
    ).toBe(404);
  });
});
