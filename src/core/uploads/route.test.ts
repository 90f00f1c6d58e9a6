import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import { type App, buildApp, issueToken, problems, tokenSettings } from '../http/index.js';
import { addUploadRoute, fileNameFrom, sendUpload, type UploadReference, useScanner } from './index.js';
import { samples } from './test-support.js';

/** A module-like plugin with two slots, as a service definition would declare them. */
let t: TestKernel;
let app: App;
const accepted: UploadReference[] = [];
const slots: Record<string, { types: string[]; maxBytes: number }> = {
  'proof-of-address': { types: ['application/pdf', 'image/jpeg', 'image/png'], maxBytes: 2048 },
  photo: { types: ['image/jpeg'], maxBytes: 100 },
};

beforeAll(async () => {
  t = await createTestKernel({ UPLOAD_MAX_BYTES: '4096' });
  app = await buildApp(t.kernel, [
    async (scope, kernel) => {
      await addUploadRoute(scope, kernel, {
        url: '/api/v1/test-uploads/:slot',
        access: { actors: ['citizen'] },
        summary: 'Upload a file to a test slot',
        tags: ['test'],
        limits: (request) => {
          const slot = slots[(request.params as { slot: string }).slot];
          if (!slot) throw problems.notFound();
          return slot;
        },
        accepted: async (_request, upload, reply) => {
          accepted.push(upload);
          return reply.code(201).send(upload);
        },
      });
      scope.get(
        '/api/v1/test-uploads/:sha256',
        { config: { access: { actors: ['citizen'] } } },
        async (request, reply) => {
          const found = accepted.find((u) => u.sha256 === (request.params as { sha256: string }).sha256);
          if (!found) throw problems.notFound();
          return sendUpload(reply, kernel.blobs, found);
        },
      );
    },
  ]);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.close();
});

async function citizen() {
  const settings = tokenSettings(t.kernel.config, t.kernel.keys.tokens);
  return { authorization: `Bearer ${await issueToken(actors.citizen(), t.kernel.keys.tokens, settings)}` };
}

async function blobCount(): Promise<number> {
  let n = 0;
  for await (const _ of t.kernel.blobs.list()) n += 1;
  return n;
}

const upload = async (slot: string, payload: Buffer, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: `/api/v1/test-uploads/${slot}`,
    payload,
    headers: { ...(await citizen()), ...headers },
  });

describe('the upload route', () => {
  it('takes the file as the body, its name from Content-Disposition, and answers with the reference', async () => {
    const response = await upload('proof-of-address', samples.pdf, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="lengolo.pdf"; filename*=UTF-8''Lengolo%20la%20t%C5%A1oalo.pdf`,
    });
    expect(response.statusCode).toBe(201);
    const reference = response.json();
    expect(reference).toEqual({
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      type: 'application/pdf',
      size: samples.pdf.byteLength,
      name: 'Lengolo la tšoalo.pdf',
    });
    const back = await app.inject({
      method: 'GET',
      url: `/api/v1/test-uploads/${reference.sha256}`,
      headers: await citizen(),
    });
    expect(back.statusCode).toBe(200);
    expect(back.rawPayload.equals(samples.pdf)).toBe(true);
    expect(back.headers['content-type']).toBe('application/pdf');
    expect(back.headers['content-disposition']).toMatch(/^attachment; filename="Lengolo la t_oalo.pdf"/);
  });

  it('does not trust the declared Content-Type: a JSON or PDF label on a program is refused as a program', async () => {
    const before = await blobCount();
    for (const type of ['application/pdf', 'application/json', 'image/png']) {
      const response = await upload('proof-of-address', samples.exe, {
        'content-type': type,
        'content-disposition': 'attachment; filename=invoice.pdf',
      });
      expect(response.statusCode, type).toBe(415);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().type).toBe('https://mmuso.gov.ls/problems/upload-type-not-allowed');
    }
    const renamed = await upload('photo', samples.png, {
      'content-disposition': 'attachment; filename="me.jpg"',
    });
    expect(renamed.json().type).toBe('https://mmuso.gov.ls/problems/upload-type-not-allowed');
    expect(await blobCount()).toBe(before);
  });

  it('refuses an oversize body by its Content-Length before reading it, and a chunked one while reading', async () => {
    const before = await blobCount();
    const big = Buffer.concat([samples.jpeg, Buffer.alloc(200)]);
    const declared = await upload('photo', big, { 'content-type': 'image/jpeg' });
    expect(declared.statusCode).toBe(413);
    expect(declared.json()).toMatchObject({
      type: 'https://mmuso.gov.ls/problems/upload-too-large',
      detail: 'The file must be 100 bytes or smaller.',
    });
    // Above the platform ceiling (UPLOAD_MAX_BYTES=4096) whatever the slot says.
    const huge = await upload('proof-of-address', Buffer.concat([samples.pdf, Buffer.alloc(5000)]));
    expect(huge.statusCode).toBe(413);
    const chunked = await app.inject({
      method: 'POST',
      url: '/api/v1/test-uploads/photo',
      headers: { ...(await citizen()), 'transfer-encoding': 'chunked' },
      payload: Readable.from([samples.jpeg, Buffer.alloc(100)]),
    });
    expect(chunked.statusCode).toBe(413);
    expect(chunked.json().type).toBe('https://mmuso.gov.ls/problems/upload-too-large');
    expect(await blobCount()).toBe(before);
  });

  it('answers an empty body, in Sesotho when asked, and an unknown slot with 404, storing nothing', async () => {
    const before = await blobCount();
    const empty = await app.inject({
      method: 'POST',
      url: '/api/v1/test-uploads/photo?lang=st',
      headers: await citizen(),
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.json()).toMatchObject({
      type: 'https://mmuso.gov.ls/problems/upload-empty',
      title: 'Faele ha e na letho',
    });
    expect((await upload('passport', samples.pdf)).statusCode).toBe(404);
    expect(await blobCount()).toBe(before);
  });

  it('refuses an infected file with upload-infected', async () => {
    const before = await blobCount();
    useScanner(t.kernel, {
      name: 'test',
      async scan(content) {
        return Buffer.from(content).includes('%PDF') ? { clean: false, signature: 'Test' } : { clean: true };
      },
    });
    const response = await upload('proof-of-address', samples.pdf);
    expect(response.statusCode).toBe(422);
    expect(response.json().type).toBe('https://mmuso.gov.ls/problems/upload-infected');
    expect(await blobCount()).toBe(before);
  });

  it('is refused to callers the statement does not admit, before the body is read', async () => {
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/v1/test-uploads/photo',
      payload: samples.jpeg,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('file names in Content-Disposition', () => {
  it('reads quoted, bare and RFC 8187 extended names, the extended one first', () => {
    expect(fileNameFrom('attachment; filename="a \\"b\\".pdf"')).toBe('a "b".pdf');
    expect(fileNameFrom('attachment; filename=scan.png')).toBe('scan.png');
    expect(fileNameFrom("attachment; filename=x.pdf; filename*=UTF-8''%E2%80%99Muso.pdf")).toBe('’Muso.pdf');
    expect(fileNameFrom("attachment; filename*=ISO-8859-1'en'caf%E9.pdf")).toBe('café.pdf');
    expect(fileNameFrom('attachment')).toBeUndefined();
    expect(fileNameFrom(undefined)).toBeUndefined();
  });
});
