import path from 'node:path';
import { configJsonSchema, type EnvironmentVariableUse, readConfigSource } from '@hookdex/core';
import { stringify } from 'yaml';
import { EX_OK } from '../errors/exit-codes.js';
import { type CommandContext, displayPath, loadConfiguration } from '../options/command-context.js';
import { loadEnvironment } from '../options/load-environment.js';
import { MASK, maskSecrets, maskUrlPasswords, SECRET_KEY } from '../output/mask-secrets.js';

/**
 * `hookdex config export`: the configuration as the files say it, merged, with the environment
 * resolved and secrets masked (keys such as `password` and `api_key`, URL passwords, the values of
 * secret variables). It is validated first: an invalid configuration is never exported.
 */
export async function configExportCommand(context: CommandContext): Promise<number> {
  const { config, env } = await loadConfiguration(context);
  const { document, environment } = await readConfigSource([...config.files], { env });
  const secrets = Object.entries(environment)
    .filter(([name, use]) => isSecret(name, use))
    .map(([, use]) => use.value)
    .filter((value): value is string => value !== undefined && value !== '');
  const sources = config.files.map(displayPath).join(', ');
  context.io.stdout.write(
    `# hookdex config export of ${sources}: environment resolved, secrets masked.\n${stringify(maskSecrets(document, secrets))}`,
  );
  return EX_OK;
}

/**
 * `hookdex config env`: every environment variable the configuration files use, as a dotenv file
 * (value in effect, secrets masked; unset ones commented). It reads the files without validating
 * them, so it works when variables are missing: that is when it is needed.
 */
export async function configEnvCommand(context: CommandContext): Promise<number> {
  const env = await loadEnvironment(context.globals.envFile);
  const files = context.globals.config.map((file) => path.resolve(file));
  const { environment } = await readConfigSource(files, { env, allowUnset: true });
  const lines = [`# Environment variables used by ${files.map(displayPath).join(', ')}`];
  if (Object.keys(environment).length === 0) lines.push('# (none)');
  for (const [name, use] of Object.entries(environment)) {
    const fallback = use.default;
    const where = use.places.map((place) => `${displayPath(place.file)}:${place.line}`).join(', ');
    const set = env[name];
    const value = use.value;
    const secret = isSecret(name, use);
    const shown = (text: string) => (secret ? MASK : maskUrlPasswords(text));
    const note = `# ${where}${fallback === undefined ? ', required' : `, default ${JSON.stringify(shown(fallback))}`}${
      set === undefined ? (fallback === undefined ? ', NOT SET' : ', not set: the default applies') : ''
    }`;
    lines.push(note);
    lines.push(value === undefined ? `# ${name}=` : `${name}=${shown(value)}`);
  }
  context.io.stdout.write(`${lines.join('\n')}\n`);
  return EX_OK;
}

/** `hookdex config schema`: the JSON Schema of `hookdex.yaml`, for editors and CI checks. */
export async function configSchemaCommand(context: CommandContext): Promise<number> {
  context.io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return EX_OK;
}

/** A variable is secret by its name (`API_TOKEN`) or by a key it fills (`password: ${PGPASS}`). */
function isSecret(name: string, use: EnvironmentVariableUse): boolean {
  return (
    SECRET_KEY.test(name) || use.places.some((place) => place.key !== undefined && SECRET_KEY.test(place.key))
  );
}
