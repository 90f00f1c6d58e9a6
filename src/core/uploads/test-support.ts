/**
 * Small files with real signatures, for tests of upload slots here and in the modules that
 * declare them. Each is a complete (if tiny) file of its kind, not just a magic number.
 */
export const samples = {
  pdf: Buffer.from(
    '%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\n' +
      'trailer <</Root 1 0 R>>\n%%EOF\n',
    'latin1',
  ),
  /** 1×1 pixel PNG. */
  png: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
  /** JFIF start of image, APP0 segment, end of image. */
  jpeg: Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00, 0xff, 0xd9,
  ]),
  /** A Windows program: MZ header pointing at a PE signature. */
  exe: (() => {
    const file = Buffer.alloc(256);
    file.write('MZ', 0, 'latin1');
    file.writeUInt32LE(0x80, 0x3c);
    file.write('PE\0\0', 0x80, 'latin1');
    return file;
  })(),
  /** The EICAR anti-virus test file: harmless, and every scanner reports it. */
  eicar: Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1'),
};
