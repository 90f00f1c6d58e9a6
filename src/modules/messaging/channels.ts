import path from 'node:path';
import type { Kernel } from '../../core/kernel/index.js';
import { folderMailer, type Mailer, smtpMailer } from './mail/mailer.js';
import { createHttpSmsGateway, createSmsSimulator, type SmsGateway } from './sms/index.js';

export interface Channels {
  sms: SmsGateway;
  mail: Mailer;
}

/** Folder under DATA_DIR where e-mail is written when no SMTP server is configured. */
export const MAIL_FOLDER = 'mail';

const channels = new WeakMap<Kernel, Channels>();

function fromConfig(kernel: Kernel): Channels {
  const { config } = kernel;
  if (config.SMS_GATEWAY_URL && !config.SMS_GATEWAY_TOKEN) {
    throw new Error(
      'SMS_GATEWAY_URL is set but SMS_GATEWAY_TOKEN is not: set both, or neither for the simulator',
    );
  }
  const sms =
    config.SMS_GATEWAY_URL && config.SMS_GATEWAY_TOKEN
      ? createHttpSmsGateway({
          url: config.SMS_GATEWAY_URL,
          token: config.SMS_GATEWAY_TOKEN,
          sender: config.SMS_SENDER,
          reportUrl: `${config.publicUrl}/api/v1/messaging/sms/delivery-reports`,
        })
      : createSmsSimulator({ dataDir: config.dataDir, clock: kernel.clock });
  const mail = config.SMTP_URL
    ? smtpMailer(config.SMTP_URL, config.MAIL_FROM)
    : folderMailer(path.join(config.dataDir, MAIL_FOLDER), config.MAIL_FROM);
  if (config.NODE_ENV === 'production' && !config.SMS_GATEWAY_URL) {
    kernel.log.warn('SMS_GATEWAY_URL is not set: SMS go to the simulator, nobody receives them');
  }
  if (config.NODE_ENV === 'production' && !config.SMTP_URL) {
    kernel.log.warn('SMTP_URL is not set: e-mail is written to DATA_DIR/mail, nobody receives it');
  }
  return { sms, mail };
}

/**
 * The kernel's SMS gateway and mailer, chosen by the configuration: the HTTP gateway when
 * SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN are set (otherwise the simulator, recording to
 * DATA_DIR/sms-outbox.jsonl), SMTP when SMTP_URL is set (otherwise .eml files in DATA_DIR/mail).
 */
export function messagingChannels(kernel: Kernel): Channels {
  let found = channels.get(kernel);
  if (!found) {
    found = fromConfig(kernel);
    channels.set(kernel, found);
  }
  return found;
}

/** Replaces a kernel's channels (tests: a failing gateway, a recording mailer). */
export function useChannels(kernel: Kernel, replacement: Partial<Channels>): Channels {
  const next = { ...messagingChannels(kernel), ...replacement };
  channels.set(kernel, next);
  return next;
}
