import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@hookdex/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, type Finding, typeScriptFiles } from './_test/compile.js';
import { initProject } from './init-project.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const coreSource = path.resolve(here, '../../core/src/index.ts');

/** The lines of `file` that carry a `// @ts-expect-error`, as the compiler reports them (the next line). */
function expectErrorLines(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, index) => (line.trim().startsWith('// @ts-expect-error') ? [index + 1] : []));
}

const describeFinding = (finding: Finding) =>
  `${finding.file}:${finding.line} TS${finding.code} ${finding.message}`;

describe('the generated types/hooks.d.ts', () => {
  let dir: string;
  let usage: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hookdex-codegen-types-'));
    cpSync(path.join(here, '_fixtures/project'), dir, { recursive: true });
    // The user's installed packages: decimal.js and @types/node (TypeScript's own lookup).
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(
      path.dirname(require.resolve('decimal.js/package.json')),
      path.join(dir, 'node_modules/decimal.js'),
    );
    symlinkSync(path.resolve(here, '../node_modules/@types'), path.join(dir, 'node_modules/@types'));
    usage = path.join(dir, 'src/usage.ts');
    const config = await loadConfig([path.join(dir, 'hookdex.yaml')], { env: {} });
    await initProject(config);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes every wrong fireHook call a compile error, and every right one compile', () => {
    const findings = compile({
      projectDir: dir,
      rootNames: [usage, ...typeScriptFiles(path.join(dir, 'hooks')), path.join(dir, 'types/hooks.d.ts')],
      paths: { '@hookdex/core': [coreSource] },
    });
    expect(findings.map(describeFinding)).toEqual([]);
    // The fixture really has the wrong calls it claims (a `@ts-expect-error` on each).
    expect(expectErrorLines(usage)).toHaveLength(16);
  });

  it('is what makes them errors: without it, every @ts-expect-error is unused', () => {
    const findings = compile({
      projectDir: dir,
      rootNames: [usage],
      paths: { '@hookdex/core': [coreSource] },
    });
    expect(findings.every((finding) => finding.file === 'src/usage.ts' && finding.code === 2578)).toBe(true);
    expect(findings.map((finding) => finding.line)).toEqual(expectErrorLines(usage));
  });

  it('compiles the generated stubs against @hookdex/core', () => {
    const findings = compile({
      projectDir: dir,
      rootNames: [...typeScriptFiles(path.join(dir, 'hooks')), path.join(dir, 'types/hooks.d.ts')],
      paths: { '@hookdex/core': [coreSource] },
    });
    expect(findings.map(describeFinding)).toEqual([]);
  });
});
