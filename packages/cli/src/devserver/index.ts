/**
 * The dev mail server behind `mailctl serve` and `mailctl demo`.
 */
export { startDevServer, type DevServer, type DevServerOptions, type HostPort } from './server.js';
export { ensureCertificate, type DevCertificate } from './certificate.js';
export { boxFor, CATCHALL, MailStore } from './delivery.js';
