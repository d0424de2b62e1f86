import { describe, expect, it } from 'vitest';
import type { EvmEvent } from './evm-event.js';
import { evmEventsKind } from './evm-events-kind.js';

const transfer: EvmEvent = {
  address: '0xE78A0F7E598Cc8b0Bb87894B0F60dD2a88d6a8Ab',
  event: 'Transfer',
  args: {},
  blockNumber: 3,
  blockHash: '0x01',
  logIndex: 0,
  transactionHash: '0x02',
};

describe('the evm.events index kind', () => {
  it('matches on the event name and, when given, the emitting contract in any letter case', () => {
    const match = (fields: Record<string, unknown>) =>
      evmEventsKind.matches({ callback: 'on_transfer', match: fields }, transfer);
    expect(match({ event: 'Transfer' })).toBe(true);
    expect(match({ event: 'Approval' })).toBe(false);
    expect(match({ event: 'Transfer', contract: '0xe78a0f7e598cc8b0bb87894b0f60dd2a88d6a8ab' })).toBe(true);
    expect(match({ event: 'Transfer', contract: '0x0000000000000000000000000000000000000001' })).toBe(false);
  });

  it('rejects a match key it does not know instead of ignoring it', () => {
    expect(() =>
      evmEventsKind.matches({ callback: 'on_transfer', match: { event: 'Transfer', topic: 'x' } }, transfer),
    ).toThrow(
      'indexes.*.handlers (callback on_transfer): expected an evm.events handler to match on `event` and optionally `contract`, found the key `topic` (remove the key, or match on `event: <EventName>`).',
    );
  });
});
