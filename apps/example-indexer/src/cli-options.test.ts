import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './cli-options.js';

describe('parseCommandLine', () => {
  it('gives `pnpm example` its defaults: embedded node, prefill 100, reorgs every 15 blocks of depth 1 to 4', () => {
    expect(parseCommandLine(['--duration', '60'])).toEqual({
      json: false,
      options: {
        durationSeconds: 60,
        prefill: 100,
        node: { traders: 8 },
        traffic: { seed: 1, transfersPerBlock: [1, 4], blockIntervalMs: 250 },
        reorgs: { every: 15, depths: { min: 1, max: 4 } },
      },
    });
  });

  it('maps every flag onto the run options', () => {
    const { options, json } = parseCommandLine([
      '--rpc-url',
      'http://127.0.0.1:8545',
      '--contract',
      '0x0000000000000000000000000000000000000001',
      '--from-block',
      '7',
      '--confirmations',
      '2',
      '--blocks',
      '0',
      '--transfers',
      '3',
      '--reorg-depth',
      '2,5,3',
      '--port',
      '0',
      '-c',
      'a.yaml',
      'b.yaml',
      '--progress',
      'off',
      '--log-level',
      'debug',
      '--json',
    ]);
    expect(json).toBe(true);
    expect(options).toMatchObject({
      rpcUrl: 'http://127.0.0.1:8545',
      contract: '0x0000000000000000000000000000000000000001',
      fromBlock: 7,
      confirmations: 2,
      blocks: 0,
      configFiles: ['a.yaml', 'b.yaml'],
      node: { traders: 8, port: 0 },
      traffic: { transfersPerBlock: [3, 3] },
      reorgs: { every: 15, depths: [2, 5, 3] },
      progress: 'off',
      logLevel: 'debug',
    });
    expect(parseCommandLine(['--reorg-depth', '4']).options.reorgs?.depths).toEqual([4]);
  });
});
