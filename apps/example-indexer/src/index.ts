import { defineProject } from '@hookdex/core';
import { evmEventsKind } from './evm/evm-events-kind.js';
import { createEvmNodeKind } from './evm/evm-node-kind.js';
import { ENTITIES } from './models/index.js';

/**
 * The project's entry (what `hookdex run` imports): its tables, the `evm.node` datasource kind and
 * the `evm.events` index kind. This default `evm.node` reaches nodes by URL only; src/main.ts
 * composes its own, which also knows the embedded node.
 */
export default defineProject({
  entities: ENTITIES,
  datasources: { 'evm.node': createEvmNodeKind() },
  indexKinds: { 'evm.events': evmEventsKind },
});
