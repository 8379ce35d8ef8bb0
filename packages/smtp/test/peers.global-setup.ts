// Real servers for this package's tests, started once per run on free ports (see
// tooling/peers/README.md): Postfix (with its own Dovecot for AUTH and delivery, whose LMTP
// listener is `running.postfix.ports.lmtp`), aiosmtpd (records messages byte-exact) and
// smtp-sink. Tests read them with `inject('peers').running.<name>`.
import { peersGlobalSetup } from '@mail/peers';

export default peersGlobalSetup(['postfix', 'aiosmtpd', 'smtp-sink']);
