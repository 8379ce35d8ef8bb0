// @mail/peers: real mail servers (Dovecot, Postfix, smtp-sink, aiosmtpd) on free loopback
// ports for tests, wrapping the shell recipes next to this package (see RECIPES.md).
export { inCI, peersGlobalSetup, type ProvidedPeers } from './global-setup.js';
export {
  addMessage, parseExports, peerAvailable, peerMissing, peerProcesses, startPeer, stopPeer,
  type PeerInfo, type StartPeerOptions,
} from './peers.js';
export { freePorts } from './ports.js';
export { processAlive, sessionProcesses } from './processes.js';
export { lmtpInstalled, PEER_NAMES, type PeerName, type PortName } from './recipes.js';
