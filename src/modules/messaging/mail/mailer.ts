import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  /** Our id for the message: becomes its Message-ID and, in a folder, its file name. */
  id: string;
  to: string;
  subject: string;
  text: string;
}

/**
 * Where e-mail goes. A refusal for good (a 5xx answer: no such mailbox, say) throws an error
 * with `permanent: true`; anything else thrown is retried by the outbox.
 */
export interface Mailer {
  readonly kind: 'smtp' | 'folder';
  send(mail: OutgoingMail): Promise<{ id: string }>;
}

interface SmtpError extends Error {
  responseCode?: number;
  permanent?: boolean;
}

function messageIdOf(id: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'mmuso.gov.ls';
  return `<${id}@${domain}>`;
}

/** Through an SMTP server: `smtp://user:pass@host:587` (STARTTLS) or `smtps://…:465`. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: messageIdOf(mail.id, from),
        });
        return { id: info.messageId };
      } catch (error) {
        const smtp = error as SmtpError;
        if (smtp.responseCode !== undefined && smtp.responseCode >= 500) smtp.permanent = true;
        throw smtp;
      }
    },
  };
}

/**
 * For development: each message is written as `<id>.eml` (RFC 5322, open it in any mail
 * program) in the folder, instead of being sent.
 */
export function folderMailer(folder: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'folder',
    async send(mail) {
      const messageId = messageIdOf(mail.id, from);
      const info = await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId,
      });
      await fs.promises.mkdir(folder, { recursive: true, mode: 0o700 });
      await fs.promises.writeFile(path.join(folder, `${mail.id}.eml`), info.message as Buffer, {
        mode: 0o600,
      });
      return { id: messageId };
    },
  };
}
