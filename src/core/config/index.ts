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
  AUTH_KEYS_CHECK_SECONDS: setting(
    Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
    'seconds, 1-3600: how often a server looks for signing keys rotated by `mmuso keys rotate`',
  ),
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
  FEDERATION_ISSUER: setting(
    Type.Optional(Type.String({ pattern: '^https?://[^\\s?#]+$' })),
    'unset (no federated sign-in) or the issuer URL of an external OpenID provider (https; http only on localhost)',
  ),
  FEDERATION_CLIENT_ID: setting(
    Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    'the client_id this platform was registered with at the external provider',
  ),
  FEDERATION_CLIENT_AUTH: setting(
    Type.Union([Type.Literal('private_key_jwt'), Type.Literal('client_secret_basic')], {
      default: 'private_key_jwt',
    }),
    'private_key_jwt or client_secret_basic',
  ),
  FEDERATION_CLIENT_SECRET: setting(
    Type.Optional(Type.String({ minLength: 1 })),
    'the client secret at the external provider (client_secret_basic only)',
    true,
  ),
  FEDERATION_PRIVATE_KEY_FILE: setting(
    Type.Optional(Type.String({ minLength: 1 })),
    'path of a file holding the private JWK (with alg and kid) for private_key_jwt',
  ),
  FEDERATION_SCOPE: setting(
    Type.String({ pattern: '^openid( [\\x21-\\x7e]+)*$', default: 'openid' }),
    'space-separated scopes to ask the external provider for, starting with openid',
  ),
  FEDERATION_UIN_CLAIM: setting(
    Type.String({ pattern: '^[\\w.:-]{1,100}$', default: 'individual_id' }),
    'the name of the claim that carries the UIN (top level or in verified_claims)',
  ),
  FEDERATION_ACR: setting(
    Type.Union([Type.Literal('low'), Type.Literal('substantial'), Type.Literal('high')], {
      default: 'substantial',
    }),
    'the assurance level a federated sign-in counts as: low, substantial or high',
  ),
  FEDERATION_NAME: setting(
    Type.String({ minLength: 1, maxLength: 60, default: 'National ID (eSignet)' }),
    'the name of the external provider on the sign-in button',
  ),
  SMS_GATEWAY_URL: setting(
    Type.Optional(Type.String({ pattern: '^https?://' })),
    'unset (SMS simulator) or the https send endpoint of the SMS aggregator, e.g. https://xxxxx.api.infobip.com/sms/2/text/advanced',
  ),
  SMS_GATEWAY_TOKEN: setting(
    Type.Optional(Type.String({ minLength: 8 })),
    'the SMS aggregator API key, at least 8 characters',
    true,
  ),
  SMS_SENDER: setting(
    Type.String({ pattern: '^([A-Za-z0-9 ]{1,11}|\\+?[0-9]{3,15})$', default: 'Mmuso' }),
    'the sender id shown on phones: up to 11 letters and digits, or a number',
  ),
  SMTP_URL: setting(
    Type.Optional(Type.String({ pattern: '^smtps?://' })),
    'unset (e-mail written to DATA_DIR/mail) or smtp://user:password@host:587 or smtps://…:465',
    true,
  ),
  MAIL_FROM: setting(
    Type.String({ minLength: 3, default: 'Mmuso <no-reply@mmuso.gov.ls>' }),
    'the From address of e-mail, such as Mmuso <no-reply@mmuso.gov.ls>',
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
  const federation = federationProblem(config);
  if (federation) throw new ConfigError(federation);
  const dataDir = path.resolve(config.DATA_DIR);
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const publicUrl = (config.PUBLIC_URL ?? `http://${host}:${config.PORT}`).replace(/\/$/, '');
  return { ...config, dataDir, publicUrl };
}

/** What the federation settings lack together (each is valid alone), as one line. */
function federationProblem(config: Static<typeof ConfigSchema>): string | undefined {
  if (!config.FEDERATION_ISSUER) return undefined;
  const issuer = new URL(config.FEDERATION_ISSUER);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  if (issuer.protocol !== 'https:' && !local) {
    return 'FEDERATION_ISSUER is not valid: expected an https URL (http only on localhost)';
  }
  if (!config.FEDERATION_CLIENT_ID) return 'FEDERATION_CLIENT_ID is required with FEDERATION_ISSUER';
  if (config.FEDERATION_CLIENT_AUTH === 'client_secret_basic' && !config.FEDERATION_CLIENT_SECRET) {
    return 'FEDERATION_CLIENT_SECRET is required with FEDERATION_CLIENT_AUTH=client_secret_basic';
  }
  if (config.FEDERATION_CLIENT_AUTH === 'private_key_jwt' && !config.FEDERATION_PRIVATE_KEY_FILE) {
    return 'FEDERATION_PRIVATE_KEY_FILE is required with FEDERATION_CLIENT_AUTH=private_key_jwt';
  }
  return undefined;
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
