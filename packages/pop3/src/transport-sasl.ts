// TEMPORARY shim: CONTRACT.md says @mail/transport re-exports sasl/, but its index does not
// yet. Replace every import of this file with '@mail/transport' once it does, then delete it.
export { chooseMechanism, createMechanism } from '../../transport/src/sasl/index.js';
export type { SaslCredentials, SaslMechanism } from '../../transport/src/sasl/index.js';
