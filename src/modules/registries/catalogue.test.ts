import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadRegistries,
  RegistryDefinitionError,
  registryCatalogue,
  SHIPPED_REGISTRIES,
} from './catalogue.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const shipped = JSON.parse(
  fs.readFileSync(path.join(SHIPPED_REGISTRIES, 'residential-addresses.json'), 'utf8'),
);

interface Editable {
  id: string;
  name: Record<string, string>;
  key: string[];
  record: {
    required: string[];
    properties: Record<string, Record<string, unknown>>;
    additionalProperties?: boolean;
  };
  access: { read: string[]; write: string[] };
  [extra: string]: unknown;
}

/** A folder holding one definition, the shipped one with `edit` applied. */
function folderWith(edit: (d: Editable) => void, name = 'residential-addresses.json'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-registries-'));
  dirs.push(dir);
  const definition = structuredClone(shipped);
  edit(definition);
  fs.writeFileSync(path.join(dir, name), JSON.stringify(definition));
  return dir;
}

function refusal(dir: string): RegistryDefinitionError {
  try {
    loadRegistries(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryDefinitionError);
    return error as RegistryDefinitionError;
  }
  throw new Error('the definition was accepted');
}

describe('the registry catalogue', () => {
  it('loads the shipped registries', () => {
    const catalogue = registryCatalogue();
    expect(catalogue.registries.map((r) => r.id)).toEqual(['certified-copies', 'residential-addresses']);
    expect(catalogue.get('residential-addresses')?.definition.key).toEqual(['reference']);
    expect(catalogue.get('vehicles')).toBeUndefined();
  });

  it('stops on a broken definition, naming the file and the JSON path', () => {
    const cases: [(d: Editable) => void, string, RegExp][] = [
      [(d) => (d.access.read = ['registrar', 'chief']), '/access/read/1', /allowed values/],
      [(d) => (d.name = { en: 'Addresses' }), '/name/st', /missing/],
      [(d) => (d.colour = 'blue'), '/colour', /not a known field/],
      [(d) => (d.key = ['constituency']), '/key/0', /required string or integer/],
      [(d) => (d.key = ['since', 'district']), '/key/1', /required string or integer/],
      [(d) => d.record.required.push('postcode'), '/record/required/4', /names no field/],
      [(d) => ((d.record.properties.village ?? {}).maxLenght = 100), '/record', /unknown keyword/],
      [(d) => delete d.record.additionalProperties, '/record/additionalProperties', /missing/],
      [(d) => (d.id = 'addresses'), '/id', /must match the file name/],
      [(d) => (d.access.write = []), '/access/write', /fewer than 1/],
    ];
    for (const [edit, at, problem] of cases) {
      const dir = folderWith(edit);
      const error = refusal(dir);
      expect(error.file, at).toBe(path.join(dir, 'residential-addresses.json'));
      expect(error.at, error.message).toBe(at);
      expect(error.message, at).toMatch(problem);
      expect(error.message.startsWith(`${error.file}: ${at}: `)).toBe(true);
    }
  });

  it('stops on a file that is not JSON, or a missing folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-registries-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'vehicles.json'), '{ "id": "vehicles", ');
    expect(refusal(dir).message).toMatch(/vehicles\.json: \/: is not valid JSON/);
    expect(refusal(path.join(dir, 'nowhere')).message).toMatch(/does not exist/);
  });
});
