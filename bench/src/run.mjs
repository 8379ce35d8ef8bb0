#!/usr/bin/env node
// `pnpm bench`: generates data, starts smtp-sink, a minimal sink and Dovecot on free loopback
// ports, runs every scenario with our client and the others interleaved (A B C A B C ...),
// and prints per scenario the median, min-max, the ratio to ours measured pair by pair,
// CPU per item and peak RSS. Results go to bench/results/*.json and an SVG chart.
//   --quick      small sizes, one round (CI: proves every benchmark still runs)
//   --rounds N   interleaved rounds (default 5)
//   --only ID    run one scenario (comma-separated list allowed)
//   --out DIR    where results go (default bench/results)
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measure } from './measure.mjs';
import { pairedRatio, summarize } from './stats.mjs';
import { makeMessage, writeLargeMessage, writeMessage } from './data.mjs';
import { startDovecot, startMinimalSink, startSmtpSink } from './servers.mjs';
import { scenarios } from './scenarios.mjs';
import { renderChart } from './chart.mjs';
import { checkTargets } from './targets.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, '../results') },
  },
});
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 5));
const largeMiB = quick ? 4 : 100;
const sizes = { count: quick ? 200 : 2000, large: largeMiB << 20, largeMiB };
const dir = mkdtempSync(join(tmpdir(), 'mail-bench-'));
const files = { small: join(dir, 'small.eml'), large: join(dir, 'large.eml') };
writeMessage(files.small, 2048);
await writeLargeMessage(files.large, sizes.large);
const pop10k = Buffer.from(makeMessage(10 * 1024), 'latin1');

const stops = [];
try {
  const sink = await startSmtpSink(); stops.push(sink.stop);
  const minimal = await startMinimalSink(); stops.push(minimal.stop);
  const dovecot = await startDovecot(); stops.push(dovecot.stop);
  let filled = '';
  const pop = {
    ...dovecot,
    fill(kind, n) {
      dovecot.fill(kind === 'large' ? readFileSync(files.large) : pop10k, n);
      filled = `${kind}:${n}`;
    },
    fillIfNeeded(kind, n) {
      if (filled !== `${kind}:${n}` || dovecot.count() !== n) pop.fill(kind, n);
    },
  };
  let mdCount = 0;
  const countMaildir = (md) => readdirSync(join(md, 'new')).length + readdirSync(join(md, 'cur')).length;
  const ctx = { quick, dir, files, sizes, sink, minimal, pop, countMaildir, freshMaildir: (name) => {
    const md = join(dir, `md-${name.replace(/\W/g, '')}-${mdCount++}`);
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(md, sub), { recursive: true });
    return md;
  } };

  const only = args.only ? new Set(args.only.split(',')) : null;
  const results = [];
  for (const sc of scenarios(ctx)) {
    if (only && !only.has(sc.id)) continue;
    const names = Object.keys(sc.clients);
    const runs = Object.fromEntries(names.map((n) => [n, []]));
    const errors = {};
    for (let r = 0; r < rounds; r++) {
      for (const name of names) {
        if (errors[name]) continue;
        try {
          if (sc.before) sc.before();
          const md = sc.beforeEach ? sc.beforeEach(name) : undefined;
          const spec = sc.clients[name];
          const argv = (typeof spec === 'function' ? spec(md) : spec).map(String);
          const m = await measure(argv, { env: sc.env, timeoutMs: quick ? 60_000 : 600_000 });
          if (sc.verify) sc.verify(md);
          const ms = sc.wall ? m.wallMs : m.workMs;
          const throughput = sc.unit === 'MB/s' ? sc.bytes / 1e6 / (ms / 1000) : sc.items / (ms / 1000);
          runs[name].push({ throughput, cpuMs: m.cpuMs, maxRssKiB: m.maxRssKiB, items: sc.items, ms });
        } catch (e) {
          errors[name] = String(e.message ?? e).slice(0, 500);
        }
      }
    }
    const clients = {};
    for (const name of names) {
      if (!runs[name].length) { clients[name] = { error: errors[name] }; continue; }
      clients[name] = { ...summarize(runs[name]), ...(name === 'ours' ? {} : { ratio: runs.ours.length ? pairedRatio(runs.ours, runs[name]) : NaN }), ...(errors[name] ? { error: errors[name] } : {}) };
    }
    const result = { id: sc.id, title: sc.title, unit: sc.unit, clients };
    results.push(result);
    printScenario(result);
  }
  const report = { date: new Date().toISOString(), quick, rounds, node: process.version, cpus: (await import('node:os')).cpus().length, results };
  report.targets = checkTargets(results);
  for (const t of report.targets) console.log(`target ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'} ${t.text}: ${t.measured}`);
  mkdirSync(args.out, { recursive: true });
  const stem = quick ? 'quick' : 'latest';
  writeFileSync(join(args.out, `${stem}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(args.out, `${stem}.svg`), renderChart(report));
  console.log(`results: ${join(args.out, `${stem}.json`)} and ${stem}.svg`);
  const broken = results.flatMap((r) => Object.entries(r.clients).filter(([, c]) => c.error).map(([n, c]) => `${r.id}/${n}: ${c.error}`));
  if (broken.length) { console.error(`broken benchmarks:\n  ${broken.join('\n  ')}`); process.exitCode = 1; }
} finally {
  for (const stop of stops.reverse()) { try { stop(); } catch { /* already gone */ } }
  rmSync(dir, { recursive: true, force: true });
}

function printScenario(r) {
  console.log(`\n${r.title} (${r.unit})`);
  for (const [name, c] of Object.entries(r.clients)) {
    if (c.error && c.median === undefined) { console.log(`  ${name.padEnd(20)} ERROR ${c.error.split('\n')[0]}`); continue; }
    const ratio = name === 'ours' ? '' : `  ours/this ${c.ratio.toFixed(2)}×`;
    console.log(`  ${name.padEnd(20)} ${c.median.toFixed(1).padStart(9)}  [${c.min.toFixed(1)}–${c.max.toFixed(1)}]  cpu ${c.cpuMsPerItem.toFixed(3)} ms/item  rss ${c.peakRssMiB.toFixed(0)} MiB${ratio}`);
  }
}
