import type { HookConfig } from '../config/config-types.js';

/** The system hooks every project has; their names are reserved. */
export const SYSTEM_HOOK_NAMES = [
  'on_restart',
  'on_reindex',
  'on_synchronized',
  'on_index_rollback',
] as const;
export type SystemHookName = (typeof SYSTEM_HOOK_NAMES)[number];

/** True for the name of a system hook. */
export function isSystemHook(name: string): name is SystemHookName {
  return (SYSTEM_HOOK_NAMES as readonly string[]).includes(name);
}

/** Arguments of `on_index_rollback`. */
export interface IndexRollbackArgs {
  index: string;
  fromLevel: number;
  toLevel: number;
}

/** The configuration of each system hook: never atomic (as DipDup). */
export const SYSTEM_HOOKS: Readonly<Record<SystemHookName, HookConfig>> = {
  on_restart: { name: 'on_restart', callback: 'on_restart', atomic: false, args: [] },
  on_reindex: { name: 'on_reindex', callback: 'on_reindex', atomic: false, args: [] },
  on_synchronized: { name: 'on_synchronized', callback: 'on_synchronized', atomic: false, args: [] },
  on_index_rollback: {
    name: 'on_index_rollback',
    callback: 'on_index_rollback',
    atomic: false,
    args: [
      { name: 'index', typeName: 'str', type: { kind: 'string' } },
      { name: 'fromLevel', typeName: 'int', type: { kind: 'int' } },
      { name: 'toLevel', typeName: 'int', type: { kind: 'int' } },
    ],
  },
};
