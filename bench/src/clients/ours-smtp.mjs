// @mail/smtp: N messages over `connections` connections. A large message (count 1) is
// sent from its file (`message: { path }`: read in place into a few reused buffers); small ones are read once and queued together, so the client can
// pipeline across messages. argv: host port messageFile count connections
import { readFileSync } from 'node:fs';
import { SMTP } from '@mail/smtp';

const [host, port, file, countArg, connArg] = process.argv.slice(2);
const count = Number(countArg), connections = Number(connArg);
const envelope = { from: 'sender@example.test', to: ['rcpt@example.test'] };
const t0 = performance.now();
const clients = await Promise.all(Array.from({ length: connections }, () =>
  SMTP.connect({ host, port: Number(port), security: 'none', localName: 'bench.example.test' })));
if (count === 1) {
  await clients[0].sendMail({ ...envelope, message: { path: file } });
} else {
  const raw = readFileSync(file);
  const per = Math.ceil(count / connections);
  await Promise.all(clients.map(async (smtp, c) => {
    const n = Math.min(per, count - c * per);
    await Promise.all(Array.from({ length: n }, () => smtp.sendMail({ ...envelope, message: raw })));
  }));
}
const workMs = performance.now() - t0;
await Promise.all(clients.map((c) => c.quit()));
console.log(JSON.stringify({ workMs }));
