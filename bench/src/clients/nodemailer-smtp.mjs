// nodemailer: N messages over `connections` pooled connections (its fastest documented mode).
// argv: host port messageFile count connections
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

const [host, port, file, count, connections] = process.argv.slice(2);
const raw = readFileSync(file);
const transport = nodemailer.createTransport({
  host, port: Number(port), secure: false, ignoreTLS: true, pool: true,
  maxConnections: Number(connections), maxMessages: Infinity,
});
const t0 = performance.now();
const sends = [];
for (let i = 0; i < Number(count); i++) {
  sends.push(transport.sendMail({ envelope: { from: 'sender@example.test', to: ['rcpt@example.test'] }, raw }));
}
await Promise.all(sends);
const workMs = performance.now() - t0;
transport.close();
console.log(JSON.stringify({ workMs }));
