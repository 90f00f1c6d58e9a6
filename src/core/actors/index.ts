/**
 * Who is calling. Every request carries exactly one actor; routes declare which kinds they admit.
 */
export const ACTOR_TYPES = ['anonymous', 'citizen', 'staff', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const STAFF_ROLES = [
  'registrar',
  'licensing_officer',
  'passport_officer',
  'business_registrar',
  'cashier',
  'centre_agent',
  'supervisor',
  'administrator',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface Actor {
  type: ActorType;
  /** Account id for citizens and staff, client id for systems, 'anonymous' otherwise. */
  id: string;
  roles: readonly StaffRole[];
  /** Ministry and office or service centre a staff member works for. */
  ministry?: string;
  office?: string;
  /** Scopes granted to a system client. */
  scopes: readonly string[];
  /** How strongly the person signed in (the token's acr), when the token says. */
  acr?: string;
}

export const anonymous: Actor = Object.freeze({ type: 'anonymous', id: 'anonymous', roles: [], scopes: [] });

/** The platform itself (start-up seeding, scheduled jobs), named so the audit log says so. */
export function systemActor(name: string): Actor {
  return { type: 'system', id: `mmuso:${name}`, roles: [], scopes: [] };
}

/** What an audit entry keeps of an actor: enough to say who, nothing that is a secret. */
export function actorSummary(actor: Actor) {
  return {
    type: actor.type,
    id: actor.id,
    ...(actor.roles.length ? { roles: [...actor.roles] } : {}),
    ...(actor.ministry ? { ministry: actor.ministry } : {}),
    ...(actor.office ? { office: actor.office } : {}),
  };
}
