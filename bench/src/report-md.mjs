// Prints a results file (results/latest.json by default) as the Markdown tables of the
// README, so the published numbers are copied from a run, never typed by hand.
// Usage: node src/report-md.mjs [results.json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const file = process.argv[2] ?? join(import.meta.dirname, '..', 'results', 'latest.json');
const run = JSON.parse(readFileSync(file, 'utf8'));

/** Three significant digits, without exponent notation for the usual magnitudes. */
function num(x) {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  if (x >= 100) return String(Math.round(x));
  return String(Number(x.toPrecision(3)));
}

const lines = [`Run of ${run.date}, Node ${run.node}, ${run.cpus} CPUs, ${run.rounds} interleaved round(s)${run.quick ? ' (quick mode)' : ''}.`, ''];
for (const r of run.results) {
  lines.push(`**${r.title}** (${r.unit})`, '');
  lines.push('| client | median | min–max | ours ÷ this (paired) | CPU ms/item | peak RSS MiB |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, c] of Object.entries(r.clients)) {
    const ratio = name === 'ours' ? '—' : `${c.ratio < 10 ? c.ratio.toFixed(2) : num(c.ratio)}×`;
    lines.push(`| ${name} | ${num(c.median)} | ${num(c.min)}–${num(c.max)} | ${ratio} | ${num(c.cpuMsPerItem)} | ${Math.round(c.peakRssMiB)} |`);
  }
  lines.push('');
}
lines.push('| target | measured | met |', '| --- | ---: | :---: |');
for (const t of run.targets ?? []) lines.push(`| ${t.text} | ${t.measured} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'no'} |`);
console.log(lines.join('\n'));
