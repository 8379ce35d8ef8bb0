// @mail/test-servers: scriptable fake SMTP/POP3 servers and TLS material for tests.
export { act, bytesOf, type Action, type Reply } from './actions.js';
export {
  certificateCacheDir, createTestCertificates, spkiSha256,
  type CertificateMaterial, type CreateCertificatesOptions, type TestCertificates,
} from './certs.js';
export { chunkings, splitAt, type SplitOptions } from './chunking.js';
export { DEFAULT_CAPA, DEFAULT_EHLO_EXTENSIONS, type DriverConfig, type Security } from './config.js';
export type { ConnectionRecord } from './connection.js';
export { parseCommand, type EntryKind, type TranscriptEntry } from './engine.js';
export { FakeServer, type FakeServerOptions } from './fake-server.js';
export { stuffMultiline, topOf, type Pop3Message, type Pop3State } from './pop3.js';
export type { Users } from './sasl.js';
export type { Command, Handler, HandlerContext, Override, PseudoVerb } from './script.js';
export { unstuff, type ReceivedMessage, type SmtpState } from './smtp.js';
export { TestClient } from './test-client.js';
export { RawClient } from './raw-client.js';
export { SECURITY_MODES } from './security-modes.js';
