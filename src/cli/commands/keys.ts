import { Command } from 'commander';
import { say, withKernel } from '../support.js';

const rotateCommand = new Command('rotate')
  .description(
    'add a new signing key for the national login; running servers sign with it within AUTH_KEYS_CHECK_SECONDS (no restart), older keys stay in the JWKS for a day so tokens they signed still verify',
  )
  .action(() =>
    withKernel(async (kernel) => {
      const { rotateSigningKey } = await import('../../modules/auth/index.js');
      const { kid, retiring } = await rotateSigningKey(kernel.db);
      say(`New signing key ${kid}`);
      for (const old of retiring) say(`Retiring ${old} (published until its tokens have expired)`);
    }),
  );

const listCommand = new Command('list').description('list the national login’s signing keys').action(() =>
  withKernel(async (kernel) => {
    const { listSigningKeys } = await import('../../modules/auth/index.js');
    for (const key of await listSigningKeys(kernel.db)) {
      const state = !key.retire_at
        ? 'signing'
        : new Date(key.retire_at) > new Date()
          ? `published until ${new Date(key.retire_at).toISOString()}`
          : 'retired';
      say(`${key.kid}  created ${new Date(key.created_at).toISOString()}  ${state}`);
    }
  }),
);

export const keysCommand = new Command('keys')
  .description('signing keys of the national login (OpenID provider)')
  .addCommand(rotateCommand)
  .addCommand(listCommand);
