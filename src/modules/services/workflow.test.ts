import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STAFF_ROLES } from '../../core/actors/index.js';
import { loadCatalogue } from './catalogue.js';
import type { ServiceDefinition } from './definition.js';
import { SHIPPED_CATALOGUE } from './settings.js';
import {
  allowedActions,
  automaticAction,
  type Done,
  isFinal,
  rolesActingIn,
  step,
  type Taker,
} from './workflow.js';

const definitions = loadCatalogue(SHIPPED_CATALOGUE).services;

const taker: fc.Arbitrary<Taker> = fc.oneof(
  fc.record({ kind: fc.constant('applicant' as const), id: fc.constantFrom('a-1', 'a-2') }),
  fc.record({ kind: fc.constant('system' as const), id: fc.constant('mmuso:workflow') }),
  fc.record({
    kind: fc.constant('staff' as const),
    id: fc.constantFrom('s-1', 's-2', 's-3'),
    roles: fc.subarray([...STAFF_ROLES], { minLength: 1, maxLength: 3 }),
    forApplicant: fc.boolean(),
  }),
);

/** Random attempts: mostly the definition's own actions, some it has never heard of. */
const attempts = (d: ServiceDefinition) =>
  fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...Object.keys(d.workflow.actions)), fc.string({ maxLength: 8 })),
      taker,
    ),
    { maxLength: 40 },
  );

/** Runs attempts through the machine as the engine does, automatic actions included. */
function run(d: ServiceDefinition, tries: [string, Taker][]) {
  let state = d.workflow.initial;
  const done: Done[] = [];
  const visited = [state];
  const moves: [string, string, string][] = [];
  for (const [action, who] of tries) {
    const result = step(d, state, action, who, done);
    if (!result.ok) continue;
    moves.push([state, action, result.to]);
    done.push({ action, actorId: who.id });
    state = result.to;
    for (let automatic = automaticAction(d, state); automatic; automatic = automaticAction(d, state)) {
      const auto = step(d, state, automatic, { kind: 'system', id: 'mmuso:workflow' }, done);
      expect(auto.ok).toBe(true);
      if (!auto.ok) break;
      moves.push([state, automatic, auto.to]);
      state = auto.to;
    }
    visited.push(state);
  }
  return { state, visited, moves };
}

describe.each(definitions.map((d) => [d.id, d] as const))('the workflow of %s', (_id, d) => {
  it('never reaches a state the definition does not allow, and never leaves a final one', () => {
    fc.assert(
      fc.property(attempts(d), (tries) => {
        const { visited, moves } = run(d, tries);
        for (const state of visited) expect(Object.keys(d.workflow.states)).toContain(state);
        for (const [from, action, to] of moves) {
          expect(isFinal(d, from)).toBe(false);
          expect(d.workflow.actions[action]?.from).toContain(from);
          expect(d.workflow.actions[action]?.to).toBe(to);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('lets no one approve what they prepared themselves', () => {
    fc.assert(
      fc.property(attempts(d), (tries) => {
        const done: Done[] = [];
        let state = d.workflow.initial;
        for (const [action, who] of tries) {
          const result = step(d, state, action, who, done);
          if (!result.ok) continue;
          const checks = d.workflow.actions[action]?.checkerOf ?? [];
          expect(done.some((x) => checks.includes(x.action) && x.actorId === who.id)).toBe(false);
          done.push({ action, actorId: who.id });
          state = result.to;
          const automatic = automaticAction(d, state);
          if (automatic) state = d.workflow.actions[automatic]?.to ?? state;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('puts every state someone on staff acts in into a role queue', () => {
    for (const state of Object.keys(d.workflow.states)) {
      const staffActs = allowedActions(d, state).some((a) =>
        d.workflow.actions[a]?.by.some((b) => b !== 'applicant' && b !== 'system'),
      );
      expect(rolesActingIn(d, state).length > 0).toBe(staffActs);
    }
  });
});

describe('step', () => {
  const d = definitions.find((x) => x.id === 'birth-certificate-copy') as ServiceDefinition;
  const registrar: Taker = { kind: 'staff', id: 'r-1', roles: ['registrar'] };

  it('answers an action the state does not allow with the allowed ones', () => {
    expect(step(d, 'awaiting-payment', 'approve', registrar, [])).toEqual({
      ok: false,
      reason: 'not-allowed',
      allowed: ['record-payment', 'withdraw'],
    });
  });

  it('refuses a role the action does not name', () => {
    expect(step(d, 'awaiting-payment', 'record-payment', registrar, [])).toMatchObject({
      ok: false,
      reason: 'wrong-taker',
    });
  });

  it('refuses the maker as checker, and lets another officer check', () => {
    const done = [{ action: 'prepare', actorId: 'r-1' }];
    expect(step(d, 'prepared', 'approve', registrar, done)).toMatchObject({
      ok: false,
      reason: 'maker-checker',
    });
    expect(step(d, 'prepared', 'approve', { ...registrar, id: 'r-2' }, done)).toMatchObject({
      ok: true,
      to: 'issued',
    });
  });

  it('lets an agent take the applicant’s actions for them, and nothing else', () => {
    const agent: Taker = { kind: 'staff', id: 'g-1', roles: [], forApplicant: true };
    expect(step(d, 'returned', 'resubmit', agent, [])).toMatchObject({ ok: true });
    expect(step(d, 'submitted', 'prepare', agent, [])).toMatchObject({ ok: false, reason: 'wrong-taker' });
  });
});
