import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlobStore, folderBlobStore } from './index.js';

let base: string;
let root: string;
let store: BlobStore;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function listAll(): Promise<string[]> {
  const out: string[] = [];
  for await (const address of store.list()) out.push(address);
  return out.sort();
}

/** Every file under the store's folder, relative to it. */
function filesOnDisk(): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(root, f)).isFile())
    .sort();
}

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-blobs-test-'));
  root = path.join(base, 'blobs');
  store = folderBlobStore(root);
});

afterEach(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

describe('folderBlobStore', () => {
  it('stores bytes under their SHA-256 and gives them back', async () => {
    const content = new TextEncoder().encode('Kopo ea lengolo la tsoalo');
    const stored = await store.put(content);
    expect(stored).toEqual({ sha256: sha256(content), size: content.byteLength });
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.has(stored.sha256)).toBe(true);
    const back = await store.get(stored.sha256);
    expect(back).toBeInstanceOf(Buffer);
    expect(Buffer.compare(back as Buffer, Buffer.from(content))).toBe(0);
    expect(filesOnDisk()).toEqual([
      path.join(stored.sha256.slice(0, 2), stored.sha256.slice(2, 4), stored.sha256),
    ]);
  });

  it('stores an empty blob', async () => {
    const stored = await store.put(new Uint8Array());
    expect(stored).toEqual({ sha256: sha256(new Uint8Array()), size: 0 });
    expect((await store.get(stored.sha256))?.byteLength).toBe(0);
  });

  it('stores a stream of many chunks, hashing exactly what it wrote', async () => {
    const chunks = Array.from({ length: 40 }, () => randomBytes(32 * 1024));
    const whole = Buffer.concat(chunks);
    const stored = await store.put(Readable.from(chunks));
    expect(stored).toEqual({ sha256: sha256(whole), size: whole.byteLength });
    const back = await store.get(stored.sha256);
    expect(back && Buffer.compare(back, whole)).toBe(0);
    const streamed = store.stream(stored.sha256);
    expect(streamed).toBeDefined();
    expect(Buffer.compare(await buffer(streamed as Readable), whole)).toBe(0);
  });

  it('a stream and bytes with the same content share one address and one file', async () => {
    const content = Buffer.from('the same certificate');
    const a = await store.put(content);
    const b = await store.put(Readable.from([content.subarray(0, 5), content.subarray(5)]));
    const c = await store.put(new Uint8Array(content));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(await listAll()).toEqual([a.sha256]);
    expect(filesOnDisk()).toHaveLength(1);
  });

  it('concurrent puts of the same content end with one stored copy', async () => {
    const content = randomBytes(100_000);
    const results = await Promise.all(Array.from({ length: 5 }, () => store.put(content)));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(filesOnDisk()).toHaveLength(1);
    expect(Buffer.compare((await store.get(results[0]?.sha256 as string)) as Buffer, content)).toBe(0);
  });

  it('lists every stored address and nothing else', async () => {
    expect(await listAll()).toEqual([]);
    const addresses: string[] = [];
    for (let i = 0; i < 12; i++) addresses.push((await store.put(Buffer.from(`document ${i}`))).sha256);
    expect(await listAll()).toEqual([...addresses].sort());
  });

  it('lists nothing when the folder does not exist yet', async () => {
    expect(fs.existsSync(root)).toBe(false);
    expect(await listAll()).toEqual([]);
  });

  it('answers unknown (but well-formed) addresses with nothing', async () => {
    const unknown = sha256(Buffer.from('never stored'));
    expect(await store.has(unknown)).toBe(false);
    expect(await store.get(unknown)).toBeUndefined();
    expect(store.stream(unknown)).toBeUndefined();
  });

  it('a failed upload stream leaves neither a blob nor a temporary file', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial upload'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put(failing)).rejects.toThrow('client went away');
    expect(await listAll()).toEqual([]);
    expect(filesOnDisk()).toEqual([]);
  });

  describe('refuses anything that is not a SHA-256 address', () => {
    const secret = () => path.join(base, 'secret.txt');
    const bad = [
      '../secret.txt',
      '../../etc/passwd',
      '/etc/passwd',
      '',
      'abc',
      'A'.repeat(64),
      'g'.repeat(64),
      `${'a'.repeat(63)}`,
      `${'a'.repeat(65)}`,
      `${'a'.repeat(64)}/..`,
      `../${'a'.repeat(61)}`,
      `${'a'.repeat(64)}\n`,
    ];

    beforeEach(() => {
      fs.writeFileSync(secret(), 'not for you');
    });

    it.each(bad)('get(%j)', async (address) => {
      await expect(store.get(address)).rejects.toBeInstanceOf(RangeError);
    });

    it.each(bad)('has(%j)', async (address) => {
      await expect(store.has(address)).rejects.toBeInstanceOf(RangeError);
    });

    it.each(bad)('stream(%j)', (address) => {
      expect(() => store.stream(address)).toThrow(RangeError);
    });
  });
});
