#!/usr/bin/env node
// `pnpm pack:check`: proves every publishable package works from its tarball, outside the
// workspace, the way a user gets it from npm: `pnpm pack` (which rewrites `workspace:^` and
// applies publishConfig.exports), one `npm install` of all tarballs into a throw-away ESM
// project in os.tmpdir(), then (a) import every entry point and check known exports, (b)
// typecheck a consumer with the repo's TypeScript (NodeNext, strict), (c) run `mailctl --version`.
// Prints PASS/FAIL per package, exits 1 on any failure, removes its temp dirs (--keep keeps them).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  IMPORT_CHECK,
  cleanEnv,
  exportTargets,
  isPlaceholderBin,
  manifestProblems,
  publishedExports,
  run,
  subpaths,
  typesSource,
} from './pack-check-lib.mjs';

const root = resolve(import.meta.dirname, '../..');
const started = Date.now();
const keep = process.argv.includes('--keep');

/**
 * What to pack, and per entry point (an `exports` subpath) the runtime exports that must exist
 * in JS and in the types. Every subpath of the packed `exports` is imported and typechecked
 * even when it is not listed here; add names as the packages grow.
 */
const PACKAGES = [
  {
    dir: 'packages/transport',
    expect: { '.': ['MailError', 'DotStuffer', 'DotUnstuffer', 'dotStuff', 'connect', 'Connection', 'createMechanism'] },
  },
  {
    dir: 'packages/pop3',
    expect: { '.': ['POP3', 'apopDigest', 'POP3_PORT'], './server': ['POP3Server', 'createPOP3Server'], './maildir': ['Maildir'] },
  },
  { dir: 'packages/smtp', expect: { '.': ['SMTP', 'LMTP', 'protocol'], './server': ['SMTPServer', 'createSMTPServer'] } },
  { dir: 'packages/cli', expect: { '.': ['main', 'VERSION'] }, bin: 'mailctl' },
];

const failures = new Map(); // package name -> messages
const notes = new Map();
const fail = (name, msg) => failures.get(name).push(msg);
const note = (name, msg) => notes.get(name).push(msg);
const short = (name) => name.replace('@mail/', '');

const pkgs = PACKAGES.map((p) => {
  const abs = join(root, p.dir);
  const source = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8'));
  failures.set(source.name, []);
  notes.set(source.name, []);
  return { ...p, abs, name: source.name, version: source.version, source };
});

const temps = [];
const tmp = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
const cleanup = () => {
  if (keep) console.log(`kept: ${temps.join(' ')}`);
  else for (const dir of temps) rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

/** 1. Build when a published file is missing (the caller normally ran `pnpm build`). */
async function buildIfNeeded() {
  const unbuilt = pkgs.filter((p) => exportTargets(publishedExports(p.source)).some((t) => !existsSync(join(p.abs, t))));
  if (unbuilt.length === 0) return;
  console.log(`building (missing dist files in ${unbuilt.map((p) => p.name).join(', ')}) ...`);
  const b = await run('pnpm', ['build'], { cwd: root, timeout: 300_000 });
  if (b.code !== 0) console.log(`pnpm build failed (exit ${b.code}); checking what exists:\n${b.stdout.slice(-2000)}${b.stderr.slice(-1000)}`);
}

/** 2 and 3. `pnpm pack` every package, then check the packed manifest and file list. */
async function packAll(packDir) {
  await Promise.all(
    pkgs.map(async (p) => {
      const r = await run('pnpm', ['pack', '--json', '--pack-destination', packDir], { cwd: p.abs });
      try {
        p.tarball = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))).filename;
      } catch {
        p.tarball = undefined;
      }
      if (r.code !== 0 || !p.tarball || !existsSync(p.tarball)) {
        p.tarball = undefined;
        return fail(p.name, `pnpm pack failed: ${(r.stderr || r.stdout).trim().slice(0, 1000)}`);
      }
      const [manifest, list] = await Promise.all([
        run('tar', ['-xzOf', p.tarball, 'package/package.json']),
        run('tar', ['-tzf', p.tarball]),
      ]);
      const files = new Set(list.stdout.split('\n').map((f) => f.replace(/^package\//, '')));
      const { pj, problems } = manifestProblems(manifest.stdout, files, p.bin);
      p.packed = pj;
      for (const problem of problems) fail(p.name, problem);
      for (const sub of Object.keys(p.expect)) {
        if (pj && !subpaths(pj.exports).includes(sub)) fail(p.name, `expected entry point ${sub} is not exported`);
      }
    }),
  );
}

/** 4. One `npm install` of every tarball; every @mail/* must come from our tarballs. */
async function install(app, packed) {
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'mail-pack-consumer', private: true, type: 'module' }));
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packed.map((p) => p.tarball)];
  const r = await run('npm', args, { cwd: app, env: cleanEnv(), timeout: 180_000 });
  if (r.code !== 0) {
    for (const p of packed) fail(p.name, `npm install failed:\n${r.stderr.trim().slice(-2000)}`);
    return false;
  }
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')).packages ?? {};
  for (const [path, info] of Object.entries(lock)) {
    const m = /(?:^|\/)node_modules\/(@mail\/[^/]+)$/.exec(path);
    if (!m || !failures.has(m[1])) continue;
    if (path !== `node_modules/${m[1]}`) fail(m[1], `a second copy was installed at ${path} (${info.resolved ?? info.version})`);
    else if (!String(info.resolved ?? '').startsWith('file:')) fail(m[1], `installed from ${info.resolved}, not the tarball`);
  }
  return true;
}

