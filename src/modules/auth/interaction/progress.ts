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

/** Server-side state of one interaction under a model name, ending when the interaction does. */
export function interactionStore<T extends object>(db: Database, model: string) {
  const adapter = new PostgresAdapter(model, db);
  return {
    async get(uid: string): Promise<T | undefined> {
      return (await adapter.find(uid)) as T | undefined;
    },
    /** Kept no longer than the interaction it belongs to (`exp`, epoch seconds). */
    async put(uid: string, value: T, exp: number): Promise<void> {
      const seconds = Math.max(1, exp - Math.floor(Date.now() / 1000));
      await adapter.upsert(uid, value as unknown as Record<string, unknown>, seconds);
    },
    async drop(uid: string): Promise<void> {
      await adapter.destroy(uid);
    },
  };
}

export const progressStore = (db: Database) => interactionStore<SignInProgress>(db, 'SignInProgress');
export type ProgressStore = ReturnType<typeof progressStore>;
