import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { initProject } from '@hookdex/codegen';
import { loadConfig } from '@hookdex/core';
import { EX_OK } from '../errors/exit-codes.js';
import { UsageError } from '../errors/usage-error.js';
import type { CommandContext } from '../options/command-context.js';
import { scaffoldFiles } from '../scaffold/scaffold-files.js';

/**
 * `hookdex new <dir>`: a working project in a new (or empty) directory: configuration,
 * package.json, tsconfig, entry and models, a handler, a hook with two jobs, then what
 * `hookdex init` generates. It runs with `hookdex run` as it is.
 */
export async function newCommand(context: CommandContext, directory: string): Promise<number> {
  const root = path.resolve(directory);
  const entries = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) {
    throw new UsageError(
      `${directory}: expected a new or empty directory, found ${entries.length} entries (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); choose another directory`,
    );
  }
  const files = scaffoldFiles({ name: packageName(root), hookdexVersion: await ownVersion() });
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content, { flag: 'wx' });
  }
  // NOTE: an empty environment: the scaffold's placeholders all have defaults.
  const config = await loadConfig([path.join(root, 'hookdex.yaml')], { env: {} });
  const report = await initProject(config);
  const created = [...Object.keys(files), ...report.created.filter((file) => !file.endsWith('/'))].sort();
  const shown = path.relative(process.cwd(), root) || '.';
  context.io.stdout.write(
    [
      `Created a hookdex project in ${shown}:`,
      ...created.map((file) => `  ${file}`),
      '',
      'Next:',
      `  cd ${shown}`,
      '  npm install',
      '  npx hookdex run          # Ctrl-C stops it',
      '',
    ].join('\n'),
  );
  return EX_OK;
}

/** An npm package name from the directory's name: lower case, dashes for anything else. */
function packageName(root: string): string {
  const name = path
    .basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name === '' ? 'hookdex-project' : name;
}

async function ownVersion(): Promise<string> {
  // NOTE: src/commands and dist/commands are both two levels below the package root.
  const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
