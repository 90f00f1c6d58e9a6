import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFactorKeys } from './keys.js';

const dirs: string[] = [];
function dataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-factor-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('factor keys', () => {
  it('makes a v1 key file of 32 bytes, mode 0600, that a backup picks up, and reuses it', () => {
    const dir = dataDir();
    const keys = loadFactorKeys(dir);
    const file = path.join(dir, 'keys', 'auth-factors.v1.key');
    expect(keys.version).toBe(1);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(file, 'utf8'), 'base64')).toHaveLength(32);
    const sealed = keys.seal('JBSWY3DPEHPK3PXP', 'account-1');
    expect(loadFactorKeys(dir).open(sealed, 'account-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(loadFactorKeys(dir).mac(1, 'x')).toBe(keys.mac(1, 'x'));
  });

  it('seals with AES-256-GCM: random IV, nothing readable, tampering and row swaps detected', () => {
    const keys = loadFactorKeys(dataDir());
    const a = keys.seal('JBSWY3DPEHPK3PXP', 'account-1');
    const b = keys.seal('JBSWY3DPEHPK3PXP', 'account-1');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(a).not.toContain('JBSWY3DP');
    expect(() => keys.open(a, 'account-2')).toThrow();
    const [v, iv, body, tag] = a.split('.') as [string, string, string, string];
    const flipped = `${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}`;
    expect(() => keys.open([v, iv, flipped, tag].join('.'), 'account-1')).toThrow();
    expect(() => keys.open('plain', 'account-1')).toThrow(/not a sealed/);
  });

  it('another data folder has another key', () => {
    const sealed = loadFactorKeys(dataDir()).seal('secret', 'a');
    expect(() => loadFactorKeys(dataDir()).open(sealed, 'a')).toThrow();
  });

  it('rotates by adding a newer version: new seals use it, old ones still open', () => {
    const dir = dataDir();
    const old = loadFactorKeys(dir).seal('old secret', 'a');
    const oldMac = loadFactorKeys(dir).mac(1, 'code');
    fs.writeFileSync(path.join(dir, 'keys', 'auth-factors.v2.key'), Buffer.alloc(32, 7).toString('base64'), {
      mode: 0o600,
    });
    const keys = loadFactorKeys(dir);
    expect(keys.version).toBe(2);
    expect(keys.seal('new', 'a')).toMatch(/^v2\./);
    expect(keys.open(old, 'a')).toBe('old secret');
    expect(keys.mac(1, 'code')).toBe(oldMac);
    expect(keys.mac(2, 'code')).not.toBe(oldMac);
  });

  it('refuses a key file of the wrong size', () => {
    const dir = dataDir();
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.writeFileSync(path.join(dir, 'keys', 'auth-factors.v1.key'), 'c2hvcnQ=');
    expect(() => loadFactorKeys(dir)).toThrow(/32 bytes/);
  });
});
