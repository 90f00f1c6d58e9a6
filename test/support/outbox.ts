import fs from 'node:fs';
import path from 'node:path';

/**
 * The newest 6-digit code the platform sent to a phone (the SMS simulator's
 * DATA_DIR/sms-outbox.jsonl) or an e-mail address (the .eml files in DATA_DIR/mail).
 */
export function lastCodeSentTo(dataDir: string, to: string): string | undefined {
  const texts: string[] = [];
  if (to.includes('@')) {
    const folder = path.join(dataDir, 'mail');
    const files = fs.existsSync(folder) ? fs.readdirSync(folder).map((f) => path.join(folder, f)) : [];
    const mails = files
      .map((file) => ({ text: fs.readFileSync(file, 'utf8'), at: fs.statSync(file).mtimeMs }))
      .filter((m) => new RegExp(`^To: ${to.replace(/[.+]/g, '\\$&')}$`, 'im').test(m.text))
      .sort((a, b) => a.at - b.at);
    texts.push(
      ...mails.map((m) =>
        m.text
          .split(/\r?\n\r?\n/)
          .slice(1)
          .join('\n'),
      ),
    );
  } else {
    const file = path.join(dataDir, 'sms-outbox.jsonl');
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
    texts.push(
      ...lines
        .map((line) => JSON.parse(line) as { to: string; text: string })
        .filter((m) => m.to === to)
        .map((m) => m.text),
    );
  }
  return /\b(\d{6})\b/.exec(texts.at(-1) ?? '')?.[1];
}
