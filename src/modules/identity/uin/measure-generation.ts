/**
 * Measures how many UINs generateUin makes per second on one core under the default policy, and what share
 * of random candidates the rules accept. Run with `npx tsx src/modules/identity/uin/measure-generation.ts`.
 * Kept out of the tests on purpose: timing assertions fail on busy machines without telling anyone anything.
 */
import { cryptoDigit } from './generate.js';
import { checkUinRules, generateUin, verhoeffCheckDigit } from './index.js';

const WARM_UP = 50_000;
const COUNT = 1_000_000;
const SAMPLES = 1_000_000;

for (let index = 0; index < WARM_UP; index += 1) {
  generateUin();
}

const started = process.hrtime.bigint();
for (let index = 0; index < COUNT; index += 1) {
  generateUin();
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`${COUNT} UINs in ${seconds.toFixed(2)} s: ${Math.round(COUNT / seconds)} per second`);

let accepted = 0;
for (let index = 0; index < SAMPLES; index += 1) {
  const body = Array.from({ length: 9 }, cryptoDigit).join('');
  if (checkUinRules(`${body}${verhoeffCheckDigit(body)}`).ok) {
    accepted += 1;
  }
}
console.log(`${((100 * accepted) / SAMPLES).toFixed(2)}% of random candidates pass every rule`);
