import { ACR, ACR_VALUES } from './clients.js';

/**
 * Assurance levels, ordered: low (a password), substantial (password and a second factor), high
 * (a second factor and an account linked to the person in the civil register, checked in person
 * or by a code sent to the register's phone). A demand for a level is met by it or any higher one.
 */
export type Acr = (typeof ACR)[keyof typeof ACR];

const RANK: Record<Acr, number> = { [ACR.low]: 0, [ACR.substantial]: 1, [ACR.high]: 2 };

export function isAcr(value: unknown): value is Acr {
  return typeof value === 'string' && (ACR_VALUES as string[]).includes(value);
}

export function rank(level: Acr): number {
  return RANK[level];
}

export function meets(achieved: Acr | undefined, required: Acr): boolean {
  return achieved !== undefined && RANK[achieved] >= RANK[required];
}

export function highest(levels: readonly Acr[]): Acr {
  return levels.reduce<Acr>((top, level) => (RANK[level] > RANK[top] ? level : top), ACR.low);
}

/** The lowest known level among a requester's acceptable values (any of them would do), or none. */
function lowestAcceptable(values: readonly unknown[]): Acr | undefined {
  const known = values.filter(isAcr);
  return known.length ? known.reduce((low, level) => (RANK[level] < RANK[low] ? level : low)) : undefined;
}

export interface LevelDemand {
  /** The client's registered minimum. */
  clientRequires?: string | null;
  /** The request's `acr_values` (space-separated). */
  acrValues?: unknown;
  /** The request's `claims.id_token.acr` (`{ value }` or `{ values }`). */
  claimsAcr?: unknown;
  /** Staff never sign in without a second factor. */
  staff?: boolean;
}

/** What a sign-in must reach: the highest of the client's, the request's and the staff rule. */
export function requiredLevel(demand: LevelDemand): Acr {
  const requested = typeof demand.acrValues === 'string' ? demand.acrValues.split(' ') : [];
  const claim = (demand.claimsAcr ?? {}) as { value?: unknown; values?: unknown };
  const claimed = Array.isArray(claim.values) ? claim.values : claim.value !== undefined ? [claim.value] : [];
  return highest(
    [
      isAcr(demand.clientRequires) ? demand.clientRequires : undefined,
      lowestAcceptable(requested),
      lowestAcceptable(claimed),
      demand.staff ? ACR.substantial : undefined,
    ].filter((level): level is Acr => level !== undefined),
  );
}

/** The level a sign-in reached. */
export function achievedLevel(proof: { secondFactor: boolean; linkedToPerson: boolean }): Acr {
  if (!proof.secondFactor) return ACR.low;
  return proof.linkedToPerson ? ACR.high : ACR.substantial;
}
