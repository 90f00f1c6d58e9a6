import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { JWK } from 'jose';
import { type AuditVerification, verifyAudit, writeCheckpoint } from '../../core/audit/index.js';
import { systemClock } from '../../core/clock/index.js';
import { loadOrCreateKey } from '../../core/keys/index.js';
import { plural, say, withMigratedDatabase } from '../support.js';

const CHECKPOINT_KEY = 'audit-checkpoint';

const verifyCommand = new Command('verify')
  .description(
    'check every audit entry, the links between them and the signed checkpoints (exit 2 on a problem)',
  )
  .action(() =>
    withMigratedDatabase(async (db, config) => {
      const publicKeys = await checkpointPublicKeys(config.dataDir);
      report(await verifyAudit(db, { dataDir: config.dataDir, publicKeys }));
    }),
  );

/** Verifying never makes a key: without the key file every checkpoint counts as unsigned. */
async function checkpointPublicKeys(dataDir: string): Promise<JWK[]> {
  if (!fs.existsSync(path.join(dataDir, 'keys', `${CHECKPOINT_KEY}.jwk.json`))) return [];
  return [(await loadOrCreateKey(dataDir, CHECKPOINT_KEY, 'EdDSA')).publicJwk];
}

function report(result: AuditVerification): void {
  const counts = `${plural(result.entries, 'entry', 'entries')}, ${plural(result.checkpoints, 'checkpoint')}`;
  if (result.ok) {
    say(`Audit log OK: ${counts}`);
    return;
  }
  for (const problem of result.problems) {
    say(`PROBLEM ${problem.kind} at entry ${problem.seq}: ${problem.detail}`);
  }
  say(`Audit log NOT OK: ${plural(result.problems.length, 'problem')} in ${counts}`);
  process.exitCode = 2;
}

const checkpointCommand = new Command('checkpoint')
  .description('sign the current end of the audit log now')
  .action(() =>
    withMigratedDatabase(async (db, config) => {
      const key = await loadOrCreateKey(config.dataDir, CHECKPOINT_KEY, 'EdDSA');
      const written = await writeCheckpoint(db, key, systemClock, config.dataDir);
      say(
        written
          ? `Checkpoint written at entry ${written.seq}`
          : 'No checkpoint written: there are no audit entries since the last one',
      );
    }),
  );

export const auditCommand = new Command('audit')
  .description('verify the audit log or sign a checkpoint')
  .addCommand(verifyCommand)
  .addCommand(checkpointCommand);
