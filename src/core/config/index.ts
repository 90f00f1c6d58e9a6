import path from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Every setting comes from the environment. `allowed` is what an operator reads when a value is
 * wrong, so it says what to type, not what the code does with it.
 */
const setting = <T extends object>(schema: T, allowed: string, secret = false) =>
  Object.assign(schema, { allowed, secret });

const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
);

export const ConfigSchema = Type.Object({
  NODE_ENV: setting(
    Type.Union([Type.Literal('production'), Type.Literal('development'), Type.Literal('test')], {
      default: 'development',
    }),
    'one of production, development, test',
  ),
  PORT: setting(Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }), 'a TCP port, 0-65535'),
  HOST: setting(Type.String({ minLength: 1, default: '127.0.0.1' }), 'an interface address such as 0.0.0.0'),
  DATA_DIR: setting(Type.String({ minLength: 1, default: './data' }), 'a writable folder path'),
  DATABASE_URL: setting(
    Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    'unset (embedded PGlite) or postgres://user:password@host:5432/db',
    true,
  ),
  DATABASE_POOL_SIZE: setting(Type.Integer({ minimum: 1, maximum: 200, default: 10 }), 'an integer 1-200'),
  PUBLIC_URL: setting(
    Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' })),
    'the address people open, such as https://mmuso.gov.ls (default http://HOST:PORT)',
  ),
  LOG_LEVEL: setting(
    Type.Union(LogLevel.anyOf, { default: 'info' }),
    'one of fatal, error, warn, info, debug, trace, silent',
  ),
  BODY_LIMIT: setting(Type.Integer({ minimum: 1024, default: 1_048_576 }), 'bytes, at least 1024'),
  RATE_LIMIT_PER_MINUTE: setting(
    Type.Integer({ minimum: 0, default: 600 }),
    'requests per minute per client address, 0 switches the limit off',
  ),
  CORS_ORIGINS: setting(
    Type.String({ default: '' }),
    'empty (CORS off) or a comma-separated list of https origins',
  ),
  AUTH_JWKS_URL: setting(
    Type.Optional(Type.String({ pattern: '^https?://' })),
    'unset (trust this platform’s own signing keys) or the https URL of a JWKS document',
  ),
  AUTH_ISSUER: setting(Type.Optional(Type.String({ minLength: 1 })), 'the expected iss of bearer tokens'),
  AUDIT_CHECKPOINT_SECONDS: setting(
    Type.Integer({ minimum: 0, default: 300 }),
    'seconds between signed audit checkpoints, 0 switches them off',
  ),
  OUTBOX_POLL_MS: setting(Type.Integer({ minimum: 10, default: 500 }), 'milliseconds, at least 10'),
  SEED_DEMO_DATA: setting(Type.Boolean({ default: true }), 'true or false'),
  UIN_LENGTH: setting(
    Type.Integer({ minimum: 8, maximum: 16, default: 10 }),
    'digits in a UIN, check digit included: 8-16',
  ),
  UIN_POOL_SIZE: setting(
    Type.Integer({ minimum: 100, default: 10_000 }),
    'UINs kept ready to issue, at least 100',
  ),
  MATCH_REVIEW_THRESHOLD: setting(
    Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    'a score above 0 and at most 1; candidates scoring this or more wait for a registrar',
  ),
  SERVICES_CATALOGUE_DIR: setting(
    Type.Optional(Type.String({ minLength: 1 })),
    'unset (the catalogue shipped in src/catalogue/services) or a folder of service definition files',
  ),
  SERVICES_SLA_CHECK_SECONDS: setting(
    Type.Integer({ minimum: 0, default: 60 }),
    'seconds between checks for overdue tasks, 0 switches the check off',
  ),
  SECTOR_TOKEN_KEY_VERSION: setting(
    Type.Integer({ minimum: 1, default: 1 }),
    'the sector-token key version new tokens are made with, 1 or more',
  ),
  UPLOAD_MAX_BYTES: setting(
    Type.Integer({ minimum: 1024, default: 10_485_760 }),
    'bytes, at least 1024: the largest file any upload slot may accept',
  ),
  CLAMD_URL: setting(
    Type.Optional(Type.String({ pattern: '^tcp://[^\\s/]+$' })),
    'unset (no virus scan) or tcp://host:3310 of a ClamAV clamd',
  ),
});

export type Config = Static<typeof ConfigSchema> & { dataDir: string; publicUrl: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type SettingSchema = { allowed: string; secret: boolean };
const settings = ConfigSchema.properties as unknown as Record<string, SettingSchema>;

/** Reads the environment; throws ConfigError with one line naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const given = { ...raw }; // as typed: Default and Convert change `raw` in place
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  // Convert truncates an integer setting (0.5 becomes 0, which switches some features off).
  const truncated = Object.keys(given).find(
    (key) =>
      typeof (converted as Record<string, unknown>)[key] === 'number' &&
      Number(given[key]) !== (converted as Record<string, unknown>)[key],
  );
  const [first] = truncated === undefined ? Value.Errors(ConfigSchema, converted) : [];
  if (truncated !== undefined || first) {
    const key = truncated ?? first?.instancePath.split('/')[1] ?? first?.instancePath ?? '';
    const shown = settings[key]?.secret ? '(hidden)' : JSON.stringify(given[key]);
    throw new ConfigError(
      `${key}=${shown} is not valid: expected ${settings[key]?.allowed ?? first?.message}`,
    );
  }
  const config = converted as Static<typeof ConfigSchema>;
  const dataDir = path.resolve(config.DATA_DIR);
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const publicUrl = (config.PUBLIC_URL ?? `http://${host}:${config.PORT}`).replace(/\/$/, '');
  return { ...config, dataDir, publicUrl };
}

/** The effective configuration for `mmuso config`, with secrets and URL passwords masked. */
export function describeConfig(config: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = (config as Record<string, unknown>)[key];
    if (value === undefined) {
      out[key] = '(unset)';
    } else if (settings[key]?.secret) {
      out[key] = maskUrlPassword(String(value));
    } else {
      out[key] = String(value);
    }
  }
  return out;
}

function maskUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '*****';
    // The PostgreSQL driver also takes the password as a query parameter.
    if (url.searchParams.has('password')) url.searchParams.set('password', '*****');
    return url.toString();
  } catch {
    return '*****';
  }
}
