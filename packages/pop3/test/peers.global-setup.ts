// Real Dovecot (POP3, POP3S, STLS, APOP, SASL, LMTP) for this package's tests, started once
// per run on free ports: `inject('peers').running.dovecot` (see tooling/peers/README.md).
import { peersGlobalSetup } from '@mail/peers';

export default peersGlobalSetup(['dovecot']);
