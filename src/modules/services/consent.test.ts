import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import { change } from '../../core/kernel/index.js';
import { type FactorKeys, loadFactorKeys } from '../auth/factors/index.js';
import { identitySettings, registerPerson } from '../identity/index.js';
import { CONSENT_CODE, confirmConsentCode, recordPaperConsent, requestConsentCode } from './consent.js';
import { refusal } from './test-support.js';

let t: TestKernel;
let keys: FactorKeys;
let withPhone: string;
let withoutPhone: string;
const agent = actors.staff(['centre_agent'], 'agent-1', 'thaba-tseka-centre');

beforeAll(async () => {
  t = await createTestKernel();
  keys = loadFactorKeys(t.dataDir);
  const settings = identitySettings(t.kernel.config);
  const person = (givenNames: string, phones: string[]) => ({
    givenNames,
    surname: 'Letsie',
    sex: 'M',
    dateOfBirth: '1950-01-01',
    placeOfBirth: { district: 'K' },
    phones,
  });
  const registrar = actors.staff(['registrar']);
  withPhone = (
    await change(t.kernel, { actor: registrar }, (c) =>
      registerPerson(c, settings, person('Teboho', ['62123456'])),
    )
  ).person.id;
  withoutPhone = (
    await change(t.kernel, { actor: registrar }, (c) => registerPerson(c, settings, person('Tumelo', [])))
  ).person.id;
});
afterAll(() => t.close());

const request = (personId: string) =>
  change(t.kernel, { actor: agent }, (c) => requestConsentCode(c, keys, personId, 'st'));
const confirm = (id: string, code: string) =>
  change(t.kernel, { actor: agent }, (c) => confirmConsentCode(c, keys, id, code));

describe('consent by code', () => {
  it('sends the code in the agent’s language and keeps only its HMAC', async () => {
    const { consent, sms } = await request(withPhone);
    expect(sms.to).toBe('+26662123456');
    expect(sms.text).toMatch(/^Mmuso: \d{6} e lumella moemeli oa thaba-tseka-centre/);
    const code = /\d{6}/.exec(sms.text)?.[0] as string;
    const [row] = await t.kernel.db.query<{ code_hash: string }>(
      'SELECT code_hash FROM services.consents WHERE id = $1',
      [consent.id],
    );
    expect(row?.code_hash).not.toContain(code);
  });

  it('allows five tries, then the code is dead even when right', async () => {
    const { consent, sms } = await request(withPhone);
    const code = /\d{6}/.exec(sms.text)?.[0] as string;
    const wrong = code === '000000' ? '999999' : '000000';
    for (let left = CONSENT_CODE.maxAttempts - 1; left >= 0; left -= 1) {
      expect(await confirm(consent.id, wrong)).toEqual({ ok: false, reason: 'wrong', attemptsLeft: left });
    }
    expect(await confirm(consent.id, code)).toEqual({ ok: false, reason: 'expired' });
  });

  it('expires after ten minutes', async () => {
    const { consent, sms } = await request(withPhone);
    t.clock.advance(CONSENT_CODE.ttlSeconds * 1000);
    expect(await confirm(consent.id, /\d{6}/.exec(sms.text)?.[0] as string)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('is given once with the right code', async () => {
    const { consent, sms } = await request(withPhone);
    const code = /\d{6}/.exec(sms.text)?.[0] as string;
    expect(await confirm(consent.id, ` ${code.slice(0, 3)} ${code.slice(3)} `)).toMatchObject({ ok: true });
    expect(await confirm(consent.id, code)).toEqual({ ok: false, reason: 'expired' });
  });

  it('needs a phone in the register; without one the agent records a paper consent', async () => {
    const problem = await refusal(request(withoutPhone));
    expect(problem.options.errors?.map((e) => e.code)).toEqual(['no-phone']);
    const paper = await change(t.kernel, { actor: agent }, (c) =>
      recordPaperConsent(c, withoutPhone, 'a'.repeat(64)),
    );
    expect(paper).toMatchObject({ method: 'paper', given: true, personId: withoutPhone });
  });
});
