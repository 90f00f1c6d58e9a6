import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderBlobStore } from '../blobs/index.js';
import { HttpProblem } from '../http/problem.js';
import { acceptUpload, cleanFileName } from './accept.js';
import { checkUploadLimits, isSniffableType } from './limits.js';
import { noVirusScan, type VirusScanner } from './scan.js';
import { samples } from './test-support.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-uploads-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const blobs = folderBlobStore(root);
const deps = { blobs, scanner: noVirusScan };
const documents = { types: ['application/pdf', 'image/png', 'image/jpeg'], maxBytes: 1024 };

async function stored(): Promise<string[]> {
  const all: string[] = [];
  for await (const sha of blobs.list()) all.push(sha);
  return all;
}

/** The problem the promise was refused with; a promise that resolves fails the test. */
async function refusal(promise: Promise<unknown>): Promise<HttpProblem> {
  await expect(promise).rejects.toBeInstanceOf(HttpProblem);
  return promise.catch((error: HttpProblem) => error) as Promise<HttpProblem>;
}

describe('accepting an upload', () => {
  it('stores a PDF, a PNG and a JPEG under their SHA-256 with the type read from the content', async () => {
    for (const [kind, name, type] of [
      ['pdf', 'birth certificate.pdf', 'application/pdf'],
      ['png', 'photo.PNG', 'image/png'],
      ['jpeg', 'C:\\Users\\Palesa\\scan.jpeg', 'image/jpeg'],
    ] as const) {
      const content = samples[kind];
      const reference = await acceptUpload(deps, content, { name, limits: documents });
      expect(reference).toEqual({
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        type,
        size: content.byteLength,
        name: cleanFileName(name),
      });
      expect(await blobs.get(reference.sha256)).toEqual(content);
    }
    expect(cleanFileName('C:\\Users\\Palesa\\scan.jpeg')).toBe('scan.jpeg');
  });

  it('refuses a program named .pdf and a PNG renamed .pdf, whatever the name says, and stores nothing', async () => {
    const before = await stored();
    const exe = await refusal(acceptUpload(deps, samples.exe, { name: 'invoice.pdf', limits: documents }));
    expect([exe.status, exe.slug, exe.options.values]).toEqual([
      415,
      'upload-type-not-allowed',
      { found: 'application/x-msdownload', allowed: 'application/pdf, image/png, image/jpeg' },
    ]);
    const renamed = await refusal(
      acceptUpload(deps, samples.png, { name: 'certificate.pdf', limits: documents }),
    );
    expect([renamed.status, renamed.slug]).toEqual([415, 'upload-type-not-allowed']);
    const pdfOnly = { types: ['application/pdf'], maxBytes: 1024 };
    const png = await refusal(acceptUpload(deps, samples.png, { name: 'photo.png', limits: pdfOnly }));
    expect(png.options.values).toEqual({ found: 'image/png', allowed: 'application/pdf' });
    const text = await refusal(acceptUpload(deps, Buffer.from('hello'), { limits: documents }));
    expect(text.options.values?.found).toBe('unknown');
    expect(await stored()).toEqual(before);
  });

  it('refuses an empty file and one over the limit, before looking any further', async () => {
    const before = await stored();
    const empty = await refusal(
      acceptUpload(deps, Buffer.alloc(0), { name: 'empty.pdf', limits: documents }),
    );
    expect([empty.status, empty.slug]).toEqual([422, 'upload-empty']);
    const big = Buffer.concat([samples.pdf, Buffer.alloc(1024)]);
    const large = await refusal(acceptUpload(deps, big, { name: 'big.pdf', limits: documents }));
    expect([large.status, large.slug, large.options.values]).toEqual([
      413,
      'upload-too-large',
      { limit: 1024 },
    ]);
    const exact = Buffer.concat([samples.pdf, Buffer.alloc(1024 - samples.pdf.byteLength)]);
    expect((await acceptUpload(deps, exact, { limits: documents })).size).toBe(1024);
    expect((await stored()).length).toBe(before.length + 1);
  });

  it('refuses what the scanner finds, and refuses (503) rather than store unscanned when it cannot answer', async () => {
    const before = await stored();
    const scanned: number[] = [];
    const scanner: VirusScanner = {
      name: 'test',
      async scan(content) {
        scanned.push(content.byteLength);
        return { clean: false, signature: 'Win.Test.EICAR_HDB-1' };
      },
    };
    const infected = await refusal(acceptUpload({ blobs, scanner }, samples.pdf, { limits: documents }));
    expect([infected.status, infected.slug]).toEqual([422, 'upload-infected']);
    expect(scanned).toEqual([samples.pdf.byteLength]);
    const down: VirusScanner = {
      name: 'down',
      scan: () => Promise.reject(new Error('connect ECONNREFUSED')),
    };
    const unavailable = await refusal(
      acceptUpload({ blobs, scanner: down }, samples.pdf, { limits: documents }),
    );
    expect([unavailable.status, unavailable.slug]).toEqual([503, 'upload-scan-unavailable']);
    expect(await stored()).toEqual(before);
  });

  it('keeps only the last part of a name, without control characters', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('a\u0000b\nc.pdf')).toBe('abc.pdf');
    expect(cleanFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFileName('folder/')).toBeNull();
    expect(cleanFileName('..')).toBeNull();
    expect(cleanFileName(undefined)).toBeNull();
    expect(cleanFileName(`${'x'.repeat(300)}.pdf`)?.length).toBe(200);
  });
});

describe('declared limits', () => {
  it('are checked at start: types must be recognisable from content, sizes within the ceiling', () => {
    expect(isSniffableType('application/pdf')).toBe(true);
    expect(isSniffableType('text/csv')).toBe(false);
    expect(
      checkUploadLimits({ types: ['application/pdf', 'image/jpeg'], maxBytes: 2_000_000 }, 10_485_760),
    ).toEqual([]);
    expect(checkUploadLimits({ types: ['text/plain'], maxBytes: 0 }, 1000)).toEqual([
      "types: text/plain cannot be recognised from a file's content",
      'maxBytes: a whole number of bytes, 1 or more',
    ]);
    expect(checkUploadLimits({ types: [], maxBytes: 5000 }, 1000)).toEqual([
      'types: name at least one MIME type',
      "maxBytes: 5000 is above the platform's UPLOAD_MAX_BYTES (1000)",
    ]);
  });
});
