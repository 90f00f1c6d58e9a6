import { supportedMimeTypes } from 'file-type';

/** What an upload slot accepts: declared by whoever owns the slot (a service definition, say). */
export interface UploadLimits {
  /** MIME types recognised from the content, e.g. application/pdf, image/png, image/jpeg. */
  types: readonly string[];
  /** Largest accepted file, in bytes. */
  maxBytes: number;
}

/**
 * Whether content sniffing can ever recognise this type. Text formats (text/plain, text/csv,
 * application/json) have no signature, so a slot that names them would refuse every file.
 */
export function isSniffableType(mime: string): boolean {
  return supportedMimeTypes.has(mime as never);
}

/**
 * The problems of a declaration, for start-up checks of catalogues: empty when the limits can be
 * met. `ceiling` is the platform's UPLOAD_MAX_BYTES.
 */
export function checkUploadLimits(limits: UploadLimits, ceiling: number): string[] {
  const problems: string[] = [];
  if (limits.types.length === 0) problems.push('types: name at least one MIME type');
  for (const type of limits.types) {
    if (!isSniffableType(type)) problems.push(`types: ${type} cannot be recognised from a file's content`);
  }
  if (!Number.isInteger(limits.maxBytes) || limits.maxBytes < 1) {
    problems.push('maxBytes: a whole number of bytes, 1 or more');
  } else if (limits.maxBytes > ceiling) {
    problems.push(`maxBytes: ${limits.maxBytes} is above the platform's UPLOAD_MAX_BYTES (${ceiling})`);
  }
  return problems;
}

/**
 * File name extensions that agree with a sniffed type, where there is more than the one
 * file-type reports.
 */
const EXTENSIONS: Record<string, readonly string[]> = {
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/tiff': ['tif', 'tiff'],
  'image/heic': ['heic', 'heif'],
};

export function extensionsOf(mime: string, sniffedExtension: string): readonly string[] {
  return EXTENSIONS[mime] ?? [sniffedExtension];
}