/** 5a. Import every entry point in plain Node ESM. */
async function checkImports(app, entries, packed) {
  writeFileSync(join(app, 'entries.json'), JSON.stringify(entries));
  writeFileSync(join(app, 'check.mjs'), IMPORT_CHECK);
  const r = await run(process.execPath, ['check.mjs'], { cwd: app, env: cleanEnv(), timeout: 30_000 });
  let report;
  try {
    report = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    for (const p of packed) fail(p.name, `import check crashed: ${r.stderr.trim().slice(-1500)}`);
    return;
  }
  for (const e of report) {
    if (e.error) fail(e.pkg, `import('${e.spec}') failed: ${e.error}`);
    else if (e.missing.length) fail(e.pkg, `import('${e.spec}') lacks ${e.missing.join(', ')}`);
    else note(e.pkg, `import('${e.spec}') ok (${e.count} exports)`);
  }
}

/** 5b. Typecheck one consumer file per package with the repo's tsc; declaration files are checked too. */
async function checkTypes(app, entries, packed) {
  for (const p of packed) writeFileSync(join(app, `types-${short(p.name)}.ts`), typesSource(entries.filter((e) => e.pkg === p.name)));
  const compilerOptions = {
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [join(root, 'node_modules/@types')],
  };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['types-*.ts'] }));
  const r = await run(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: app, timeout: 60_000 });
  const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
  const owns = (p, line) => line.startsWith(`types-${short(p.name)}.ts`) || line.includes(`node_modules/${p.name}/`);
  const other = errors.filter((l) => !pkgs.some((p) => owns(p, l)));
  for (const p of packed) {
    const mine = errors.filter((l) => owns(p, l));
    if (mine.length) fail(p.name, `types:\n    ${mine.slice(0, 8).join('\n    ')}`);
    else if (other.length || (r.code !== 0 && errors.length === 0))
      fail(p.name, `tsc failed (exit ${r.code}):\n    ${(other.length ? other : [r.stdout, r.stderr]).join('\n    ').slice(0, 2000)}`);
    else note(p.name, 'types resolve (tsc NodeNext strict, declarations checked)');
  }
}

/** 5c. The CLI's bin, unless it is still the skeleton's placeholder. */
async function checkBins(app, packed) {
  for (const p of packed.filter((x) => x.bin && x.packed.bin?.[x.bin])) {
    const binPath = join(app, 'node_modules', p.name, p.packed.bin[p.bin]);
    if (!existsSync(binPath) || isPlaceholderBin(readFileSync(binPath, 'utf8'))) {
      note(p.name, `NOTE: ${p.bin} --version skipped: the bin is still a placeholder`);
      continue;
    }
    // `--` so that npx passes --version on instead of printing its own version.
    const v = await run('npx', ['--no', '--', p.bin, '--version'], { cwd: app, env: cleanEnv(), timeout: 30_000 });
    if (v.code !== 0) fail(p.name, `npx ${p.bin} --version exited ${v.code}: ${(v.stderr || v.stdout).trim().slice(0, 500)}`);
    else if (!v.stdout.includes(p.packed.version))
      fail(p.name, `npx ${p.bin} --version printed ${JSON.stringify(v.stdout.trim())}, not ${p.packed.version}`);
    else note(p.name, `npx ${p.bin} --version -> ${v.stdout.trim()}`);
  }
}

try {
  await buildIfNeeded();
  await packAll(tmp('mail-pack-'));
  const packed = pkgs.filter((p) => p.packed);
  const app = tmp('mail-consumer-');
  if (packed.length > 0 && (await install(app, packed))) {
    const entries = packed.flatMap((p) =>
      subpaths(p.packed.exports).map((sub) => ({
        pkg: p.name,
        spec: sub === '.' ? p.name : `${p.name}/${sub.replace(/^\.\//, '')}`,
        names: p.expect[sub] ?? [],
      })),
    );
    await Promise.all([checkImports(app, entries, packed), checkTypes(app, entries, packed)]);
    await checkBins(app, packed);
  }
} finally {
  cleanup();
}

let failed = 0;
for (const p of pkgs) {
  const errs = failures.get(p.name);
  if (errs.length) failed++;
  console.log(`${errs.length ? 'FAIL' : 'PASS'} ${p.name}@${p.version}`);
  for (const n of notes.get(p.name)) console.log(`     ${n}`);
  for (const e of errs) console.log(`   ✗ ${e}`);
}
console.log(`pack:check: ${pkgs.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exitCode = failed ? 1 : 0;
