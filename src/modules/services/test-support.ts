import { expect } from 'vitest';
import { HttpProblem } from '../../core/http/index.js';

/** The HttpProblem a refused call threw; fails the test when the call succeeded or threw anything else. */
export async function refusal(promise: Promise<unknown>): Promise<HttpProblem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpProblem);
  return error as HttpProblem;
}
