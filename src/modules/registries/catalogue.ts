import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { type RegistryDefinition, RegistryDefinitionSchema } from './definition.js';

/** The registries shipped with the platform. */
export const SHIPPED_REGISTRIES = path.resolve(import.meta.dirname, '../../catalogue/registries');

/** A broken definition: stops start-up with the file and the JSON path of what is wrong. */
export class RegistryDefinitionError extends Error {
  override name = 'RegistryDefinitionError';
  constructor(
    readonly file: string,
    readonly at: string,
    problem: string,
  ) {
    super(`${file}: ${at}: ${problem}`);
  }
}

export interface Registry {
  definition: RegistryDefinition;
  /** Checks a whole record: every error at once, no coercion, unknown fields refused. */
  validate: ValidateFunction;
}

export interface RegistryCatalogue {
  readonly dir: string;
  readonly registries: readonly RegistryDefinition[];
  get(id: string): Registry | undefined;
}

const ajv = (strict: boolean) => {
  const instance = new Ajv({ allErrors: true, strict, coerceTypes: false, useDefaults: false });
  addFormats.default(instance);
  return instance;
};
const checkDefinition = ajv(false).compile(RegistryDefinitionSchema);
// Strict: "maxLenght" in a ministry's schema is a mistake to report, not a keyword to ignore.
const recordAjv = ajv(true);

function firstProblem(errors: readonly ErrorObject[]): { at: string; problem: string } {
  const [deepest] = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  const params = (deepest?.params ?? {}) as Record<string, unknown>;
  const named = params.additionalProperty ?? params.missingProperty;
  const at = `${deepest?.instancePath ?? ''}${named ? `/${String(named)}` : ''}` || '/';
  if (deepest?.keyword === 'additionalProperties') return { at, problem: 'is not a known field' };
  if (deepest?.keyword === 'required') return { at, problem: 'is missing' };
  return { at, problem: deepest?.message ?? 'is not a registry definition' };
}

const KEY_TYPES = new Set(['string', 'integer']);

function readDefinition(file: string): Registry {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RegistryDefinitionError(file, '/', `is not valid JSON (${(error as Error).message})`);
  }
  if (!checkDefinition(data)) {
    const { at, problem } = firstProblem(checkDefinition.errors ?? []);
    throw new RegistryDefinitionError(file, at, problem);
  }
  const definition = data as RegistryDefinition;
  if (`${definition.id}.json` !== path.basename(file)) {
    throw new RegistryDefinitionError(file, '/id', `must match the file name (${definition.id}.json)`);
  }
  const { properties, required } = definition.record;
  for (const [i, name] of required.entries()) {
    if (!Object.hasOwn(properties, name)) {
      throw new RegistryDefinitionError(
        file,
        `/record/required/${i}`,
        `names no field of the record: ${name}`,
      );
    }
  }
  for (const [i, name] of definition.key.entries()) {
    const type = (properties[name] as { type?: unknown } | undefined)?.type;
    if (!required.includes(name) || typeof type !== 'string' || !KEY_TYPES.has(type)) {
      throw new RegistryDefinitionError(
        file,
        `/key/${i}`,
        `must be a required string or integer field: ${name}`,
      );
    }
  }
  let validate: ValidateFunction;
  try {
    validate = recordAjv.compile(definition.record);
  } catch (error) {
    throw new RegistryDefinitionError(file, '/record', (error as Error).message);
  }
  return { definition, validate };
}

/** Reads and checks every `*.json` in `dir`; throws RegistryDefinitionError at the first broken one. */
export function loadRegistries(dir: string): RegistryCatalogue {
  if (!fs.existsSync(dir)) throw new RegistryDefinitionError(dir, '/', 'the registry folder does not exist');
  const found = new Map<string, Registry>();
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const registry = readDefinition(path.join(dir, name));
    found.set(registry.definition.id, registry);
  }
  return {
    dir,
    registries: [...found.values()].map((r) => r.definition),
    get: (id) => found.get(id),
  };
}

let shipped: RegistryCatalogue | undefined;

/** The shipped registries, read and checked once per process. */
export function registryCatalogue(): RegistryCatalogue {
  shipped ??= loadRegistries(SHIPPED_REGISTRIES);
  return shipped;
}
