import fs from 'node:fs';
import path from 'node:path';
import { type Clock, systemClock } from '../../../core/clock/index.js';
import { newId } from '../../../core/ids/index.js';
import { countSegments, type SmsEncoding } from './gsm7.js';

/** A phone number in E.164 form (+26658123456), checked once where it enters. */
export type E164 = string & { readonly __e164: unique symbol };

const E164_PATTERN = /^\+[1-9]\d{7,14}$/;

export function isE164(value: string): value is E164 {
  return E164_PATTERN.test(value);
}

/** The number as an E164, or a RangeError: use `parsePhone` from core/phone for typed input. */
export function asE164(value: string): E164 {
  if (!isE164(value)) throw new RangeError('not an E.164 phone number');
  return value;
}

export interface SmsReceipt {
  /** The gateway's id for the message. */
  id: string;
  /** The segments billed: a long text is sent as several concatenated SMS. */
  segments: number;
}

/**
 * Where SMS go. The text is sent as given: GSM-7 when every character allows it, otherwise
 * UCS-2 (use `toGsm7` first to keep a text to one cheap segment). Implementations: the simulator
 * (development, tests) and the HTTP adapter for an aggregator (`http-gateway.ts`). A refusal that
 * a retry cannot cure (a bad number, a rejected message) is an `SmsRejected` or a RangeError;
 * anything else thrown is worth retrying.
 */
export interface SmsGateway {
  send(to: E164, text: string, options?: { reference?: string }): Promise<SmsReceipt>;
}

/** The gateway refused this message for good: retrying the same message will not help. */
export class SmsRejected extends Error {
  override name = 'SmsRejected';
  readonly permanent = true;
}

export interface SimulatedSms {
  id: string;
  to: E164;
  text: string;
  encoding: SmsEncoding;
  segments: number;
  at: string;
  /** The sender's reference for the message, when it gave one. */
  reference?: string;
}

export interface SmsSimulator extends SmsGateway {
  /** Every message sent through this simulator, oldest first. */
  readonly sent: readonly SimulatedSms[];
  /** The newest message to this number, if any. */
  lastTo(to: string): SimulatedSms | undefined;
  clear(): void;
}

export interface SmsSimulatorOptions {
  /** When given, each message is also appended to DATA_DIR/sms-outbox.jsonl for developers. */
  dataDir?: string;
  clock?: Clock;
  /** Longer texts are refused, as an operator would (default 10 segments). */
  maxSegments?: number;
}

export const SMS_OUTBOX_FILE = 'sms-outbox.jsonl';

/**
 * A gateway for development and tests: nothing leaves the machine. Messages are kept in memory
 * and, with a data folder, written to `sms-outbox.jsonl` (mode 0600: it holds one-time codes in
 * clear, which is the point for a developer and why it must never be used in production).
 */
export function createSmsSimulator(options: SmsSimulatorOptions = {}): SmsSimulator {
  const sent: SimulatedSms[] = [];
  const clock = options.clock ?? systemClock;
  const maxSegments = options.maxSegments ?? 10;
  const file = options.dataDir ? path.join(options.dataDir, SMS_OUTBOX_FILE) : undefined;
  return {
    sent,
    async send(to, text, options = {}) {
      if (!isE164(to)) throw new RangeError('not an E.164 phone number');
      if (text.length === 0) throw new RangeError('an SMS needs some text');
      const { encoding, segments } = countSegments(text);
      if (segments > maxSegments) throw new RangeError(`the text needs ${segments} segments`);
      const message: SimulatedSms = {
        id: newId(),
        to,
        text,
        encoding,
        segments,
        at: clock.now().toISOString(),
        ...(options.reference ? { reference: options.reference } : {}),
      };
      if (file) {
        await fs.promises.mkdir(path.dirname(file), { recursive: true });
        await fs.promises.appendFile(file, `${JSON.stringify(message)}\n`, { mode: 0o600 });
      }
      sent.push(message);
      return { id: message.id, segments };
    },
    lastTo(to) {
      for (let i = sent.length - 1; i >= 0; i -= 1) if (sent[i]?.to === to) return sent[i];
      return undefined;
    },
    clear() {
      sent.length = 0;
    },
  };
}
