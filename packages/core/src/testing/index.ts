export type { ScriptedChainOptions } from './scripted-chain.js';
export { ScriptedChain } from './scripted-chain.js';
