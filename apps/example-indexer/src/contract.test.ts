import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script shared with scripts/compile-contract.mjs; its types are inferred at runtime.
import { compileToken } from '../scripts/compile-token.mjs';
import { appDir } from './app-dir.js';
import { TOKEN_BYTECODE } from './token.js';

describe('contracts/Token.json', () => {
  it('is what contracts/Token.sol compiles to with the pinned solc (run `pnpm -F example-indexer compile-contract` if not)', () => {
    const source = readFileSync(path.join(appDir(), 'contracts', 'Token.sol'), 'utf8');
    const committed = JSON.parse(readFileSync(path.join(appDir(), 'contracts', 'Token.json'), 'utf8'));
    const compiled = compileToken(source);
    expect(compiled).toEqual(committed);
    expect(compiled.compiler).toMatch(/^solc 0\.8\.37\+/);
    expect(compiled.evmVersion).toBe('shanghai');
    expect(TOKEN_BYTECODE).toBe(committed.bytecode);
  });
});
