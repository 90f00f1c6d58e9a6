import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogueError, loadCatalogue } from './catalogue.js';
import { PUBLISHED_DEFINITION_SCHEMA, type ServiceDefinition } from './definition.js';
import { SHIPPED_CATALOGUE } from './settings.js';

const shipped = (id: string): ServiceDefinition =>
  JSON.parse(fs.readFileSync(path.join(SHIPPED_CATALOGUE, `${id}.json`), 'utf8'));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A catalogue folder holding these files (name → content). */
function folder(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-catalogue-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function loadBroken(change: (d: ServiceDefinition & Record<string, unknown>) => void): string {
  const definition = structuredClone(shipped('change-of-address')) as ServiceDefinition &
    Record<string, unknown>;
  change(definition);
  const dir = folder({ 'change-of-address.json': definition });
  try {
    loadCatalogue(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogueError);
    const message = (error as Error).message;
    expect(message.startsWith(`${path.join(dir, 'change-of-address.json')}: `)).toBe(true);
    return message.slice(path.join(dir, 'change-of-address.json').length + 2);
  }
  throw new Error('the broken definition was accepted');
}

describe('the shipped catalogue', () => {
  it('holds the two example services of Home Affairs', () => {
    const catalogue = loadCatalogue(SHIPPED_CATALOGUE);
    expect(catalogue.services.map((s) => [s.id, s.ministry])).toEqual([
      ['birth-certificate-copy', 'home-affairs'],
      ['change-of-address', 'home-affairs'],
    ]);
    expect(catalogue.get('birth-certificate-copy')?.definition.fees?.amount).toBe(5000);
  });

  it('keeps the published schema in the repository, identical to the one served', () => {
    const file = path.join(SHIPPED_CATALOGUE, '..', 'service-definition.schema.json');
    // Regenerate with: node --import tsx -e "import('./src/modules/services/index.ts').then(m => process.stdout.write(JSON.stringify(m.PUBLISHED_DEFINITION_SCHEMA, null, 2)))"
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(PUBLISHED_DEFINITION_SCHEMA);
  });
});

describe('a broken definition stops loading, naming the file and the JSON path', () => {
  it.each<[string, (d: ServiceDefinition & Record<string, unknown>) => void, string]>([
    ['an unknown field', (d) => Object.assign(d, { colour: 'blue' }), '/colour: is not a known field'],
    [
      'a missing Sesotho name',
      (d) => {
        d.name = { en: 'Change of address' } as never;
      },
      '/name/st:',
    ],
    [
      'an unknown role',
      (d) => {
        (d.workflow.actions.verify as { by: string[] }).by = ['clerk'];
      },
      '/workflow/actions/verify/by/0:',
    ],
    [
      'an action to a state that does not exist',
      (d) => {
        (d.workflow.actions.verify as { to: string }).to = 'checked';
      },
      '/workflow/actions/verify/to: names no state: checked',
    ],
    [
      'an action leaving a final state',
      (d) => {
        d.workflow.actions.withdraw?.from.push('recorded');
      },
      '/workflow/actions/withdraw/from/2: leaves final state recorded',
    ],
    [
      'a state no action leaves',
      (d) => {
        (d.workflow.actions.resubmit as { from: string[] }).from = ['submitted'];
        (d.workflow.actions.withdraw as { from: string[] }).from = ['submitted'];
      },
      '/workflow/states/returned: no action leaves this state',
    ],
    [
      'an automatic action the system may not take',
      (d) => {
        (d.workflow.states.submitted as { automatic?: string }).automatic = 'verify';
      },
      '/workflow/states/submitted/automatic: must name an action from submitted that the system may take',
    ],
    [
      'maker-checker naming an unknown action',
      (d) => {
        (d.workflow.actions.approve as { checkerOf?: string[] }).checkerOf = ['prepare'];
      },
      '/workflow/actions/approve/checkerOf/0: names no action: prepare',
    ],
    [
      'a page field the form does not have',
      (d) => {
        d.form.pages[0]?.fields.push('/address/street');
      },
      '/form/pages/0/fields/3: names no field of the form: /address/street',
    ],
    [
      'a form field on no page',
      (d) => {
        (d.form.schema as unknown as { properties: Record<string, unknown> }).properties.phone = {
          type: 'string',
        };
      },
      '/form/schema/properties/phone: is on no page of the form',
    ],
    [
      'a misspelt keyword in the form schema',
      (d) => {
        const props = (d.form.schema as unknown as { properties: Record<string, Record<string, unknown>> })
          .properties;
        props.since = { type: 'string', formatt: 'date' };
      },
      '/form/schema: strict mode: unknown keyword: "formatt"',
    ],
    [
      'a payment action without fees',
      (d) => {
        (d.workflow.actions.verify as { payment?: boolean }).payment = true;
      },
      '/workflow/actions/verify/payment: the service has no fees',
    ],
    [
      'an output in a state that is not final',
      (d) => {
        (d.outputs[0] as { when: string }).when = 'verified';
      },
      '/outputs/0/when: names no final state: verified',
    ],
    [
      'an output to a registry that does not exist',
      (d) => {
        (d.outputs[0]?.registry as { registry: string }).registry = 'addresses';
      },
      '/outputs/0/registry: names no registry: addresses',
    ],
    [
      'an output to a registry field that does not exist',
      (d) => {
        const fields = d.outputs[0]?.registry?.fields as Record<string, string>;
        fields.street = '/address/village';
      },
      '/outputs/0/registry: residential-addresses records have no field street',
    ],
    [
      'an id that is not the file name',
      (d) => {
        d.id = 'address-change';
      },
      '/id: must match the file name (address-change.json)',
    ],
  ])('%s', (_name, change, expected) => {
    expect(loadBroken(change)).toContain(expected);
  });

  it('refuses a file that is not JSON', () => {
    const dir = folder({ 'broken.json': '{ "id": ' });
    expect(() => loadCatalogue(dir)).toThrow(/broken\.json: \/: is not valid JSON/);
  });

  it('refuses two services with the same reference prefix', () => {
    const copy = { ...shipped('change-of-address'), id: 'change-of-address-again' };
    const dir = folder({
      'change-of-address.json': shipped('change-of-address'),
      'change-of-address-again.json': copy,
    });
    expect(() => loadCatalogue(dir)).toThrow(
      /change-of-address\.json: \/referencePrefix: is already used by change-of-address-again/,
    );
  });

  it('refuses a folder that does not exist', () => {
    expect(() => loadCatalogue(path.join(os.tmpdir(), 'no-such-catalogue'))).toThrow(CatalogueError);
  });
});
