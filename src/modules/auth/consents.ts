import { sql } from 'drizzle-orm';
import { type Queryable, rows } from '../../core/db/index.js';
import { problems } from '../../core/http/index.js';
import type { Change } from '../../core/kernel/index.js';
import { SCOPE_CLAIMS } from './clients.js';

export const CONSENT_REVOKED = 'auth.consent.revoked';

/** A service the person allowed to know about them: what it may have, since when. */
export interface Consent {
  clientId: string;
  name: { en: string; st: string };
  scopes: string[];
  claims: string[];
  grantedAt: string;
}

interface GrantRow {
  id: string;
  client_id: string;
  name_en: string | null;
  name_st: string | null;
  scope: string | null;
  claims: string[] | null;
  resources: Record<string, string> | null;
  allowed_claims: string[] | null;
  iat: number;
}

/** The remembered consents (oidc-provider grants) of an account, newest first, one per service. */
export async function listConsents(db: Queryable, accountId: string): Promise<Consent[]> {
  const found = await rows<GrantRow>(
    db,
    sql`SELECT g.id, g.payload->>'clientId' AS client_id, c.name_en, c.name_st,
          g.payload->'openid'->>'scope' AS scope, g.payload->'openid'->'claims' AS claims,
          g.payload->'resources' AS resources, c.allowed_claims, (g.payload->>'iat')::bigint AS iat
        FROM auth.oidc_store g LEFT JOIN auth.clients c ON c.client_id = g.payload->>'clientId'
        WHERE g.model = 'Grant' AND g.payload->>'accountId' = ${accountId}
          AND (g.expires_at IS NULL OR g.expires_at > now())
        ORDER BY iat DESC`,
  );
  const byClient = new Map<string, Consent>();
  for (const g of found) {
    const known = byClient.get(g.client_id);
    const scopes = [
      ...(g.scope ?? '').split(' ').filter(Boolean),
      ...Object.values(g.resources ?? {}).flatMap((s) => s.split(' ')),
    ];
    // What the service can have: the claims of its granted scopes and those granted one by one,
    // within its allow-list (the provider filters by the same list when it releases them).
    const allowed = new Set(g.allowed_claims ?? ['sub']);
    const claims = [...(g.claims ?? []), ...scopes.flatMap((s) => SCOPE_CLAIMS[s] ?? [])].filter((claim) =>
      allowed.has(claim),
    );
    const merged = {
      clientId: g.client_id,
      name: { en: g.name_en ?? g.client_id, st: g.name_st ?? g.client_id },
      scopes: [...new Set([...(known?.scopes ?? []), ...scopes])],
      claims: [...new Set([...(known?.claims ?? []), ...claims])],
      grantedAt: known?.grantedAt ?? new Date(Number(g.iat) * 1000).toISOString(),
    };
    byClient.set(g.client_id, merged);
  }
  return [...byClient.values()];
}

/**
 * Withdraws a consent: the grants for that service go, and with them (by grant id) every code,
 * access and refresh token they gave. The service asks again next time.
 */
export async function revokeConsent(c: Change, accountId: string, clientId: string): Promise<void> {
  const grants = await rows<{ id: string }>(
    c.tx,
    sql`DELETE FROM auth.oidc_store WHERE model = 'Grant' AND payload->>'accountId' = ${accountId}
        AND payload->>'clientId' = ${clientId} RETURNING id`,
  );
  if (grants.length === 0) throw problems.notFound();
  const ids = grants.map((g) => g.id);
  await c.tx.execute(
    sql`DELETE FROM auth.oidc_store WHERE grant_id IN (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  c.audit({
    action: CONSENT_REVOKED,
    subject: { type: 'account', id: accountId },
    after: { clientId, grants: ids.length },
  });
}
