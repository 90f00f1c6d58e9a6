import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../../core/clock/index.js';
import { asE164, createSmsSimulator, isE164, SMS_OUTBOX_FILE } from './index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('E.164 numbers', () => {
  it('accepts full international numbers only', () => {
    expect(isE164('+26658123456')).toBe(true);
    expect(isE164('+447700900123')).toBe(true);
    for (const bad of ['58123456', '+0123456789', '+266 5812 3456', '+2665', `+${'1'.repeat(16)}`]) {
      expect(isE164(bad)).toBe(false);
    }
    expect(() => asE164('58123456')).toThrow(RangeError);
  });
});

describe('the SMS simulator', () => {
  it('records messages in memory and in DATA_DIR/sms-outbox.jsonl, with encoding and segments', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-sms-'));
    dirs.push(dataDir);
    const clock = manualClock('2026-11-23T08:00:00Z');
    const sms = createSmsSimulator({ dataDir, clock });
    const to = asE164('+26658123456');
    const first = await sms.send(to, 'Your Mmuso code is 123456. It expires in 5 minutes.');
    clock.advance(1000);
    const second = await sms.send(asE164('+26662000000'), `Tšebeletso ${'a'.repeat(70)}`);
    expect(first.segments).toBe(1);
    expect(second.segments).toBe(2);
    expect(sms.sent.map((m) => m.encoding)).toEqual(['gsm7', 'ucs2']);
    expect(sms.lastTo(to)?.text).toContain('123456');
    expect(sms.lastTo('+26659999999')).toBeUndefined();

    const file = path.join(dataDir, SMS_OUTBOX_FILE);
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({ id: first.id, to, at: '2026-11-23T08:00:00.000Z', segments: 1 }),
      expect.objectContaining({ id: second.id, at: '2026-11-23T08:00:01.000Z', encoding: 'ucs2' }),
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    sms.clear();
    expect(sms.sent).toEqual([]);
  });

  it('refuses what an operator would refuse: no number, no text, too long a text', async () => {
    const sms = createSmsSimulator({ maxSegments: 2 });
    await expect(sms.send('58123456' as never, 'x')).rejects.toThrow(RangeError);
    await expect(sms.send(asE164('+26658123456'), '')).rejects.toThrow(RangeError);
    await expect(sms.send(asE164('+26658123456'), 'a'.repeat(307))).rejects.toThrow(/3 segments/);
    expect(sms.sent).toEqual([]);
  });
});
