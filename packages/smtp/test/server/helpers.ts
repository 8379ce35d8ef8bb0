import { createTestCertificates } from '@mail/test-servers';
import { createSMTPServer, type Envelope, type SMTPServer, type SMTPServerOptions } from '@mail/smtp/server';

export interface Received {
  envelope: Envelope;
  data: Buffer;
  user: string | undefined;
}

/** Starts a server on port 0 that records every delivered message. */
export async function startRecording(options: Partial<SMTPServerOptions> = {}): Promise<{
  server: SMTPServer;
  port: number;
  received: Received[];
  logs: string[];
  ca: string;
}> {
  const certs = await createTestCertificates();
  const received: Received[] = [];
  const logs: string[] = [];
  const server = createSMTPServer({
    hostname: 'mx.test',
    tls: { key: certs.server.key, cert: certs.server.cert },
    logger: (l) => logs.push(l),
    debug: true,
    async onData(message, envelope, session) {
      const parts: Buffer[] = [];
      for await (const c of message) parts.push(c);
      received.push({ envelope: structuredClone(envelope), data: Buffer.concat(parts), user: session.user });
    },
    ...options,
  });
  const { port } = await server.listen({ port: 0 });
  return { server, port, received, logs, ca: certs.ca.cert };
}
