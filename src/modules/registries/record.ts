import type { Actor } from '../../core/actors/index.js';
import { problems } from '../../core/http/problem.js';
import { type Registry, registryCatalogue } from './catalogue.js';
import type { RegistryDefinition } from './definition.js';
import type { RecordRow } from './schema.js';

export type RecordKey = Record<string, string | number>;

export interface RegistryRecord {
  id: string;
  registry: string;
  key: RecordKey;
  version: number;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface RecordVersion {
  version: number;
  data: Record<string, unknown>;
  reason: string;
  actor: Record<string, unknown>;
  source: { type: string; id: string } | null;
  at: string;
}

/** What wrote a version: the application (or other thing) whose outcome it is. */
export interface RecordSource {
  type: string;
  id: string;
}

export const RECORD_CREATED = 'registries.record.created';
export const RECORD_CHANGED = 'registries.record.changed';
export const RECORD_READ = 'registries.record.read';

/** The registry, or 404: an unknown id and one the caller may not know of look the same. */
export function registryOrNotFound(id: string): Registry {
  const registry = registryCatalogue().get(id);
  if (!registry) throw problems.notFound();
  return registry;
}

/** The key fields of a record, in the definition's order. */
export function keyOf(definition: RegistryDefinition, data: Record<string, unknown>): RecordKey {
  return Object.fromEntries(definition.key.map((field) => [field, data[field] as string | number]));
}

/** The stored form of a key: its values as a JSON array in the definition's order. */
export function storedKey(definition: RegistryDefinition, key: Record<string, unknown>): string {
  return JSON.stringify(definition.key.map((field) => key[field] ?? null));
}

/**
 * Staff with a role the definition names; systems with `registry:<verb>:<id>`; for writes also
 * the platform's own automation (`mmuso:*` system actors, e.g. automatic workflow actions).
 */
export function mayAccess(actor: Actor, definition: RegistryDefinition, verb: 'read' | 'write'): boolean {
  if (actor.type === 'staff') return actor.roles.some((role) => definition.access[verb].includes(role));
  if (actor.type === 'system') {
    return (
      actor.scopes.includes(`registry:${verb}:${definition.id}`) ||
      (verb === 'write' && actor.id.startsWith('mmuso:'))
    );
  }
  return false;
}

export function toRecord(row: RecordRow, definition: RegistryDefinition): RegistryRecord {
  return {
    id: row.id,
    registry: row.registry,
    key: keyOf(definition, row.data),
    version: row.version,
    data: row.data,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
