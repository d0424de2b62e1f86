// Compiles contracts/Token.sol with the solc-js bundled in the `solc` package; shared by the
// compile script and the test that checks the committed artifact.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Compiles the Token source; returns the committed artifact's shape or throws with solc's errors. */
export function compileToken(source) {
  const solc = require('solc');
  const input = {
    language: 'Solidity',
    sources: { 'Token.sol': { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      // NOTE: ganache 7.9.2 implements up to shanghai; solc's default (osaka) emits MCOPY, which
      // ganache rejects as an invalid opcode.
      evmVersion: 'shanghai',
      outputSelection: { '*': { Token: ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((entry) => entry.severity === 'error');
  if (errors.length > 0) {
    throw new Error(
      `solc failed to compile Token.sol:\n${errors.map((entry) => entry.formattedMessage).join('\n')}`,
    );
  }
  const contract = output.contracts?.['Token.sol']?.Token;
  if (contract === undefined) throw new Error('solc produced no output for Token.sol:Token.');
  return {
    contractName: 'Token',
    compiler: `solc ${solc.version()}`,
    evmVersion: 'shanghai',
    abi: contract.abi,
    bytecode: `0x${contract.evm.bytecode.object}`,
  };
}
