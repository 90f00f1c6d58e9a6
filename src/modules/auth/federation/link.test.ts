import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestKernel, type TestKernel } from '../../../../test/support/kernel.js';
import { systemActor } from '../../../core/actors/index.js';
import { change } from '../../../core/kernel/index.js';
import { identitySettings, registerDeath, registerPerson } from '../../identity/index.js';
import { createStaffAccount, linkAccountToPerson, signUp } from '../accounts.js';
import { accountOfFederatedPerson, type FederatedIdentity, FederationRefused } from './link.js';

let t: TestKernel;
const issuer = 'https://esignet.example.ls';
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

const actor = { actor: systemActor('test') };
async function person(givenNames: string) {
  const { person } = await change(t.kernel, actor, (c) =>
    registerPerson(c, identitySettings(t.kernel.config), {
      givenNames,
      surname: 'Ramoholi',
      sex: 'M',
      dateOfBirth: '1984-07-30',
      placeOfBirth: { district: 'C', village: 'Ha Ramabanta' },
    }),
  );
  return person as { id: string; uin: string };
}
const signIn = (who: FederatedIdentity) => change(t.kernel, actor, (c) => accountOfFederatedPerson(c, who));
const refusal = (who: FederatedIdentity) =>
  signIn(who).then(
    () => 'signed in',
    (error: unknown) => (error instanceof FederationRefused ? error.reason : String(error)),
  );
const accountCount = async () =>
  Number((await t.kernel.db.query<{ n: string }>('SELECT count(*) AS n FROM auth.accounts'))[0]?.n);

describe('accountOfFederatedPerson', () => {
  it('makes one passwordless account linked to the person, and finds it again', async () => {
    const p = await person('Tumelo');
    const first = await signIn({ issuer, subject: 'psut-1', uin: p.uin });
    expect(first).toMatchObject({
      personId: p.id,
      loginKind: 'federated',
      passwordHash: null,
      kind: 'citizen',
    });
    // Another sub at the provider (a new client registration there): still the person's one account.
    const again = await signIn({ issuer, subject: 'psut-2', uin: p.uin });
    expect(again.id).toBe(first.id);
    const audit = await t.kernel.db.query<{ action: string }>(
      `SELECT action FROM audit.entries WHERE subject->>'id' = $1 ORDER BY seq`,
      [first.id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'auth.account.created',
      'auth.account.linked',
      'auth.account.federated-sign-in',
      'auth.account.federated-sign-in',
    ]);
  });

  it('links the person’s own password account when both sides proved the same login; never an unproven one', async () => {
    const p = await person('Palesa');
    const proven = await change(t.kernel, actor, (c) =>
      signUp(c, { login: '+26658440011', password: 'Thaba-Bosiu-Hill-31', loginProven: true }),
    );
    const unproven = await change(t.kernel, actor, (c) =>
      signUp(c, { login: '+26658440022', password: 'Thaba-Bosiu-Hill-32' }),
    );
    const before = await accountCount();
    // The provider verified a number nobody proved here: a new account, the typed one left alone.
    const q = await person('Nthabiseng');
    const other = await signIn({ issuer, subject: 'nth', uin: q.uin, verifiedLogins: ['+26658440022'] });
    expect(other.id).not.toBe(unproven.id);
    expect(other.loginKind).toBe('federated');
    expect(await accountCount()).toBe(before + 1);
    // The same proven number on both sides: that account is the person's, no second one made.
    const linked = await signIn({ issuer, subject: 'pal', uin: p.uin, verifiedLogins: ['+26658440011'] });
    expect(linked).toMatchObject({ id: proven.id, personId: p.id, loginKind: 'phone' });
    expect(await accountCount()).toBe(before + 1);
    const [link] = await t.kernel.db.query<{ method: string; evidence: Record<string, unknown> }>(
      'SELECT method, evidence FROM auth.uin_links WHERE account_id = $1',
      [proven.id],
    );
    expect(link).toMatchObject({ method: 'asserted', evidence: { issuer, provenLogin: true } });
    // A login already linked to someone else is not taken over for another person.
    const r = await person('Rethabile');
    const third = await signIn({ issuer, subject: 'ret', uin: r.uin, verifiedLogins: ['+26658440011'] });
    expect(third.id).not.toBe(proven.id);
  });

  it('refuses without a UIN, with an unknown or mistyped one, and for a deceased person', async () => {
    const before = await accountCount();
    expect(await refusal({ issuer, subject: 's', uin: undefined })).toBe('no-uin');
    expect(await refusal({ issuer, subject: 's', uin: '0000000000' })).toBe('uin-unknown');
    expect(await refusal({ issuer, subject: 's', uin: 'not a uin' })).toBe('uin-unknown');
    const dead = await person('Motlatsi');
    await change(t.kernel, { actor: actors.staff(['registrar']) }, (c) =>
      registerDeath(c, { uin: dead.uin, dateOfDeath: '2026-10-01' }, 'reported by the family (test)'),
    );
    expect(await refusal({ issuer, subject: 's', uin: dead.uin })).toBe('person-not-registered');
    expect(await accountCount()).toBe(before);
  });

  it('never signs in to a staff account, nor to a disabled one', async () => {
    const officer = await person('Refiloe');
    await change(t.kernel, actor, async (c) => {
      const staff = await createStaffAccount(c, {
        login: 'refiloe@home-affairs.gov.ls',
        password: 'Registrar-Desk-Leribe-4',
        roles: ['registrar'],
        ministry: 'home-affairs',
        office: 'leribe',
      });
      await linkAccountToPerson(c, staff.id, officer.id, 'checked in person (test)');
    });
    expect(await refusal({ issuer, subject: 's', uin: officer.uin })).toBe('staff-account');
    const disabled = await person('Lerato');
    const account = await signIn({ issuer, subject: 'lerato', uin: disabled.uin });
    await t.kernel.db.query(`UPDATE auth.accounts SET status = 'disabled' WHERE id = $1`, [account.id]);
    expect(await refusal({ issuer, subject: 'lerato', uin: disabled.uin })).toBe('account-disabled');
  });
});
