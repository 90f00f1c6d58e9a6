import { sql } from 'drizzle-orm';
import { type Queryable, rows } from '../db/index.js';

/** Described by the backup header, and recreated by migrate() on restore: never copied as data. */
const MIGRATIONS_TABLE = 'core.schema_migrations';

/**
 * Leaves out PostgreSQL's own schemas (pg_catalog, pg_toast, temporary ones) and public, which
 * holds only extension objects.
 */
const isApplicationSchema = (column: string) =>
  sql.raw(`${column} NOT IN ('information_schema', 'public') AND left(${column}, 3) <> 'pg_'`);

export interface Column {
  name: string;
  /** The declared type as format_type() prints it, e.g. `numeric(12,2)` or `text[]`. */
  type: string;
}

/** Every table of every module, as `schema.name`, in a stable order. */
export async function applicationTables(on: Queryable): Promise<string[]> {
  const found = await rows<{ name: string }>(
    on,
    sql`SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND ${isApplicationSchema('table_schema')}
        ORDER BY table_schema, table_name`,
  );
  return found.map((t) => t.name).filter((name) => name !== MIGRATIONS_TABLE);
}

export async function applicationSequences(on: Queryable): Promise<string[]> {
  const found = await rows<{ name: string }>(
    on,
    sql`SELECT n.nspname || '.' || c.relname AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND ${isApplicationSchema('n.nspname')}
        ORDER BY 1`,
  );
  return found.map((s) => s.name);
}

/**
 * The columns a backup copies: stored ones, in table order. Read from pg_attribute rather than
 * information_schema.columns, because format_type() names array, domain and enum types and
 * type modifiers exactly as a cast needs them.
 */
export async function tableColumns(on: Queryable, table: string): Promise<Column[]> {
  return rows<Column>(
    on,
    sql`SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = ${quoteName(table)}::regclass
          AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
        ORDER BY attnum`,
  );
}

export async function primaryKey(on: Queryable, table: string): Promise<string[]> {
  const found = await rows<{ name: string }>(
    on,
    sql`SELECT a.attname AS name FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = ${quoteName(table)}::regclass AND i.indisprimary
        ORDER BY array_position(i.indkey::int2[], a.attnum)`,
  );
  return found.map((c) => c.name);
}

export async function tableExists(on: Queryable, name: string): Promise<boolean> {
  const [found] = await rows<{ exists: boolean }>(
    on,
    sql`SELECT to_regclass(${quoteName(name)}) IS NOT NULL AS exists`,
  );
  return found?.exists === true;
}

/**
 * Text forms that read back the same whatever the server's settings: set in both the backup and
 * the restore transaction. extra_float_digits = 3 keeps every float digit on any version.
 */
export async function usePortableFormats(on: Queryable): Promise<void> {
  await on.execute(sql`SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true),
    set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '3', true)`);
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.name` → `"schema"."name"`. */
export function quoteName(qualified: string): string {
  const dot = qualified.indexOf('.');
  return `${quoteIdentifier(qualified.slice(0, dot))}.${quoteIdentifier(qualified.slice(dot + 1))}`;
}

const isScalarTime = (type: string) => /^(timestamp|date)\b/.test(type) && !type.endsWith('[]');

/** SQL that reads a column as the text stored in the backup. */
export function readExpression(column: Column): string {
  const name = quoteIdentifier(column.name);
  if (column.type === 'bytea') return `encode(${name}, 'base64')`;
  // JSON renders timestamps as ISO 8601 with a T, whatever DateStyle says.
  if (isScalarTime(column.type)) return `to_json(${name}) #>> '{}'`;
  return `${name}::text`;
}

/** SQL that turns backup text (the expression `text`) back into the column's type. */
export function writeExpression(column: Column, text: string): string {
  if (column.type === 'bytea') return `decode(${text}, 'base64')`;
  return `(${text})::${column.type}`;
}
