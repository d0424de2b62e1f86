import { initProject } from '@hookdex/codegen';
import { EX_OK } from '../errors/exit-codes.js';
import { type CommandContext, loadConfiguration } from '../options/command-context.js';

/**
 * `hookdex init [--force]`: stubs for every hook (system hooks included) and `sql/<hook>/`
 * directories where missing, and `types/hooks.d.ts` regenerated. Never overwrites a stub; `--force`
 * only lets it replace a `types/hooks.d.ts` that lacks the generated header.
 */
export async function initCommand(context: CommandContext, options: { force?: boolean }): Promise<number> {
  const { config } = await loadConfiguration(context);
  const report = await initProject(config, { force: options.force === true });
  const lines = [
    ...report.created.map((file) => `created  ${file}`),
    ...report.updated.map((file) => `updated  ${file}`),
  ];
  if (lines.length === 0) {
    lines.push(
      'Nothing to do: every hook has its file and sql/ directory, and types/hooks.d.ts is up to date.',
    );
  } else if (report.kept.length > 0) {
    lines.push(`kept     ${report.kept.length} existing hook files (hookdex init never overwrites them)`);
  }
  context.io.stdout.write(`${lines.join('\n')}\n`);
  return EX_OK;
}
