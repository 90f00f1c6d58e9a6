import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import type { BlobStore } from '../blobs/index.js';
import type { Access } from '../http/access.js';
import type { App } from '../http/app.js';
import { problems } from '../http/problem.js';
import type { Kernel } from '../kernel/index.js';
import { acceptUpload, type UploadReference, uploadProblems } from './accept.js';
import type { UploadLimits } from './limits.js';
import { configuredScanner, type VirusScanner } from './scan.js';

export interface UploadRouteOptions {
  /** A Fastify path, e.g. /api/v1/applications/:reference/uploads/:slot */
  url: string;
  access: Access;
  summary: string;
  tags: string[];
  description?: string;
  params?: TSchema;
  /** Response schemas by status code, for the OpenAPI document. */
  response?: Record<number, TSchema>;
  /**
   * The limits for this request, looked up before the body is read (from the case's service
   * definition, say). May throw an HttpProblem, e.g. 404 for an unknown slot or case.
   */
  limits(request: FastifyRequest): UploadLimits | Promise<UploadLimits>;
  /** Called once the file is checked and stored: record the reference (in a change) and answer. */
  accepted(request: FastifyRequest, upload: UploadReference, reply: FastifyReply): Promise<unknown>;
}

/** The upload body's stand-in: what the Idempotency-Key fingerprint is taken over. */
export interface UploadBody {
  sha256: string;
  bytes: number;
  name: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    uploadLimits?: UploadLimits;
  }
}

const contents = new WeakMap<FastifyRequest, Buffer>();
const scanners = new WeakMap<Kernel, VirusScanner>();

/** The kernel's scanner (clamd when CLAMD_URL is set), made once per kernel. */
export function uploadScanner(kernel: Kernel): VirusScanner {
  let scanner = scanners.get(kernel);
  if (!scanner) {
    scanner = configuredScanner(kernel.config);
    scanners.set(kernel, scanner);
  }
  return scanner;
}

/** Tests (and operators' tools) plug another scanner into a kernel. */
export function useScanner(kernel: Kernel, scanner: VirusScanner): void {
  scanners.set(kernel, scanner);
}

/**
 * `Content-Disposition: attachment; filename="scan.pdf"; filename*=UTF-8''…` (RFC 6266 and 8187):
 * filename* wins when both are given, as the RFC asks.
 */
export function fileNameFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*([\w!#$%&+^`{}~-]+)'[\w-]*'([^;\s]+)/i.exec(header);
  if (extended?.[1] && extended[2]) {
    const bytes = Buffer.from(
      extended[2].replace(/%([0-9a-f]{2})/gi, (_all, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      ),
      'latin1',
    );
    return bytes.toString(extended[1].toLowerCase() === 'utf-8' ? 'utf8' : 'latin1');
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(.)/g, '$1');
  return /filename\s*=\s*([^;\s]+)/i.exec(header)?.[1];
}

async function readLimited(payload: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    // Refused at the first byte too many: a large body is never held in memory.
    if (size > limit) throw uploadProblems.tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Adds an upload route. The wire format is the file itself as the request body (any
 * Content-Type; it is not trusted, the content is sniffed), its name in Content-Disposition, no
 * multipart. The slot's limits are applied before and while the body is read (413 as soon as it
 * is too large, nothing buffered beyond the limit), then `acceptUpload` checks and stores it.
 * The route gets its own parser scope, so a JSON file is not parsed as JSON.
 */
export async function addUploadRoute(app: App, kernel: Kernel, options: UploadRouteOptions): Promise<void> {
  const ceiling = kernel.config.UPLOAD_MAX_BYTES;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', async (request: FastifyRequest, payload: Readable) => {
      const limit = Math.min(request.uploadLimits?.maxBytes ?? ceiling, ceiling);
      const content = await readLimited(payload, limit);
      contents.set(request, content);
      const body: UploadBody = {
        sha256: createHash('sha256').update(content).digest('hex'),
        bytes: content.byteLength,
        name: fileNameFrom(request.headers['content-disposition']) ?? null,
      };
      return body;
    });
    scope.post(
      options.url,
      {
        bodyLimit: ceiling,
        config: { access: options.access },
        schema: {
          tags: options.tags,
          summary: options.summary,
          description: [
            options.description,
            'Send the file itself as the request body (not multipart), its name in `Content-Disposition: attachment; filename="…"`. The type is recognised from the content; the declared Content-Type and the name are not trusted.',
          ]
            .filter(Boolean)
            .join('\n\n'),
          ...(options.params ? { params: options.params } : {}),
          headers: Type.Object({
            'content-disposition': Type.Optional(Type.String({ maxLength: 1000 })),
          }),
          ...(options.response ? { response: options.response } : {}),
        },
        preParsing: async (request, _reply, payload) => {
          const limits = await options.limits(request);
          request.uploadLimits = limits;
          const declared = Number(request.headers['content-length']);
          const limit = Math.min(limits.maxBytes, ceiling);
          if (declared > limit) throw uploadProblems.tooLarge(limit);
          return payload;
        },
      },
      async (request, reply) => {
        const limits = request.uploadLimits;
        if (!limits) throw problems.notFound();
        const body = request.body as UploadBody | undefined;
        const upload = await acceptUpload(
          { blobs: kernel.blobs, scanner: uploadScanner(kernel) },
          contents.get(request) ?? Buffer.alloc(0),
          {
            limits: { ...limits, maxBytes: Math.min(limits.maxBytes, ceiling) },
            ...(body?.name ? { name: body.name } : {}),
          },
        );
        return options.accepted(request, upload, reply);
      },
    );
  });
}

/**
 * Sends a stored upload back: its recognised type, as an attachment (never shown inline, so an
 * HTML or SVG file cannot run in the platform's origin), with its original name.
 */
export function sendUpload(reply: FastifyReply, blobs: BlobStore, upload: UploadReference) {
  const stream = blobs.stream(upload.sha256);
  if (!stream) throw problems.notFound();
  const name = upload.name ?? `${upload.sha256.slice(0, 12)}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return reply
    .header('content-type', upload.type)
    .header('content-length', String(upload.size))
    .header(
      'content-disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    )
    .header('content-security-policy', "sandbox; default-src 'none'")
    .send(stream);
}
