import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { asE164, SmsRejected } from './gateway.js';
import { createHttpSmsGateway, readDeliveryReports } from './http-gateway.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

interface Seen {
  authorization?: string;
  body: unknown;
}

/** An aggregator answering as Infobip's /sms/2/text/advanced does. */
async function aggregator(
  answer: (body: { messages: { destinations: { to: string }[] }[] }) => [number, unknown],
) {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const body = JSON.parse(raw);
      seen.push({ authorization: request.headers.authorization, body });
      const [status, reply] = answer(body);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/2/text/advanced`, seen };
}

const accepted = (body: { messages: { destinations: { to: string }[] }[] }): [number, unknown] => [
  200,
  {
    bulkId: 'bulk-1',
    messages: [
      {
        to: body.messages[0]?.destinations[0]?.to,
        messageId: 'ib-4242',
        status: { groupId: 1, groupName: 'PENDING', id: 26, name: 'PENDING_ACCEPTED' },
      },
    ],
  },
];

describe('the HTTP SMS gateway (Infobip wire format)', () => {
  it('posts the message with the API key and our reference, and returns the gateway id', async () => {
    const { url, seen } = await aggregator(accepted);
    const gateway = createHttpSmsGateway({
      url,
      token: 'secret-key-123',
      sender: 'Mmuso',
      reportUrl: 'https://mmuso.gov.ls/api/v1/messaging/sms/delivery-reports',
    });
    const receipt = await gateway.send(asE164('+26658123456'), 'Mmuso: kopo e amohetsoe.', {
      reference: 'd-1',
    });
    expect(receipt).toEqual({ id: 'ib-4242', segments: 1 });
    expect(seen).toEqual([
      {
        authorization: 'App secret-key-123',
        body: {
          messages: [
            {
              destinations: [{ to: '26658123456', messageId: 'd-1' }],
              from: 'Mmuso',
              text: 'Mmuso: kopo e amohetsoe.',
              notifyUrl: 'https://mmuso.gov.ls/api/v1/messaging/sms/delivery-reports',
              notifyContentType: 'application/json',
            },
          ],
        },
      },
    ]);
  });

  it('treats 400 and REJECTED as final, and 5xx, 429, 401 and a dead server as worth retrying', async () => {
    const to = asE164('+26658123456');
    const gateway = (answer: Parameters<typeof aggregator>[0]) =>
      aggregator(answer).then(({ url }) =>
        createHttpSmsGateway({ url, token: 'secret-key-123', sender: 'Mmuso' }),
      );

    const bad = await gateway(() => [
      400,
      { requestError: { serviceException: { text: 'Invalid destination' } } },
    ]);
    await expect(bad.send(to, 'x')).rejects.toBeInstanceOf(SmsRejected);
    const rejected = await gateway(() => [
      200,
      {
        messages: [
          { messageId: 'ib-1', status: { groupName: 'REJECTED', description: 'Not enough credits' } },
        ],
      },
    ]);
    await expect(rejected.send(to, 'x')).rejects.toThrow(/Not enough credits/);
    for (const status of [500, 503, 429, 401]) {
      const failing = await gateway(() => [status, {}]);
      const error = await failing.send(to, 'x').catch((e: unknown) => e);
      expect(error, String(status)).not.toBeInstanceOf(SmsRejected);
      expect((error as { permanent?: boolean }).permanent, String(status)).toBeUndefined();
    }
    const nowhere = createHttpSmsGateway({
      url: 'http://127.0.0.1:9/sms',
      token: 'secret-key-123',
      sender: 'Mmuso',
    });
    await expect(nowhere.send(to, 'x')).rejects.toThrow(/unreachable/);
  });
});

describe('delivery reports', () => {
  it('reads final outcomes and skips pending ones and rubbish', () => {
    expect(
      readDeliveryReports({
        results: [
          { messageId: 'a', status: { groupName: 'DELIVERED', name: 'DELIVERED_TO_HANDSET' } },
          {
            messageId: 'b',
            status: { groupName: 'UNDELIVERABLE' },
            error: { description: 'Absent subscriber' },
          },
          { messageId: 'c', status: { groupName: 'EXPIRED', name: 'EXPIRED_EXPIRED' } },
          { messageId: 'd', status: { groupName: 'PENDING' } },
          { status: { groupName: 'DELIVERED' } },
        ],
      }),
    ).toEqual([
      { providerId: 'a', delivered: true },
      { providerId: 'b', delivered: false, reason: 'Absent subscriber' },
      { providerId: 'c', delivered: false, reason: 'EXPIRED_EXPIRED' },
    ]);
    expect(readDeliveryReports(null)).toEqual([]);
    expect(readDeliveryReports({ results: 'x' })).toEqual([]);
  });
});
