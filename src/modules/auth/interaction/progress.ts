import type { Database } from '../../../core/db/index.js';
import { PostgresAdapter } from '../adapter.js';
import type { Acr } from '../levels.js';

/**
 * How far a sign-in has got inside one interaction: the password (or the session, on a step-up)
 * proved the account, and which second factor has been passed since. Kept server-side beside the
 * provider's own records, keyed by the interaction uid, and ending with it; the browser holds only
 * the interaction cookie that the provider already binds to that uid.
 */
export interface SignInProgress {
  accountId: string;
  /** The level this authorization request needs. */
  required: Acr;
  /** A step-up of an existing session: the password is not asked again. */
  stepUp: boolean;
  /** The second factor passed in this interaction, when one was. */
  factor?: 'totp' | 'sms' | 'recovery';
  /** An SMS factor being enrolled: the enrolment and the masked number the code went to. */
  smsEnrolment?: { enrolmentId: string; sentTo: string };
  /** The masked number the last sign-in code went to. */
  smsSentTo?: string;
}

const MODEL = 'SignInProgress';

export function progressStore(db: Database) {
  const adapter = new PostgresAdapter(MODEL, db);
  return {
    async get(uid: string): Promise<SignInProgress | undefined> {
      return (await adapter.find(uid)) as SignInProgress | undefined;
    },
    /** Kept no longer than the interaction it belongs to (`exp`, epoch seconds). */
    async put(uid: string, progress: SignInProgress, exp: number): Promise<void> {
      const seconds = Math.max(1, exp - Math.floor(Date.now() / 1000));
      await adapter.upsert(uid, progress as unknown as Record<string, unknown>, seconds);
    },
    async drop(uid: string): Promise<void> {
      await adapter.destroy(uid);
    },
  };
}
export type ProgressStore = ReturnType<typeof progressStore>;
