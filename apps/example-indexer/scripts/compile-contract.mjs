// Regenerates contracts/Token.json (ABI and creation bytecode) from contracts/Token.sol with solc-js,
// offline: the compiler ships inside the `solc` package (never `solc.loadRemoteVersion`).
// Usage: `pnpm -F example-indexer compile-contract` (or `node scripts/compile-contract.mjs --check`
// to fail when the committed artifact differs from what the source compiles to).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileToken } from './compile-token.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const artifactPath = path.join(root, 'contracts', 'Token.json');
const artifact = compileToken(readFileSync(path.join(root, 'contracts', 'Token.sol'), 'utf8'));
const text = `${JSON.stringify(artifact, null, 2)}\n`;

if (process.argv.includes('--check')) {
  const committed = readFileSync(artifactPath, 'utf8');
  if (committed !== text) {
    console.error(
      'contracts/Token.json is not what contracts/Token.sol compiles to: run `pnpm -F example-indexer compile-contract` and commit the result.',
    );
    process.exit(1);
  }
  console.log(`contracts/Token.json is up to date (${artifact.compiler}).`);
} else {
  writeFileSync(artifactPath, text);
  console.log(
    `Wrote contracts/Token.json (${artifact.compiler}, ${artifact.bytecode.length / 2 - 1} bytes of bytecode).`,
  );
}
