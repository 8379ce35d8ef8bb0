#!/usr/bin/env node
// Line coverage of what SECURITY.md's promises rest on: every package's sans-I/O
// `src/protocol/` and the whole of `packages/transport/src`. Reads the json-summary that
// each package's vitest writes to `.reports/coverage/coverage-summary.json` (see
// tooling/test-servers/vitest-config.js) and prints one line per area plus the files below
// the target. Exits 1 when an area is under `--min` (default 90) or its summary is missing.
//
//   node tooling/ci/coverage-report.mjs            report from the existing summaries
//   node tooling/ci/coverage-report.mjs --run      first run `vitest run --coverage` where needed
//                                                  (reported even when a test fails: the test run judges tests)
//   node tooling/ci/coverage-report.mjs --min 85   another target
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const runFirst = args.includes('--run');
const minAt = args.indexOf('--min');
const min = minAt >= 0 ? Number(args[minAt + 1]) : 90;
if (!Number.isFinite(min)) {
  console.error('coverage-report: --min needs a number');
  process.exit(2);
}

/** The areas: a package directory and which of its source files count. */
function areas() {
  const out = [{ name: 'packages/transport/src', dir: join(root, 'packages/transport'), prefix: 'src' + sep }];
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', pkg);
    if (existsSync(join(dir, 'src', 'protocol'))) out.push({ name: `packages/${pkg}/src/protocol`, dir, prefix: join('src', 'protocol') + sep });
  }
  return out;
}

const summaryOf = (dir) => join(dir, '.reports/coverage/coverage-summary.json');

/** A summary is stale when the package's last vitest report is newer (a run without --coverage). */
function stale(dir) {
  const summary = summaryOf(dir);
  if (!existsSync(summary)) return true;
  const report = join(dir, '.reports/vitest.json');
  return existsSync(report) && statSync(report).mtimeMs > statSync(summary).mtimeMs + 1000;
}

const list = areas();
if (runFirst) {
  for (const dir of [...new Set(list.map((a) => a.dir))]) {
    if (!stale(dir)) continue;
    console.log(`coverage-report: running vitest --coverage in ${relative(root, dir)}`);
    spawnSync('pnpm', ['exec', 'vitest', 'run', '--coverage', '--coverage.reportOnFailure', '--reporter=dot'], { cwd: dir, stdio: 'inherit' });
  }
}

let failed = false;
const rows = [];
const below = [];
for (const area of list) {
  const file = summaryOf(area.dir);
  if (!existsSync(file)) {
    rows.push(`${area.name.padEnd(32)} no coverage summary (run vitest with --coverage, or pass --run)`);
    failed = true;
    continue;
  }
  const summary = JSON.parse(readFileSync(file, 'utf8'));
  let total = 0;
  let covered = 0;
  for (const [path, entry] of Object.entries(summary)) {
    if (path === 'total') continue;
    const rel = relative(area.dir, path);
    if (!rel.startsWith(area.prefix) || /\.test(-d)?\.ts$/.test(rel)) continue;
    total += entry.lines.total;
    covered += entry.lines.covered;
    if (entry.lines.pct < min) below.push(`  ${relative(root, path)}: ${entry.lines.pct}% (${entry.lines.covered}/${entry.lines.total})`);
  }
  const pct = total === 0 ? 100 : (100 * covered) / total;
  const ok = pct >= min;
  if (!ok) failed = true;
  rows.push(`${area.name.padEnd(32)} ${pct.toFixed(2).padStart(6)}% lines (${covered}/${total}) ${ok ? 'ok' : `BELOW ${min}%`}`);
}

console.log(`coverage (lines, target ${min}%)`);
for (const r of rows) console.log(`  ${r}`);
if (below.length) {
  console.log(`files under ${min}%:`);
  for (const b of below) console.log(b);
}
process.exit(failed ? 1 : 0);
