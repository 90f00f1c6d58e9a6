import './messages.js';

export { type Adjudication, decideAdjudication, openAdjudications } from './adjudicate.js';
export { approveAmendment, proposeAmendment, rejectAmendment } from './amend.js';
export { type Candidate, candidateQuery, findCandidates } from './candidates.js';
export { PERSON_DIED, registerDeath } from './death.js';
export { type BirthDate, type PersonInput, parseBirthDate, validatePerson } from './person.js';
export {
  readPerson,
  readPersonByUin,
  registryContactForLinking,
  searchPersons,
  verifyClaims,
} from './read.js';
export { PERSON_REGISTERED, type Registration, registerPerson } from './register.js';
export { identityRoutes } from './routes.js';
export { resolveSectorToken, type SectorKeys, sectorTokenFor } from './sector.js';
export { type IdentitySettings, identitySettings } from './settings.js';
export { validateUinInput } from './uin/index.js';
export { fillUinPool, uinPoolSize } from './uin-pool.js';
export type { PersonView } from './view.js';
