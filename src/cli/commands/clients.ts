import fs from 'node:fs';
import { Command, Option } from 'commander';
import { systemActor } from '../../core/actors/index.js';
import { HttpProblem } from '../../core/http/index.js';
import { translate } from '../../core/i18n/index.js';
import { say, withKernel } from '../support.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const addCommand = new Command('add')
  .description('register a relying party; prints its client_id and, once, its secret')
  .requiredOption('--name <english>', 'the service name people see (English)')
  .option('--name-st <sesotho>', 'the service name in Sesotho (default: the English name)')
  .requiredOption('--redirect-uri <uri>', 'an exact redirect URI (repeat for more; one host)', collect)
  .option('--post-logout-uri <uri>', 'an exact address to return to after sign-out (repeatable)', collect)
  .requiredOption('--sector <sector>', 'the pairwise sector, e.g. health (lower-case letters and hyphens)')
  .option('--public', 'a public client (no secret; PKCE only), e.g. a mobile app')
  .option('--jwks <file>', 'a JWKS file with the public keys of a private_key_jwt client')
  .option(
    '--scope <scope>',
    'an allowed scope (repeatable): openid offline_access profile email phone api',
    collect,
  )
  .option(
    '--claim <claim>',
    'an allowed claim (repeatable; default: the claims of the allowed scopes)',
    collect,
  )
  .addOption(
    new Option('--acr <level>', 'the assurance level the service requires').choices([
      'low',
      'substantial',
      'high',
    ]),
  )
  .option('--dpop', 'access tokens only DPoP-bound to the client’s key (RFC 9449), never plain bearer tokens')
  .option('--client-id <id>', 'a fixed client_id (default: a random one)')
  .action((options) =>
    withKernel(async (kernel) => {
      const { ACR, registerClient } = await import('../../modules/auth/index.js');
      const { change } = await import('../../core/kernel/index.js');
      const jwks = options.jwks ? JSON.parse(fs.readFileSync(options.jwks, 'utf8')) : undefined;
      try {
        const { client, secret } = await change(kernel, { actor: systemActor('cli') }, (c) =>
          registerClient(c, {
            name: { en: options.name, st: options.nameSt ?? options.name },
            redirectUris: options.redirectUri,
            postLogoutRedirectUris: options.postLogoutUri ?? [],
            authMethod: options.public ? 'none' : jwks ? 'private_key_jwt' : 'client_secret_basic',
            ...(jwks ? { jwks } : {}),
            sector: options.sector,
            ...(options.scope ? { scopes: options.scope } : {}),
            ...(options.claim ? { claims: options.claim } : {}),
            ...(options.acr ? { requiredAcr: ACR[options.acr as keyof typeof ACR] } : {}),
            ...(options.clientId ? { clientId: options.clientId } : {}),
            ...(options.dpop ? { dpopBound: true } : {}),
          }),
        );
        say(`client_id     ${client.clientId}`);
        say(`auth method   ${client.authMethod}`);
        if (secret) say(`client_secret ${secret}\n(shown once: only its SHA-256 is kept)`);
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
        const details = error.options.errors?.map((e) => `${e.pointer}: ${translate('en', e.detail)}`) ?? [];
        const detail = error.options.detail ? translate('en', error.options.detail) : error.slug;
        process.stderr.write(`mmuso: the client was not registered: ${details.join('; ') || detail}\n`);
        process.exitCode = 1;
      }
    }),
  );

const listCommand = new Command('list')
  .description('list the registered relying parties')
  .option('--json', 'as JSON')
  .action((options) =>
    withKernel(async (kernel) => {
      const { listClients } = await import('../../modules/auth/index.js');
      const clients = await listClients(kernel.db.orm);
      const shown = clients.map((c) => ({
        clientId: c.clientId,
        name: c.nameEn,
        sector: c.sector,
        authMethod: c.authMethod,
        redirectUris: c.redirectUris,
        scopes: c.allowedScopes,
        claims: c.allowedClaims,
        requiredAcr: c.requiredAcr,
        dpopBound: c.dpopBound,
        status: c.status,
      }));
      if (options.json) return say(JSON.stringify(shown, null, 2));
      if (!shown.length) return say('No relying parties registered');
      for (const c of shown) {
        say(`${c.clientId}  ${c.name}  sector=${c.sector}  ${c.authMethod}  ${c.status}`);
        say(`  redirect: ${c.redirectUris.join(' ')}`);
        say(
          `  scopes: ${c.scopes.join(' ')}  claims: ${c.claims.join(' ')}${c.requiredAcr ? `  acr: ${c.requiredAcr}` : ''}${c.dpopBound ? '  DPoP-bound' : ''}`,
        );
      }
    }),
  );

export const clientsCommand = new Command('clients')
  .description('the relying parties of the national login')
  .addCommand(addCommand)
  .addCommand(listCommand);
