import { type Abi, type Hex, parseAbi, parseAbiItem } from 'viem';
import artifact from '../contracts/Token.json' with { type: 'json' };

/** The ERC-20's full ABI, from the committed artifact (regenerate with `pnpm -F example-indexer compile-contract`). */
export const TOKEN_ABI = artifact.abi as Abi;

/** The Token's creation bytecode: `constructor(string name, string symbol, uint256 supply)`. */
export const TOKEN_BYTECODE = artifact.bytecode as Hex;

/** The functions the traffic generator and the tests call, typed for viem. */
export const TOKEN_FUNCTIONS = parseAbi([
  'function transfer(address to, uint256 value) returns (bool)',
  'function balanceOf(address account) view returns (uint256)',
]);

/** The events the datasource decodes; `event: Transfer` in hookdex.yaml matches the first. */
export const TOKEN_EVENTS = [
  parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
  parseAbiItem('event Approval(address indexed owner, address indexed spender, uint256 value)'),
] as const;

/** The zero address: the `from` of a mint. */
export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** 18-decimal token units as whole tokens with thousands separators (`125,000,000`). */
export function formatTokens(value: bigint): string {
  return (value / 10n ** 18n).toLocaleString('en-US');
}
