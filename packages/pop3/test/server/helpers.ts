import { createTestCertificates } from '@mail/test-servers';
import { createPOP3Server, type Mailbox, type POP3Server, type POP3ServerOptions } from '@mail/pop3/server';

/** An in-memory maildrop; records deletions. */
export class MemoryMailbox implements Mailbox {
  deletedUids: string[] = [];
  closed = 0;
  constructor(public messages: Map<string, Buffer>) {}
  async list() {
    return [...this.messages].map(([uid, data]) => ({ uid, size: data.length }));
  }
  async *read(uid: string) {
    const data = this.messages.get(uid);
    if (!data) throw new Error('gone');
    // Small chunks exercise the stuffer's boundaries.
    for (let i = 0; i < data.length; i += 7) yield data.subarray(i, i + 7);
  }
  async delete(uids: string[]) {
    this.deletedUids.push(...uids);
    for (const uid of uids) this.messages.delete(uid);
  }
  async close() {
    this.closed++;
  }
}

export const users = [
  { name: 'alice', password: 'secret-1' },
  { name: 'bob', password: 'pässword 2' },
];

export async function startPOP3(
  boxes: Record<string, MemoryMailbox>,
  options: Partial<POP3ServerOptions> = {},
): Promise<{ server: POP3Server; port: number; logs: string[]; ca: string; caPath: string }> {
  const certs = await createTestCertificates();
  const logs: string[] = [];
  const server = createPOP3Server({
    hostname: 'pop.test',
    tls: { key: certs.server.key, cert: certs.server.cert },
    auth: { users },
    openMailbox: (user) => {
      const box = boxes[user];
      if (!box) throw new Error('no box');
      return box;
    },
    logger: (l) => logs.push(l),
    debug: true,
    ...options,
  });
  const { port } = await server.listen();
  return { server, port, logs, ca: certs.ca.cert, caPath: certs.ca.certPath };
}
