import { type E164, type SmsGateway, SmsRejected } from './gateway.js';
import { countSegments } from './gsm7.js';

export interface HttpSmsGatewayOptions {
  /** The aggregator's send endpoint, e.g. https://xxxxx.api.infobip.com/sms/2/text/advanced */
  url: string;
  /** API key, sent as `Authorization: App <token>`. */
  token: string;
  /** Sender id shown on the phone (alphanumeric, up to 11 characters). */
  sender: string;
  /** Where the aggregator posts delivery reports; omitted when unset. */
  reportUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface SendResponse {
  messages?: {
    messageId?: string;
    to?: string;
    status?: { groupName?: string; name?: string; description?: string };
  }[];
}

/** Transient by nature: the aggregator is overloaded, down or throttling us. */
class GatewayUnavailable extends Error {
  override name = 'GatewayUnavailable';
}

/**
 * An SMS aggregator over HTTP, in the JSON format of Infobip's SMS API v2 ("advanced" text
 * message), which several aggregators serving southern Africa accept as well:
 *
 *   POST <url>   Authorization: App <token>
 *   {"messages":[{"destinations":[{"to":"26658123456","messageId":"<our reference>"}],
 *                 "from":"Mmuso","text":"…","notifyUrl":"<reportUrl>","notifyContentType":"application/json"}]}
 *
 * and reads `messages[0].messageId` and `status.groupName` (PENDING, or REJECTED with a
 * description) from the answer. 400 and REJECTED are final; 5xx, 429, 401/403 (a key being
 * rotated) and network errors are retried by the outbox.
 */
export function createHttpSmsGateway(options: HttpSmsGatewayOptions): SmsGateway {
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    async send(to: E164, text: string, sendOptions = {}) {
      const destination: Record<string, string> = { to: to.slice(1) };
      if (sendOptions.reference) destination.messageId = sendOptions.reference;
      const message: Record<string, unknown> = { destinations: [destination], from: options.sender, text };
      if (options.reportUrl) {
        message.notifyUrl = options.reportUrl;
        message.notifyContentType = 'application/json';
      }
      let response: Response;
      try {
        response = await send(options.url, {
          method: 'POST',
          headers: {
            authorization: `App ${options.token}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify({ messages: [message] }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new GatewayUnavailable(`SMS gateway unreachable: ${(error as Error).message}`);
      }
      const answer = (await response.json().catch(() => ({}))) as SendResponse & {
        requestError?: { serviceException?: { text?: string } };
      };
      if (!response.ok) {
        const said = answer.requestError?.serviceException?.text ?? response.statusText;
        if (response.status === 400) throw new SmsRejected(`SMS gateway refused the message: ${said}`);
        throw new GatewayUnavailable(`SMS gateway answered ${response.status}: ${said}`);
      }
      const [first] = answer.messages ?? [];
      if (!first?.messageId) throw new GatewayUnavailable('SMS gateway answered without a message id');
      if (first.status?.groupName === 'REJECTED') {
        throw new SmsRejected(
          `SMS rejected: ${first.status.description ?? first.status.name ?? 'no reason given'}`,
        );
      }
      return { id: first.messageId, segments: countSegments(text).segments };
    },
  };
}

export interface DeliveryReport {
  providerId: string;
  delivered: boolean;
  /** Why it was not delivered; absent when delivered. */
  reason?: string;
}

interface ReportBody {
  results?: {
    messageId?: string;
    status?: { groupName?: string; name?: string; description?: string };
    error?: { name?: string; description?: string };
  }[];
}

const FINAL_FAILURES = new Set(['UNDELIVERABLE', 'EXPIRED', 'REJECTED']);

/**
 * The final outcomes in an Infobip-format delivery report (`{"results":[{messageId, status:
 * {groupName}}]}`); still-pending entries are left out.
 */
export function readDeliveryReports(body: unknown): DeliveryReport[] {
  const reports: DeliveryReport[] = [];
  for (const result of (body as ReportBody)?.results ?? []) {
    const group = result.status?.groupName;
    if (!result.messageId || !group) continue;
    if (group === 'DELIVERED') reports.push({ providerId: result.messageId, delivered: true });
    else if (FINAL_FAILURES.has(group)) {
      const reason = result.error?.description ?? result.status?.description ?? result.status?.name ?? group;
      reports.push({ providerId: result.messageId, delivered: false, reason });
    }
  }
  return reports;
}
