import { describe, expect, it } from 'vitest';
import { forgetRead, readAlready, readOnce } from './request-reads.js';

describe('reads within one provider request', () => {
  it('reads once per request and key, and again in another request', async () => {
    let reads = 0;
    const read = async () => ++reads;
    const first = {};
    expect(await readOnce(first, 'Account:a', read)).toBe(1);
    expect(await readOnce(first, 'Account:a', read)).toBe(1);
    expect(await readOnce(first, 'Account:b', read)).toBe(2);
    expect(await readOnce({}, 'Account:a', read)).toBe(3);
    // Outside a request nothing is kept.
    expect(await readOnce(undefined, 'Account:a', read)).toBe(4);
    expect(await readOnce(undefined, 'Account:a', read)).toBe(5);
  });

  it('takes what was read with a token, including nothing, and forgets it after a write', async () => {
    const request = {};
    readAlready(request, 'Grant:g', { accountId: 'a' });
    readAlready(request, 'Grant:gone', undefined);
    const fail = async () => {
      throw new Error('read again');
    };
    expect(await readOnce(request, 'Grant:g', fail)).toEqual({ accountId: 'a' });
    expect(await readOnce(request, 'Grant:gone', fail)).toBeUndefined();
    forgetRead(request, 'Grant:g');
    await expect(readOnce(request, 'Grant:g', fail)).rejects.toThrow('read again');
  });
});
