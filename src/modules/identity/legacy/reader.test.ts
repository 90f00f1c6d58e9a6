import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CsvItem, type ReadOptions, readCsv } from './reader.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let files = 0;
async function read(content: string | Buffer, options: Partial<ReadOptions> = {}) {
  const file = path.join(dir, `${++files}.csv`);
  fs.writeFileSync(file, content);
  const items: CsvItem[] = [];
  for await (const item of readCsv(file, { delimiter: ',', encoding: 'utf8', ...options })) items.push(item);
  return items;
}

/** Items as short tuples: [line, fields joined with |] for rows, [line, 'BROKEN', raw] for broken text. */
const shape = (items: CsvItem[]) =>
  items.map((i) =>
    i.kind === 'header'
      ? ['header', i.fields.join('|')]
      : i.kind === 'record'
        ? [i.line, i.fields.join('|')]
        : [i.line, 'BROKEN', i.raw],
  );

describe('reading a CSV file as a stream', () => {
  it('gives every row with the line it starts on and its index, the header first', async () => {
    const items = await read('\ufeffa,b,c\r\n1,2,3\r\n\r\n4,"5\n5",6\r\n7,8,9');
    expect(shape(items)).toEqual([
      ['header', 'a|b|c'],
      [2, '1|2|3'],
      [4, '4|5\n5|6'],
      [6, '7|8|9'],
    ]);
    expect(items.filter((i) => i.kind === 'record').map((i) => (i.kind === 'record' ? i.index : -1))).toEqual(
      [0, 1, 2],
    );
    expect(items.at(-1)).toMatchObject({ endByte: fs.statSync(path.join(dir, `${files}.csv`)).size });
  });

  it('keeps rows with too many or too few fields for the caller to report', async () => {
    expect(shape(await read('a,b,c\n1,2\n1,2,3,4\n'))).toEqual([
      ['header', 'a|b|c'],
      [2, '1|2'],
      [3, '1|2|3|4'],
    ]);
  });

  it('a quote never closed costs its line only: reading starts again on the next', async () => {
    expect(shape(await read('a,b,c\n1,2,3\n4,"5,6\n7,8,9\n\n10,11,12\n'))).toEqual([
      ['header', 'a|b|c'],
      [2, '1|2|3'],
      [3, 'BROKEN', '4,"5,6'],
      [4, '7|8|9'],
      [6, '10|11|12'],
    ]);
    expect(shape(await read('a,b,c\n1,2,3\n4,5,"6'))).toEqual([
      ['header', 'a|b|c'],
      [2, '1|2|3'],
      [3, 'BROKEN', '4,5,"6'],
    ]);
  });

  it('a quote closed lines later does not swallow the rows between', async () => {
    expect(shape(await read('a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,"x"",y",12\n13,14,15\n'))).toEqual([
      ['header', 'a|b|c'],
      [2, '1|2|3'],
      [3, 'BROKEN', '4,"5,6'],
      [4, '7|8|9'],
      [5, '10|x",y|12'],
      [6, '13|14|15'],
    ]);
  });

  it('a row whose name column runs over lines is broken even with the right number of fields', async () => {
    const items = await read('name,b,c\n"Thabo,2,3\nLerato",5,6\n7,8,9\n', { singleLineColumns: ['NAME'] });
    expect(shape(items)).toEqual([
      ['header', 'name|b|c'],
      [2, 'BROKEN', '"Thabo,2,3'],
      [3, 'Lerato"|5|6'],
      [4, '7|8|9'],
    ]);
  });

  it('an unclosed quote in a big file stops at the size limit, not at the end of the file', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},x,y`).join('\n');
    const items = await read(`a,b,c\n"open,1,2\n${rows}\n`, { maxRecordBytes: 1024 });
    expect(items[1]).toMatchObject({ kind: 'broken', line: 2 });
    expect(items.filter((i) => i.kind === 'record')).toHaveLength(5000);
  });

  it('reads latin1 as Windows-1252, so š and ’ come out right', async () => {
    const bytes = Buffer.from([
      ...Buffer.from('a;b\n', 'latin1'),
      0x54,
      0x9a,
      0x65,
      0x70,
      0x6f,
      0x3b,
      0x92,
      0x4d,
      0x61,
      0xe8,
      0x0a,
    ]);
    expect(shape(await read(bytes, { delimiter: ';', encoding: 'latin1' }))).toEqual([
      ['header', 'a|b'],
      [2, 'Tšepo|’Maè'],
    ]);
  });

  it('passes bytes that are not UTF-8 on as replacement characters, for the row checks to refuse', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n'), Buffer.from([0xff, 0xfe, 0x00, 0x2c, 0x41, 0x0a])]);
    expect(shape(await read(bytes))).toEqual([
      ['header', 'a|b'],
      [2, '\ufffd\ufffd\u0000|A'],
    ]);
  });

  it('an empty file has no header', async () => {
    expect(await read('')).toEqual([]);
  });
});
