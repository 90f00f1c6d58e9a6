import { parseLogin } from '../accounts.js';

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

/**
 * The phone number and e-mail address the external provider says it has verified
 * (`phone_number_verified` / `email_verified` true), as logins are written here (E.164, lower
 * case); a claim the provider has not verified is not returned.
 */
export function verifiedLogins(claims: Record<string, unknown>): string[] {
  const logins: string[] = [];
  for (const [claim, flag] of [
    ['phone_number', 'phone_number_verified'],
    ['email', 'email_verified'],
  ] as const) {
    const value = claims[claim];
    if (claims[flag] !== true || typeof value !== 'string') continue;
    const login = parseLogin(value);
    if (login.ok) logins.push(login.login);
  }
  return logins;
}
