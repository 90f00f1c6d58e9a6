import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clamdScanner, configuredScanner, noVirusScan, parseClamdUrl } from './scan.js';
import { samples } from './test-support.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A clamd speaking the INSTREAM protocol that "finds" EICAR, as the real daemon does. */
async function fakeClamd(answer?: (file: Buffer) => string): Promise<{ port: number; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const command = 'zINSTREAM\0';
      if (buffer.length < command.length) return;
      expect(buffer.subarray(0, command.length).toString('latin1')).toBe(command);
      const parts: Buffer[] = [];
      let at = command.length;
      while (at + 4 <= buffer.length) {
        const size = buffer.readUInt32BE(at);
        if (size === 0) {
          const file = Buffer.concat(parts);
          received.push(file);
          const reply =
            answer?.(file) ??
            (file.includes('EICAR-STANDARD-ANTIVIRUS-TEST-FILE')
              ? 'stream: Win.Test.EICAR_HDB-1 FOUND'
              : 'stream: OK');
          socket.end(`${reply}\0`);
          return;
        }
        if (at + 4 + size > buffer.length) return;
        parts.push(buffer.subarray(at + 4, at + 4 + size));
        at += 4 + size;
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, received };
}

describe('the clamd scanner', () => {
  it('streams the file in INSTREAM chunks and reads the verdict', async () => {
    const clamd = await fakeClamd();
    const scanner = clamdScanner({ host: '127.0.0.1', port: clamd.port });
    expect(await scanner.scan(samples.pdf)).toEqual({ clean: true });
    expect(await scanner.scan(samples.eicar)).toEqual({ clean: false, signature: 'Win.Test.EICAR_HDB-1' });
    const large = Buffer.alloc(200_000, 7);
    expect(await scanner.scan(large)).toEqual({ clean: true });
    expect(clamd.received.map((f) => f.byteLength)).toEqual([
      samples.pdf.byteLength,
      samples.eicar.byteLength,
      200_000,
    ]);
    expect(clamd.received[2]?.equals(large)).toBe(true);
  });

  it('throws, rather than call a file clean, on an error answer or no daemon', async () => {
    const clamd = await fakeClamd(() => 'INSTREAM size limit exceeded. ERROR');
    await expect(clamdScanner({ host: '127.0.0.1', port: clamd.port }).scan(samples.pdf)).rejects.toThrow(
      /size limit exceeded/,
    );
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(clamdScanner({ host: '127.0.0.1', port }).scan(samples.pdf)).rejects.toThrow();
  });

  it('is chosen by CLAMD_URL; without it nothing is scanned', async () => {
    expect(parseClamdUrl('tcp://clamav:3310')).toEqual({ host: 'clamav', port: 3310 });
    expect(parseClamdUrl('tcp://10.0.0.5')).toEqual({ host: '10.0.0.5', port: 3310 });
    expect(() => parseClamdUrl('http://clamav:3310')).toThrow(RangeError);
    expect(configuredScanner({}).name).toBe('none');
    expect(configuredScanner({ CLAMD_URL: 'tcp://clamav:3310' }).name).toBe('clamd clamav:3310');
    expect(await noVirusScan.scan(samples.eicar)).toEqual({ clean: true });
  });
});
