import './messages.js';

export {
  ACCOUNT_CREATED,
  ACCOUNT_DISABLED,
  accountById,
  accountOfPerson,
  createStaffAccount,
  disableAccountOfPerson,
  LOCK_AFTER,
  linkAccountToPerson,
  lockMinutes,
  parseLogin,
  type SignInResult,
  signIn,
  signUp,
} from './accounts.js';
export { purgeExpiredOidcRecords } from './adapter.js';
export {
  ACR,
  CLAIMS,
  type ClientInput,
  clientById,
  listClients,
  registerClient,
  SCOPE_CLAIMS,
  SCOPES,
} from './clients.js';
export { listSigningKeys, rotateSigningKey, signingKeys } from './keys.js';
export { hashPassword, MIN_PASSWORD_LENGTH, passwordProblem } from './passwords.js';
export { authRoutes, subscribeToIdentity } from './routes.js';
export type { AccountRow, ClientRow } from './schema.js';
export { PORTAL_CLIENT_ID, seedLoginDemo } from './seed.js';
