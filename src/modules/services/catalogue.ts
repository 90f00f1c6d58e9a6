import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { checkRegistryOutput } from '../registries/index.js';
import { type ServiceDefinition, ServiceDefinitionSchema } from './definition.js';

/**
 * The service catalogue: every `*.json` file in one folder, each a service definition. A broken
 * definition stops start-up with one line naming the file and the JSON path of what is wrong, so
 * a ministry's mistake never reaches a citizen.
 */
export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

export interface CatalogueEntry {
  definition: ServiceDefinition;
  /** Checks form data against the definition's form schema, every error at once. */
  validateForm: ValidateFunction;
}

export interface Catalogue {
  readonly dir: string;
  readonly services: readonly ServiceDefinition[];
  get(id: string): CatalogueEntry | undefined;
}

function newAjv(strict: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict, coerceTypes: false, useDefaults: false });
  addFormats.default(ajv);
  return ajv;
}

const checkDefinition = newAjv(false).compile(ServiceDefinitionSchema);
// Strict: a misspelt keyword ("maxLenght") in a ministry's form is an error, not a silent no-op.
const formAjv = newAjv(true);

/** A problem found in one definition: where (JSON pointer) and what. */
interface Finding {
  at: string;
  message: string;
}

function schemaFinding(errors: readonly ErrorObject[]): Finding {
  // The deepest error says most; the unions' summary errors sit higher up.
  const [first] = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  if (!first) return { at: '/', message: 'is not a service definition' };
  const params = first.params as Record<string, unknown>;
  const extra = params.additionalProperty ?? params.missingProperty;
  const at = extra ? `${first.instancePath}/${String(extra)}` : first.instancePath || '/';
  const message =
    first.keyword === 'additionalProperties' ? 'is not a known field' : (first.message ?? 'is not valid');
  return { at, message };
}

/** The schema node a form pointer names, walking `properties` (and `items` for arrays). */
function schemaAt(schema: Record<string, unknown>, pointer: string): unknown {
  let node: Record<string, unknown> | undefined = schema;
  for (const segment of pointer.split('/').slice(1)) {
    const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = properties?.[segment];
    if (node?.type === 'array') node = node.items as Record<string, unknown> | undefined;
  }
  return node;
}

