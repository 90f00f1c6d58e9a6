import net from 'node:net';

export type ScanVerdict = { clean: true } | { clean: false; signature: string };

/**
 * A virus scanner the upload path calls before anything is stored. A scanner that cannot answer
 * throws: the upload is then refused (503), never stored unscanned.
 */
export interface VirusScanner {
  readonly name: string;
  scan(content: Uint8Array): Promise<ScanVerdict>;
}

/**
 * The default when no scanner is configured (CLAMD_URL unset): every file is reported clean.
 * Fine on a developer's machine; production sets CLAMD_URL.
 */
export const noVirusScan: VirusScanner = {
  name: 'none',
  async scan() {
    return { clean: true };
  },
};

export interface ClamdOptions {
  host: string;
  port: number;
  timeoutMs?: number;
}

/** clamd's INSTREAM chunks; its StreamMaxLength (25 MB by default) bounds the whole file. */
const CHUNK = 64 * 1024;

/** `tcp://clamav:3310` → host and port. */
export function parseClamdUrl(url: string): ClamdOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'tcp:' || !parsed.hostname) throw new RangeError('expected tcp://host:port');
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 3310) };
}

/**
 * ClamAV's daemon over TCP with the INSTREAM command: `zINSTREAM\0`, then the file as chunks each
 * preceded by its length (4 bytes, network order), then a zero length. clamd answers
 * `stream: OK`, `stream: <signature> FOUND` or `... ERROR`, terminated by NUL.
 */
export function clamdScanner(options: ClamdOptions): VirusScanner {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    name: `clamd ${options.host}:${options.port}`,
    scan(content) {
      return new Promise<ScanVerdict>((resolve, reject) => {
        const socket = net.connect({ host: options.host, port: options.port });
        const replies: Buffer[] = [];
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error('clamd did not answer in time')));
        socket.on('error', reject);
        socket.on('data', (chunk: Buffer) => replies.push(chunk));
        socket.on('end', () => {
          const reply = Buffer.concat(replies).toString('utf8').replace(/\0+$/, '').trim();
          const found = /^stream: (.+) FOUND$/.exec(reply);
          if (reply === 'stream: OK') resolve({ clean: true });
          else if (found?.[1]) resolve({ clean: false, signature: found[1] });
          else reject(new Error(`clamd: ${reply || 'no answer'}`));
        });
        socket.on('connect', () => {
          socket.write('zINSTREAM\0');
          for (let at = 0; at < content.byteLength; at += CHUNK) {
            const part = content.subarray(at, at + CHUNK);
            const length = Buffer.alloc(4);
            length.writeUInt32BE(part.byteLength);
            socket.write(length);
            socket.write(part);
          }
          socket.end(Buffer.alloc(4));
        });
      });
    },
  };
}

/** The scanner the configuration asks for: clamd when CLAMD_URL is set, otherwise none. */
export function configuredScanner(config: { CLAMD_URL?: string }): VirusScanner {
  return config.CLAMD_URL ? clamdScanner(parseClamdUrl(config.CLAMD_URL)) : noVirusScan;
}
