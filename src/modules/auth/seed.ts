import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../core/actors/index.js';
import { rows } from '../../core/db/index.js';
import { change, type Kernel } from '../../core/kernel/index.js';
import { registerClient } from './clients.js';

export const PORTAL_CLIENT_ID = 'mmuso-portal';

/**
 * Demo data: the portal signs people in through the national login like any other service. Its
 * secret is written once to DATA_DIR/keys/portal-client-secret (mode 0600), for the portal.
 */
export async function seedLoginDemo(kernel: Kernel): Promise<boolean> {
  const secret = await change(kernel, { actor: systemActor('seed') }, async (c) => {
    const marked = await rows(
      c.tx,
      sql`INSERT INTO core.seeds (name) VALUES ('auth-portal-client') ON CONFLICT DO NOTHING RETURNING name`,
    );
    if (marked.length === 0) return undefined;
    const { secret } = await registerClient(c, {
      clientId: PORTAL_CLIENT_ID,
      name: { en: 'Mmuso portal', st: 'Sebaka sa Mmuso' },
      redirectUris: [`${kernel.config.publicUrl}/auth/callback`],
      postLogoutRedirectUris: [`${kernel.config.publicUrl}/`],
      authMethod: 'client_secret_basic',
      sector: 'portal',
      scopes: ['openid', 'offline_access', 'profile', 'email', 'phone', 'api'],
    });
    return secret;
  });
  if (!secret) return false;
  const file = path.join(kernel.config.dataDir, 'keys', 'portal-client-secret');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return true;
}
