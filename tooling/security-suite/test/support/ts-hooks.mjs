// Module hooks for ts-register.mjs: `.js` specifiers that name a `.ts` source resolve to it,
// and `.ts` files are transpiled with the workspace's TypeScript (types stripped, no type
// check), cached on disk by path, size and mtime so that repeated child processes start fast.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cacheDir = join(tmpdir(), 'mail-security-suite-ts-cache');
mkdirSync(cacheDir, { recursive: true });
let ts;

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
    if (relative && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const path = fileURLToPath(url);
  const { size, mtimeMs } = statSync(path);
  const key = createHash('sha256').update(`${path}\0${size}\0${mtimeMs}`).digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  let source;
  if (existsSync(cached)) {
    source = readFileSync(cached, 'utf8');
  } else {
    ts ??= (await import('typescript')).default;
    source = ts.transpileModule(readFileSync(path, 'utf8'), {
      fileName: path,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    }).outputText;
    writeFileSync(`${cached}.${process.pid}`, source);
    // Atomic publish: concurrent children never read half a file.
    renameSync(`${cached}.${process.pid}`, cached);
  }
  return { format: 'module', source, shortCircuit: true };
}
