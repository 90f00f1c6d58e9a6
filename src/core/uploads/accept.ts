import { fileTypeFromBuffer } from 'file-type';
import type { BlobStore } from '../blobs/index.js';
import { HttpProblem } from '../http/problem.js';
import { extensionsOf, type UploadLimits } from './limits.js';
import type { VirusScanner } from './scan.js';
import './messages.js';

/** What a case (or anything else) keeps of an accepted file: the blob store holds the bytes. */
export interface UploadReference {
  /** Lower-case hex SHA-256: the file's address in the blob store. */
  sha256: string;
  /** The MIME type recognised from the content, never the one the sender declared. */
  type: string;
  size: number;
  /** The file name as the sender gave it, without any folder part; null when none was given. */
  name: string | null;
}

export interface UploadDependencies {
  blobs: BlobStore;
  scanner: VirusScanner;
}

const problem = (status: number, slug: string, values: Record<string, unknown> = {}) =>
  new HttpProblem(status, slug, `uploads.${slug}`, { detail: `uploads.${slug}.detail`, values });

export const uploadProblems = {
  empty: () => problem(422, 'upload-empty'),
  tooLarge: (limit: number) => problem(413, 'upload-too-large', { limit }),
  typeNotAllowed: (found: string, allowed: readonly string[]) =>
    problem(415, 'upload-type-not-allowed', { found, allowed: allowed.join(', ') }),
  nameMismatch: (found: string, extension: string) =>
    problem(415, 'upload-type-not-allowed', { found, allowed: `.${extension}` }),
  infected: () => problem(422, 'upload-infected'),
  scanUnavailable: () => problem(503, 'upload-scan-unavailable'),
};

// Control and format characters: a right-to-left override makes "invoice\u202Efdp.exe" look like a PDF.
const CONTROL = /[\p{Cc}\p{Cf}]/gu;

/** The last path segment, without control characters; folders a browser or a tool sent go. */
export function cleanFileName(name: string | undefined): string | null {
  if (name === undefined) return null;
  const base = (name.split(/[/\\]/).pop() ?? '').normalize('NFC').replace(CONTROL, '').trim();
  if (base === '' || base === '.' || base === '..') return null;
  return [...base].slice(0, 200).join('');
}

/**
 * Checks a file against the slot's limits and stores it: the type is recognised from the content
 * (file-type's signatures), so neither the name nor the declared Content-Type can make a program
 * pass for a PDF. A name whose extension disagrees with the content is refused as well: staff
 * would open "invoice.pdf" trusting the name. Nothing is stored unless every check passes.
 */
export async function acceptUpload(
  deps: UploadDependencies,
  content: Uint8Array,
  input: { name?: string; limits: UploadLimits },
): Promise<UploadReference> {
  const { limits } = input;
  if (content.byteLength === 0) throw uploadProblems.empty();
  if (content.byteLength > limits.maxBytes) throw uploadProblems.tooLarge(limits.maxBytes);
  const sniffed = await fileTypeFromBuffer(content);
  const found = sniffed?.mime ?? 'unknown';
  if (!sniffed || !limits.types.includes(sniffed.mime))
    throw uploadProblems.typeNotAllowed(found, limits.types);
  const name = cleanFileName(input.name);
  const extension = name?.includes('.') ? name.split('.').pop()?.toLowerCase() : undefined;
  if (extension !== undefined && !extensionsOf(sniffed.mime, sniffed.ext).includes(extension)) {
    throw uploadProblems.nameMismatch(found, sniffed.ext);
  }
  let verdict: Awaited<ReturnType<VirusScanner['scan']>>;
  try {
    verdict = await deps.scanner.scan(content);
  } catch {
    throw uploadProblems.scanUnavailable();
  }
  if (!verdict.clean) throw uploadProblems.infected();
  const stored = await deps.blobs.put(content);
  return { sha256: stored.sha256, type: sniffed.mime, size: stored.size, name };
}