/** Rules the JSON Schema cannot state: every name used must exist, and no state is a dead end. */
function* semanticFindings(d: ServiceDefinition): Generator<Finding> {
  const { states, actions, initial } = d.workflow;
  const isState = (s: string) => Object.hasOwn(states, s);
  if (!isState(initial)) yield { at: '/workflow/initial', message: `names no state: ${initial}` };
  if (!Object.values(states).some((s) => s.final)) {
    yield { at: '/workflow/states', message: 'has no final state' };
  }
  for (const [id, action] of Object.entries(actions)) {
    const at = `/workflow/actions/${id}`;
    for (const [i, from] of action.from.entries()) {
      if (!isState(from)) yield { at: `${at}/from/${i}`, message: `names no state: ${from}` };
      else if (states[from]?.final) yield { at: `${at}/from/${i}`, message: `leaves final state ${from}` };
    }
    if (!isState(action.to)) yield { at: `${at}/to`, message: `names no state: ${action.to}` };
    for (const [i, other] of (action.checkerOf ?? []).entries()) {
      if (!Object.hasOwn(actions, other))
        yield { at: `${at}/checkerOf/${i}`, message: `names no action: ${other}` };
    }
    if (action.payment && !d.fees) yield { at: `${at}/payment`, message: 'the service has no fees' };
  }
  for (const [id, state] of Object.entries(states)) {
    const at = `/workflow/states/${id}`;
    const leaving = Object.values(actions).filter((a) => a.from.includes(id));
    if (!state.final && leaving.length === 0) yield { at, message: 'no action leaves this state' };
    if (state.automatic !== undefined) {
      const automatic = actions[state.automatic];
      if (!automatic?.from.includes(id) || !automatic.by.includes('system')) {
        yield {
          at: `${at}/automatic`,
          message: `must name an action from ${id} that the system may take: ${state.automatic}`,
        };
      }
    }
  }
  const schema = d.form.schema as Record<string, unknown>;
  const onPages = new Set(d.form.pages.flatMap((p) => p.fields));
  for (const [i, page] of d.form.pages.entries()) {
    for (const [j, pointer] of page.fields.entries()) {
      if (!schemaAt(schema, pointer)) {
        yield { at: `/form/pages/${i}/fields/${j}`, message: `names no field of the form: ${pointer}` };
      }
    }
  }
  for (const pointer of Object.keys(d.form.fields)) {
    if (!schemaAt(schema, pointer))
      yield { at: `/form/fields/${pointer}`, message: 'names no field of the form' };
  }
  for (const name of Object.keys((schema.properties as object | undefined) ?? {})) {
    const covered = [...onPages].some((p) => p === `/${name}` || p.startsWith(`/${name}/`));
    if (!covered) yield { at: `/form/schema/properties/${name}`, message: 'is on no page of the form' };
  }
  for (const [i, output] of d.outputs.entries()) {
    if (!states[output.when]?.final) {
      yield { at: `/outputs/${i}/when`, message: `names no final state: ${output.when}` };
    }
    if (output.registry) {
      const { registry, fields } = output.registry;
      for (const problem of checkRegistryOutput(registry, Object.keys(fields))) {
        yield { at: `/outputs/${i}/registry`, message: problem };
      }
    }
    for (const [field, pointer] of Object.entries(output.registry?.fields ?? {})) {
      if (!schemaAt(schema, pointer)) {
        yield {
          at: `/outputs/${i}/registry/fields/${field}`,
          message: `names no field of the form: ${pointer}`,
        };
      }
    }
  }
  const repeated = (ids: string[]) => ids.findIndex((id, i) => ids.indexOf(id) !== i);
  const upload = repeated(d.uploads.map((u) => u.id));
  if (upload >= 0) yield { at: `/uploads/${upload}/id`, message: 'is used twice' };
  const option = repeated(d.fees?.options.map((o) => o.id) ?? []);
  if (option >= 0) yield { at: `/fees/options/${option}/id`, message: 'is used twice' };
}

function fail(file: string, finding: Finding): never {
  throw new CatalogueError(`${file}: ${finding.at}: ${finding.message}`);
}

function loadEntry(file: string, text: string): CatalogueEntry {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail(file, { at: '/', message: `is not valid JSON (${(error as Error).message})` });
  }
  if (!checkDefinition(data)) fail(file, schemaFinding(checkDefinition.errors ?? []));
  const definition = data as ServiceDefinition;
  if (`${definition.id}.json` !== path.basename(file)) {
    fail(file, { at: '/id', message: `must match the file name (${definition.id}.json)` });
  }
  for (const finding of semanticFindings(definition)) fail(file, finding);
  let validateForm: ValidateFunction;
  try {
    validateForm = formAjv.compile(definition.form.schema);
  } catch (error) {
    fail(file, { at: '/form/schema', message: (error as Error).message });
  }
  return { definition, validateForm };
}

/** Reads and checks every definition in `dir`; throws CatalogueError at the first broken one. */
export function loadCatalogue(dir: string): Catalogue {
  if (!fs.existsSync(dir)) throw new CatalogueError(`${dir}: the service catalogue folder does not exist`);
  const entries = new Map<string, CatalogueEntry>();
  const prefixes = new Map<string, string>();
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const name of files) {
    const file = path.join(dir, name);
    const entry = loadEntry(file, fs.readFileSync(file, 'utf8'));
    const { id, referencePrefix } = entry.definition;
    const taken = prefixes.get(referencePrefix);
    if (taken) fail(file, { at: '/referencePrefix', message: `is already used by ${taken}` });
    prefixes.set(referencePrefix, id);
    entries.set(id, entry);
  }
  const services = [...entries.values()].map((e) => e.definition);
  return { dir, services, get: (id) => entries.get(id) };
}

const loaded = new Map<string, Catalogue>();

/** The catalogue in `dir`, read once per process. */
export function catalogueAt(dir: string): Catalogue {
  let catalogue = loaded.get(dir);
  if (!catalogue) {
    catalogue = loadCatalogue(dir);
    loaded.set(dir, catalogue);
  }
  return catalogue;
}
