import './messages.js';

export { accountOfFederatedPerson, FederationRefused } from './link.js';
export { FEDERATED_AMR, federationRoutes } from './routes.js';
export { FEDERATION_CALLBACK_PATH, federationUpstream, type Upstream } from './upstream.js';
