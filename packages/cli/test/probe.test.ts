import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { FakeServer } from '@mail/test-servers';
import { sandbox, type Sandbox } from './helpers.js';
import { validate } from './schema-validator.js';

let sb: Sandbox;
let schema: Record<string, unknown>;
const servers: FakeServer[] = [];

beforeAll(async () => {
  sb = await sandbox();
  schema = JSON.parse(await readFile(join(import.meta.dirname, '../schemas/probe.schema.json'), 'utf8'));
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await sb.cleanup();
});

async function start(protocol: 'smtp' | 'pop3', security: 'tls' | 'starttls' | 'none'): Promise<{ server: FakeServer; ca: string }> {
  const server = await FakeServer.start({ protocol, security });
  servers.push(server);
  return { server, ca: await sb.file(`ca-${server.port}.pem`, server.ca) };
}

describe('validator', () => {
  it('rejects documents that break the schema', () => {
    expect(validate(schema, {})).not.toEqual([]);
    expect(validate({ type: 'object', properties: { a: { type: 'integer' } }, additionalProperties: false }, { a: 1.5, b: 1 })).toHaveLength(2);
    expect(validate({ type: ['string', 'null'], pattern: '^x' }, 'y')).toHaveLength(1);
  });
});

describe('mailctl probe', () => {
  it('SMTP with STARTTLS: capabilities before and after TLS, certificate chain, SASL; JSON valid; nothing state-changing sent', async () => {
    const { server, ca } = await start('smtp', 'starttls');
    const r = await sb.run(['probe', `smtp://localhost:${server.port}`, '--ca', ca, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(validate(schema, report)).toEqual([]);
    expect(report.capabilitiesBeforeTls).toContain('STARTTLS');
    expect(report.capabilities).not.toContain('STARTTLS');
    expect(report.tls.version).toMatch(/^TLSv1\.[23]$/);
    expect(report.tls.authorized).toBe(true);
    expect(report.tls.certificates.length).toBeGreaterThanOrEqual(1);
    expect(report.tls.certificates[0].subjectAltName).toContain('localhost');
    expect(report.saslMechanisms).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    expect(report.timings.map((t: { step: string }) => t.step)).toEqual(['connect', 'greeting', 'ehlo', 'starttls', 'ehlo-after-tls', 'quit']);
    expect(server.commands().map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'QUIT']);
  });

  it('POP3 with implicit TLS; the SPKI pin it prints is accepted by --pin', async () => {
    const { server, ca } = await start('pop3', 'tls');
    const r = await sb.run(['probe', `pop3s://localhost:${server.port}`, '--ca', ca, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(validate(schema, report)).toEqual([]);
    expect(report.capabilitiesBeforeTls).toBeNull();
    expect(report.capabilities).toContain('UIDL');
    expect(report.saslMechanisms).toContain('PLAIN');
    expect(server.commands()).toEqual(['CAPA', 'QUIT']);
    const pin = report.tls.certificates[0].spkiSha256 as string;
    const pinned = await sb.run(['probe', `pop3s://localhost:${server.port}`, '--pin', pin, '--json']);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(JSON.parse(pinned.stdout).ok).toBe(true);
  });

  it('POP3 with STLS, human output escaped', async () => {
    const { server, ca } = await start('pop3', 'starttls');
    server.once('GREETING', '+OK hostile \x1b[31mred\x1b[0m greeting\r\n');
    const r = await sb.run(['probe', `pop3://localhost:${server.port}`, '--ca', ca]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('greeting: hostile \\x1b[31mred\\x1b[0m greeting');
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toMatch(/TLS: TLSv1\.[23] /);
  });

  it('an untrusted certificate: ok false, error in the JSON, exit 76', async () => {
    const { server } = await start('smtp', 'tls');
    const r = await sb.run(['probe', `smtps://localhost:${server.port}`, '--json']);
    expect(r.code).toBe(76);
    const report = JSON.parse(r.stdout);
    expect(validate(schema, report)).toEqual([]);
    expect(report.ok).toBe(false);
    expect(report.error.code).toBe('MAIL_TLS');
  });

  it('a closed port: exit 69 with a valid report', async () => {
    const srv = createServer();
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((res) => srv.close(() => res()));
    const r = await sb.run(['probe', `smtp://127.0.0.1:${port}`, '--json']);
    expect(r.code).toBe(69);
    expect(validate(schema, JSON.parse(r.stdout))).toEqual([]);
  });
});
