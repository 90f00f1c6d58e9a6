import { afterEach, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import { messagingChannels } from './channels.js';

let t: TestKernel | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('the configured channels', () => {
  it('are the simulator and .eml files by default', async () => {
    t = await createTestKernel();
    const channels = messagingChannels(t.kernel);
    expect('sent' in channels.sms).toBe(true);
    expect(channels.mail.kind).toBe('folder');
    expect(messagingChannels(t.kernel)).toBe(channels);
  });

  it('are the HTTP gateway and SMTP when configured, and refuse a gateway URL without its key', async () => {
    t = await createTestKernel({
      SMS_GATEWAY_URL: 'https://api.example.test/sms/2/text/advanced',
      SMS_GATEWAY_TOKEN: 'key-123456789',
      SMTP_URL: 'smtp://mmuso:secret@mail.example.test:587',
    });
    const channels = messagingChannels(t.kernel);
    expect('sent' in channels.sms).toBe(false);
    expect(channels.mail.kind).toBe('smtp');
    await t.close();
    t = await createTestKernel({ SMS_GATEWAY_URL: 'https://api.example.test/sms/2/text/advanced' });
    const kernel = t.kernel;
    expect(() => messagingChannels(kernel)).toThrow(/SMS_GATEWAY_TOKEN is not/);
  });
});
