import Fastify from 'fastify';
import { generateKeyPair, jwtVerify, SignJWT } from 'jose';
import pg from 'pg';

/**
 * The baseline the platform is measured against: a bare Fastify server (no logger, no plugins,
 * no hooks) with the same routes, reading through a raw `pg` Pool of the platform's default size.
 * Environment: PORT, HOST, DATABASE_URL (optional: without it only /health/live exists).
 */
const port = Number(process.env.PORT ?? 3100);
const host = process.env.HOST ?? '127.0.0.1';
const databaseUrl = process.env.DATABASE_URL;

const app = Fastify({ logger: false });

app.get('/health/live', async () => ({ status: 'ok' }));

// The login group's baselines: a token endpoint that signs one ES256 JWT (the id_token a code
// exchange signs), and a userinfo endpoint that verifies one.
const keys = await generateKeyPair('ES256');
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
  done(null, Object.fromEntries(new URLSearchParams(body as string))),
);
app.post<{ Body: { code?: string } }>('/baseline/token', async (request) => {
  const idToken = await new SignJWT({ sub: request.body.code ?? 'nobody' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer('http://baseline')
    .setAudience('bench')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(keys.privateKey);
  return { access_token: idToken, token_type: 'Bearer', expires_in: 600, id_token: idToken };
});
app.get('/baseline/userinfo', async (request, reply) => {
  const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
  try {
    const { payload } = await jwtVerify(token, keys.publicKey, {
      issuer: 'http://baseline',
      audience: 'bench',
    });
    return { sub: payload.sub };
  } catch {
    return reply.code(401).send({ error: 'invalid_token' });
  }
});

interface Row {
  id: string;
  title_en: string;
  title_st: string;
  body_en: string;
  body_st: string;
  district: string | null;
  starts_at: Date;
  ends_at: Date | null;
  published_at: Date;
  withdrawn_at: Date | null;
}

let pool: pg.Pool | undefined;
if (databaseUrl) {
  const db = new pg.Pool({
    connectionString: databaseUrl,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  });
  db.on('error', () => {});
  pool = db;
  // The same single-row SELECT the platform makes, and the same JSON shape back.
  app.get<{ Params: { id: string } }>('/api/v1/announcements/:id', async (request, reply) => {
    const { rows } = await db.query<Row>(
      `SELECT id, title_en, title_st, body_en, body_st, district, starts_at, ends_at, published_by,
              published_at, withdrawn_at, withdrawn_by, withdraw_reason
         FROM messaging.announcements WHERE id = $1`,
      [request.params.id],
    );
    const row = rows[0];
    if (!row) return reply.code(404).send({ status: 404 });
    return {
      id: row.id,
      title: { en: row.title_en, st: row.title_st },
      body: { en: row.body_en, st: row.body_st },
      district: row.district,
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at?.toISOString() ?? null,
      publishedAt: row.published_at.toISOString(),
      withdrawnAt: row.withdrawn_at?.toISOString() ?? null,
    };
  });
}

const shutdown = () => {
  app
    .close()
    .then(() => pool?.end())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await app.listen({ port, host });
