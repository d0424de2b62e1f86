import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A temporary scripts root filled with the given files (`{ 'hook/10_a.sql': 'SELECT 1' }`). */
export async function createScriptDirectory(
  files: Readonly<Record<string, string>>,
): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'hookdex-sql-runner-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, ...name.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
