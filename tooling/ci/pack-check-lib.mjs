// Helpers of tooling/ci/pack-check.mjs: process running and pure checks on packed manifests.
import { spawn } from 'node:child_process';

/** Runs a command; resolves with its output and exit code (never rejects; 127 if it cannot start). */
export function run(cmd, args, { cwd, env = process.env, timeout = 120_000 } = {}) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      done({ code: 127, stdout, stderr: stderr + String(error) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** The environment for npm in the consumer: without the npm_ and pnpm_ settings `pnpm run` exports. */
export function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|INIT_CWD$)/i.test(k)) env[k] = v;
  }
  return { ...env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
}

/** Every condition object in an `exports` tree, with its subpath. */
export function conditionObjects(exports, path = '.') {
  if (exports === null || typeof exports !== 'object' || Array.isArray(exports)) return [];
  const keys = Object.keys(exports);
  if (keys.every((k) => k.startsWith('.'))) return keys.flatMap((k) => conditionObjects(exports[k], k));
  return [{ path, conditions: exports }, ...keys.flatMap((k) => conditionObjects(exports[k], path))];
}

/** The subpaths (".", "./server", ...) of an `exports` tree. */
export function subpaths(exports) {
  return [...new Set(conditionObjects(exports).map((c) => c.path))];
}

/** Relative file targets of an `exports` tree. */
export function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

/** The published exports of a source package.json (publishConfig wins). */
export function publishedExports(pj) {
  return pj.publishConfig?.exports ?? pj.exports ?? {};
}

/**
 * What is wrong with a packed package.json, given its raw text and the tarball's file list
 * (paths relative to the package root).
 */
export function manifestProblems(text, files, wantBin) {
  let pj;
  try {
    pj = JSON.parse(text);
  } catch {
    return { pj: undefined, problems: ['packed package.json is missing or not JSON'] };
  }
  const problems = [];
  if (text.includes('@mail/source')) problems.push('packed package.json still has the @mail/source condition');
  if (text.includes('workspace:')) problems.push('packed package.json still has workspace: ranges');
  if (pj.type !== 'module') problems.push(`"type" is ${JSON.stringify(pj.type)}, expected "module"`);
  if (!Array.isArray(pj.files) || !pj.files.some((f) => f === 'dist' || f.startsWith('dist/')))
    problems.push('"files" does not include dist');
  if (!pj.exports) problems.push('no "exports"');
  for (const { path, conditions } of conditionObjects(pj.exports)) {
    // Leaf condition objects (with file targets) need "types" first, or TypeScript may
    // resolve another condition to the .js file and find no declarations.
    const leaf = Object.values(conditions).some((v) => typeof v === 'string');
    if (leaf && Object.keys(conditions)[0] !== 'types') problems.push(`exports["${path}"]: "types" is not the first condition`);
  }
  for (const target of exportTargets(pj.exports)) {
    if (!files.has(target.replace(/^\.\//, ''))) problems.push(`exports target ${target} is not in the tarball (stale build?)`);
  }
  const bins = typeof pj.bin === 'string' ? { [pj.name]: pj.bin } : (pj.bin ?? {});
  for (const [cmd, target] of Object.entries(bins)) {
    if (!files.has(target.replace(/^\.\//, ''))) problems.push(`bin ${cmd} -> ${target} is not in the tarball`);
  }
  if (wantBin && !bins[wantBin]) problems.push(`no bin "${wantBin}"`);
  return { pj, problems };
}

/** True for the skeleton's bin: nothing but a shebang, comments and `export {}`. */
export function isPlaceholderBin(code) {
  const body = code
    .replace(/^#!.*\n/, '')
    .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
    .replace(/export\s*\{\s*\};?/g, '')
    .trim();
  return body === '';
}

/** The consumer's runtime check: imports every entry, reports missing names as one JSON line. */
export const IMPORT_CHECK = `import { readFileSync } from 'node:fs';
const out = [];
for (const { pkg, spec, names } of JSON.parse(readFileSync('./entries.json', 'utf8'))) {
  try {
    const m = await import(spec);
    out.push({ pkg, spec, missing: names.filter((n) => m[n] === undefined), count: Object.keys(m).length });
  } catch (e) {
    out.push({ pkg, spec, error: String((e && e.stack) || e).split('\\n').slice(0, 3).join(' | ') });
  }
}
console.log(JSON.stringify(out));
`;

/** A TypeScript consumer of `entries`: every entry resolves, every expected name has a type. */
export function typesSource(entries) {
  const lines = entries.map((e, i) => `import * as m${i} from '${e.spec}';`);
  entries.forEach((e, i) => {
    lines.push(`export type E${i} = keyof typeof m${i};`);
    for (const n of e.names) lines.push(`export type E${i}_${n} = typeof m${i}.${n};`);
  });
  return lines.join('\n') + '\n';
}
