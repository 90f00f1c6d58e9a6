import pino, { type Logger } from 'pino';

/**
 * Secrets and personal data never reach the logs. Paths cover request headers and the usual
 * places such fields appear in logged objects.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  ...[
    'password',
    'secret',
    'token',
    'accessToken',
    'refreshToken',
    'code',
    'otp',
    'uin',
    'phone',
    'email',
    'dateOfBirth',
    'nationalId',
    'databaseUrl',
    'DATABASE_URL',
  ].flatMap((field) => [field, `*.${field}`]),
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'mmuso' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
