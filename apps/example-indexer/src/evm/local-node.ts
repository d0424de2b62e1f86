import ganache from 'ganache';
import {
  type Address,
  createPublicClient,
  custom,
  encodeDeployData,
  encodeFunctionData,
  type Hash,
  type PublicClient,
} from 'viem';
import { TOKEN_ABI, TOKEN_BYTECODE, TOKEN_FUNCTIONS } from '../token.js';
import { type RequestProvider, withMethodNotFoundCode } from './provider.js';

/** Options of the embedded node. */
export interface LocalNodeOptions {
  /** Accounts that trade the token (the deployer is the first). Default 8. */
  traders?: number;
  /** Listen on 127.0.0.1 (`0` picks a free port) for other processes; default: in-process only. */
  port?: number;
  /** Tokens minted to the deployer (18 decimals); it funds every trader evenly. Default 1e9 tokens. */
  supply?: bigint;
}

/** A running local Ethereum node with the Token deployed and every trader funded. */
export interface LocalNode {
  /** The in-process EIP-1193 provider (with unknown methods coded -32601). */
  readonly provider: RequestProvider;
  /** `http://127.0.0.1:<port>` when listening, else undefined. */
  readonly url: string | undefined;
  /** A viem client on the provider, without caching (heads change every few milliseconds). */
  readonly client: PublicClient;
  /** The Token contract. */
  readonly token: Address;
  /** Accounts the node signs for; each holds tokens. */
  readonly traders: readonly Address[];
  /** Sends a raw JSON-RPC request. */
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Sends `transfer(to, value)` from `from` (the miner is stopped: it waits for `mine`). */
  sendTransfer(from: Address, to: Address, value: bigint): Promise<Hash>;
  /** Mines one block with every pending transaction; returns its number. */
  mine(): Promise<number>;
  /** The current head. */
  head(): Promise<number>;
  /** The token balance of `account` at the head. */
  balanceOf(account: Address): Promise<bigint>;
  /** Stops the node (and its server); the process can exit afterwards. */
  close(): Promise<void>;
}

// NOTE: a fixed genesis time and a fixed step per block make every run produce the same blocks
// for the same traffic, so two runs (and their README output) can be compared.
const GENESIS_TIME = new Date('2025-01-01T00:00:00Z');
const SECONDS_PER_BLOCK = 12;
const DEFAULT_SUPPLY = 1_000_000_000n * 10n ** 18n;

/**
 * Starts ganache 7.9.2 in this process (optionally also serving HTTP on 127.0.0.1), deploys the
 * Token in block 1 and funds every trader in block 2, and leaves the miner stopped: from then on a
 * block is mined only by `mine()`, with all transactions sent since the previous one.
 */
export async function startLocalNode(options: LocalNodeOptions = {}): Promise<LocalNode> {
  const traderCount = options.traders ?? 8;
  if (!Number.isInteger(traderCount) || traderCount < 2) {
    throw new RangeError(`startLocalNode: expected at least 2 traders, found ${traderCount}.`);
  }
  const ganacheOptions = {
    chain: { chainId: 1337, time: GENESIS_TIME },
    wallet: { deterministic: true, totalAccounts: traderCount },
    miner: { blockTime: 0, timestampIncrement: SECONDS_PER_BLOCK },
    logging: { quiet: true },
  } as const;
  let raw: RequestProvider & { disconnect(): Promise<void> };
  let url: string | undefined;
  let server: ReturnType<typeof ganache.server> | undefined;
  if (options.port === undefined) {
    raw = ganache.provider(ganacheOptions) as unknown as typeof raw;
  } else {
    // NOTE: ganache 7.9.2's declared server options intersect with a flavor type that resolves to
    // `undefined`, so no object literal type-checks; the options are the provider's, which it accepts.
    server = ganache.server(ganacheOptions as never);
    await server.listen(options.port, '127.0.0.1');
    const address = server.address();
    url = `http://127.0.0.1:${address.port}`;
    raw = server.provider as unknown as typeof raw;
  }
  const provider = withMethodNotFoundCode(raw);
  const request = <T>(method: string, params: unknown[] = []): Promise<T> =>
    provider.request({ method, params }) as Promise<T>;
  const client = createPublicClient({ transport: custom(provider), cacheTime: 0, pollingInterval: 50 });
  const traders = await request<Address[]>('eth_accounts');
  const deployer = traders[0]!;
  const supply = options.supply ?? DEFAULT_SUPPLY;

  await request('miner_stop');
  const mine = async (): Promise<number> => {
    await request('evm_mine');
    return Number(await client.getBlockNumber({ cacheTime: 0 }));
  };
  const sendTransfer = (from: Address, to: Address, value: bigint): Promise<Hash> =>
    request<Hash>('eth_sendTransaction', [
      {
        from,
        to: token,
        // NOTE: always give gas: ganache's default limit (90,000) is too low for a deploy, and
        // estimating it costs a call per transaction.
        gas: '0x186a0',
        data: encodeFunctionData({ abi: TOKEN_FUNCTIONS, functionName: 'transfer', args: [to, value] }),
      },
    ]);

  const deployHash = await request<Hash>('eth_sendTransaction', [
    {
      from: deployer,
      gas: '0x2dc6c0',
      data: encodeDeployData({
        abi: TOKEN_ABI,
        bytecode: TOKEN_BYTECODE,
        args: ['Hookdex Example Token', 'HDX', supply],
      }),
    },
  ]);
  await mine();
  const receipt = await client.getTransactionReceipt({ hash: deployHash });
  if (receipt.status !== 'success' || receipt.contractAddress == null) {
    throw new Error(`Deploying the Token failed (transaction ${deployHash}, status ${receipt.status}).`);
  }
  const token = receipt.contractAddress;
  const share = supply / BigInt(traderCount);
  for (const trader of traders.slice(1)) await sendTransfer(deployer, trader, share);
  await mine();

  return {
    provider,
    url,
    client,
    token,
    traders,
    request,
    sendTransfer,
    mine,
    head: async () => Number(await client.getBlockNumber({ cacheTime: 0 })),
    balanceOf: (account) =>
      client.readContract({
        address: token,
        abi: TOKEN_FUNCTIONS,
        functionName: 'balanceOf',
        args: [account],
      }),
    async close() {
      if (server !== undefined) await server.close();
      else await raw.disconnect();
    },
  };
}
