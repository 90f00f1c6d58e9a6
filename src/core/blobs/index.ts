import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface StoredBlob {
  /** Lower-case hex SHA-256 of the content: its address. */
  sha256: string;
  size: number;
}

/**
 * Content-addressed storage for uploads and issued documents. The database keeps the hash; the
 * same content is stored once. A folder by default; an S3-compatible store implements the same
 * interface.
 */
export interface BlobStore {
  put(content: Uint8Array | Readable): Promise<StoredBlob>;
  get(sha256: string): Promise<Buffer | undefined>;
  stream(sha256: string): Readable | undefined;
  has(sha256: string): Promise<boolean>;
  /** Every stored address, for backups and integrity checks. */
  list(): AsyncIterable<string>;
}

const HASH = /^[0-9a-f]{64}$/;

export function folderBlobStore(root: string): BlobStore {
  const pathOf = (sha256: string) => {
    if (!HASH.test(sha256)) throw new RangeError('not a SHA-256 address');
    return path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };
  return {
    async put(content) {
      const tmpDir = path.join(root, 'tmp');
      await fs.promises.mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      const hash = createHash('sha256');
      let size = 0;
      const handle = await fs.promises.open(tmp, 'w');
      try {
        try {
          if (content instanceof Uint8Array) {
            hash.update(content);
            size = content.byteLength;
            await handle.writeFile(content);
          } else {
            // Written chunk by chunk on the handle: a write stream made from the handle holds it
            // open, and closing the handle would then wait forever.
            for await (const chunk of content as AsyncIterable<Buffer>) {
              hash.update(chunk);
              size += chunk.byteLength;
              for (let done = 0; done < chunk.byteLength; ) {
                done += (await handle.write(chunk, done)).bytesWritten;
              }
            }
          }
          // The caller will acknowledge a write that refers to this hash: it must be on disk first.
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        // A failed upload leaves nothing behind.
        await fs.promises.rm(tmp, { force: true });
        throw error;
      }
      const sha256 = hash.digest('hex');
      const target = pathOf(sha256);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.rename(tmp, target);
      return { sha256, size };
    },
    async get(sha256) {
      try {
        return await fs.promises.readFile(pathOf(sha256));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    stream(sha256) {
      const file = pathOf(sha256);
      return fs.existsSync(file) ? fs.createReadStream(file) : undefined;
    },
    async has(sha256) {
      return fs.existsSync(pathOf(sha256));
    },
    async *list() {
      if (!fs.existsSync(root)) return;
      for (const a of await fs.promises.readdir(root)) {
        if (a === 'tmp') continue;
        for (const b of await fs.promises.readdir(path.join(root, a))) {
          for (const name of await fs.promises.readdir(path.join(root, a, b))) {
            if (HASH.test(name)) yield name;
          }
        }
      }
    },
  };
}
