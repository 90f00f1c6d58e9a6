import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { folderMailer, smtpMailer } from './mailer.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0)) await undo();
});

/** Enough SMTP (RFC 5321) to take a message, or refuse the recipient with the given reply. */
async function smtpServer(rcptReply = '250 OK'): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const server = net.createServer((socket) => {
    let data = false;
    let message = '';
    let buffer = '';
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === '.') {
            data = false;
            received.push(message);
            socket.write('250 queued\r\n');
          } else message += `${line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 test\r\n');
        else if (verb === 'MAIL') socket.write('250 OK\r\n');
        else if (verb === 'RCPT') socket.write(`${rcptReply}\r\n`);
        else if (verb === 'DATA') {
          data = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as net.AddressInfo).port, received };
}

const mail = {
  id: '0193a1b2-0000-7000-8000-000000000001',
  to: 'palesa@example.ls',
  subject: 'Kopo e amohetsoe',
  text: 'Re amohetse kopo ea hau. Tšebeletso.',
};

describe('e-mail', () => {
  it('goes through SMTP with our Message-ID when SMTP_URL is set', async () => {
    const server = await smtpServer();
    const mailer = smtpMailer(
      `smtp://127.0.0.1:${server.port}?ignoreTLS=true`,
      'Mmuso <no-reply@mmuso.gov.ls>',
    );
    const sent = await mailer.send(mail);
    expect(sent.id).toBe(`<${mail.id}@mmuso.gov.ls>`);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]).toMatch(/^Subject: Kopo e amohetsoe$/m);
    expect(server.received[0]).toMatch(/^To: palesa@example\.ls$/m);
  });

  it('marks a 5xx refusal final and a 4xx one worth retrying', async () => {
    const refused = await smtpServer('550 5.1.1 No such mailbox');
    const hard = await smtpMailer(`smtp://127.0.0.1:${refused.port}?ignoreTLS=true`, 'no-reply@mmuso.gov.ls')
      .send(mail)
      .catch((e: unknown) => e as { permanent?: boolean });
    expect(hard).toMatchObject({ permanent: true });
    const busy = await smtpServer('451 4.3.0 Try later');
    const soft = await smtpMailer(`smtp://127.0.0.1:${busy.port}?ignoreTLS=true`, 'no-reply@mmuso.gov.ls')
      .send(mail)
      .catch((e: unknown) => e as { permanent?: boolean });
    expect(soft).toBeInstanceOf(Error);
    expect((soft as { permanent?: boolean }).permanent).toBeUndefined();
  });

  it('is written as an .eml file, readable by its owner only, in development', async () => {
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-mail-')), 'mail');
    cleanup.push(() => fs.rmSync(path.dirname(folder), { recursive: true, force: true }));
    await folderMailer(folder, 'Mmuso <no-reply@mmuso.gov.ls>').send(mail);
    const file = path.join(folder, `${mail.id}.eml`);
    const eml = fs.readFileSync(file, 'utf8');
    expect(eml).toMatch(/^From: Mmuso <no-reply@mmuso\.gov\.ls>$/m);
    expect(eml).toMatch(/^Message-ID: <0193a1b2-0000-7000-8000-000000000001@mmuso\.gov\.ls>$/m);
    expect(eml).toContain('Content-Type: text/plain; charset=utf-8');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
