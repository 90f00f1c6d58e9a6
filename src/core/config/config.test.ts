import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './index.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      DATABASE_POOL_SIZE: 10,
      LOG_LEVEL: 'info',
      BODY_LIMIT: 1_048_576,
      RATE_LIMIT_PER_MINUTE: 600,
      CORS_ORIGINS: '',
      AUDIT_CHECKPOINT_SECONDS: 300,
      OUTBOX_POLL_MS: 500,
      SEED_DEMO_DATA: true,
      dataDir: path.resolve('./data'),
      publicUrl: 'http://127.0.0.1:3000',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PUBLIC_URL).toBeUndefined();
    expect(config.AUTH_JWKS_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '' })).toMatchObject({
      PORT: 3000,
      LOG_LEVEL: 'info',
    });
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('reads and converts the values given', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/mmuso',
      DATABASE_URL: 'postgresql://mmuso:pw@db:5432/mmuso',
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      PUBLIC_URL: 'https://mmuso.gov.ls/',
      UNRELATED: 'ignored',
    });
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      PORT: 8080,
      HOST: '0.0.0.0',
      dataDir: '/var/lib/mmuso',
      DATABASE_URL: 'postgresql://mmuso:pw@db:5432/mmuso',
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: false,
      RATE_LIMIT_PER_MINUTE: 0,
      publicUrl: 'https://mmuso.gov.ls',
    });
    expect(config).not.toHaveProperty('UNRELATED');
  });

  it('derives the public address from HOST and PORT, naming localhost for a wildcard host', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
    expect(loadConfig({ HOST: '::', PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
    expect(loadConfig({ HOST: '10.0.0.5' }).publicUrl).toBe('http://10.0.0.5:3000');
  });

  it.each([
    ['PORT', 'abc', 'a TCP port, 0-65535'],
    ['PORT', '70000', 'a TCP port, 0-65535'],
    ['PORT', '-1', 'a TCP port, 0-65535'],
    ['PORT', '80.5', 'a TCP port, 0-65535'],
    ['LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['NODE_ENV', 'prod', 'one of production, development, test'],
    ['DATABASE_URL', 'mysql://x', 'postgres://'],
    ['PUBLIC_URL', 'ftp://x', 'https://mmuso.gov.ls'],
    ['PUBLIC_URL', 'https://has space.ls', 'https://mmuso.gov.ls'],
    ['SEED_DEMO_DATA', 'maybe', 'true or false'],
    ['DATABASE_POOL_SIZE', '0', 'an integer 1-200'],
    ['BODY_LIMIT', '10', 'bytes, at least 1024'],
    ['OUTBOX_POLL_MS', 'soon', 'milliseconds, at least 10'],
    ['AUDIT_CHECKPOINT_SECONDS', '0.5', 'seconds between signed audit checkpoints'],
    ['RATE_LIMIT_PER_MINUTE', '0.9', 'requests per minute'],
    ['AUTH_JWKS_URL', 'file:///etc/jwks.json', 'https URL of a JWKS document'],
  ])('refuses %s=%s, naming the variable and what is allowed', (name, value, allowed) => {
    const error = configError({ PORT: '3000', [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message.startsWith(`${name}=`)).toBe(true);
    expect(error.message).toContain('is not valid');
    expect(error.message).toContain(allowed);
    // One line, for an operator's terminal.
    expect(error.message).not.toContain('\n');
  });

  it('shows the bad value of an ordinary setting', () => {
    expect(configError({ LOG_LEVEL: 'loud' }).message).toContain('"loud"');
    expect(configError({ PORT: '80.5' }).message).toContain('"80.5"');
  });

  it('never shows the database address, which may hold a password', () => {
    const error = configError({ DATABASE_URL: 'mysql://root:hunter2@db.internal/mmuso' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).toContain('(hidden)');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('db.internal');
    expect(error.message).not.toContain('mysql://');
  });

  it('does not show a valid database password when another setting is wrong', () => {
    const error = configError({ DATABASE_URL: 'postgres://mmuso:hunter2@db/mmuso', PORT: 'abc' });
    expect(error.message).toContain('PORT');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('describeConfig', () => {
  it('masks the password in DATABASE_URL and keeps the rest readable', () => {
    const shown = describeConfig(
      loadConfig({ DATABASE_URL: 'postgres://mmuso:hunter2@db.gov.ls:5432/mmuso' }),
    );
    expect(shown.DATABASE_URL).toBe('postgres://mmuso:*****@db.gov.ls:5432/mmuso');
    expect(JSON.stringify(shown)).not.toContain('hunter2');
  });

  it('masks a percent-encoded password and a password given as a query parameter', () => {
    const encoded = describeConfig(loadConfig({ DATABASE_URL: 'postgresql://mmuso:p%40ss%3Aword@db/mmuso' }));
    expect(encoded.DATABASE_URL).toBe('postgresql://mmuso:*****@db/mmuso');
    const query = describeConfig(
      loadConfig({ DATABASE_URL: 'postgres://mmuso@db/mmuso?sslmode=require&password=hunter2' }),
    );
    expect(query.DATABASE_URL).not.toContain('hunter2');
    expect(query.DATABASE_URL).toContain('sslmode=require');
    expect(query.DATABASE_URL).toContain('db/mmuso');
  });

  it('leaves a DATABASE_URL without a password as it is', () => {
    expect(describeConfig(loadConfig({ DATABASE_URL: 'postgres://db/mmuso' })).DATABASE_URL).toBe(
      'postgres://db/mmuso',
    );
  });

  it('lists every setting, unset ones as (unset)', () => {
    const shown = describeConfig(loadConfig({ PORT: '8080' }));
    expect(shown.PORT).toBe('8080');
    expect(shown.DATABASE_URL).toBe('(unset)');
    expect(shown.SEED_DEMO_DATA).toBe('true');
    expect(Object.keys(shown)).toEqual(expect.arrayContaining(['NODE_ENV', 'HOST', 'DATA_DIR', 'LOG_LEVEL']));
    expect(Object.values(shown).every((v) => typeof v === 'string')).toBe(true);
  });
});

describe('federation settings', () => {
  const issuer = { FEDERATION_ISSUER: 'https://esignet.id.gov.ls/v1/esignet', FEDERATION_CLIENT_ID: 'mmuso' };

  it('are off by default, and default to private_key_jwt, the UIN in individual_id and level substantial', () => {
    expect(loadConfig({}).FEDERATION_ISSUER).toBeUndefined();
    expect(loadConfig({ ...issuer, FEDERATION_PRIVATE_KEY_FILE: '/etc/mmuso/esignet.jwk' })).toMatchObject({
      FEDERATION_CLIENT_AUTH: 'private_key_jwt',
      FEDERATION_UIN_CLAIM: 'individual_id',
      FEDERATION_ACR: 'substantial',
      FEDERATION_SCOPE: 'openid',
    });
  });

  it.each([
    [{ FEDERATION_ISSUER: 'https://esignet.id.gov.ls' }, 'FEDERATION_CLIENT_ID is required'],
    [issuer, 'FEDERATION_PRIVATE_KEY_FILE is required'],
    [{ ...issuer, FEDERATION_CLIENT_AUTH: 'client_secret_basic' }, 'FEDERATION_CLIENT_SECRET is required'],
    [{ ...issuer, FEDERATION_CLIENT_AUTH: 'tls_client_auth' }, 'private_key_jwt or client_secret_basic'],
    [{ ...issuer, FEDERATION_ISSUER: 'http://esignet.id.gov.ls' }, 'http only on localhost'],
    [{ ...issuer, FEDERATION_SCOPE: 'profile' }, 'starting with openid'],
  ])('refuse what does not fit together: %j', (env, message) => {
    expect(configError(env as Record<string, string>).message).toContain(message);
  });

  it('never show the client secret', () => {
    const shown = describeConfig(
      loadConfig({
        ...issuer,
        FEDERATION_CLIENT_AUTH: 'client_secret_basic',
        FEDERATION_CLIENT_SECRET: 's3cret-value',
      }),
    );
    expect(JSON.stringify(shown)).not.toContain('s3cret-value');
  });
});
