/**
 * The UIN in an external provider's claims: at the top level, or inside `verified_claims`
 * (OpenID Connect for Identity Assurance: one object or an array of them, each with `claims`),
 * where eSignet puts what the ID system has verified. A verified value wins over a top-level one.
 */
export function claimedUin(claims: Record<string, unknown>, name: string): string | undefined {
  const verified = claims.verified_claims;
  const blocks = Array.isArray(verified) ? verified : verified ? [verified] : [];
  for (const block of blocks) {
    const inner = (block as { claims?: Record<string, unknown> } | null)?.claims?.[name];
    if (typeof inner === 'string' || typeof inner === 'number') return String(inner).trim();
  }
  const top = claims[name];
  return typeof top === 'string' || typeof top === 'number' ? String(top).trim() : undefined;
}
