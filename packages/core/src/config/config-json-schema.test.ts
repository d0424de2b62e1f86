// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` here is YAML's placeholder, not a template.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaFile, REGENERATE_SCHEMA_COMMAND } from './config-schema.js';

const SCHEMA_FILE = new URL('../../schema/hookdex.schema.json', import.meta.url);

interface JsonSchema {
  $schema?: string;
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: { pattern?: string };
  default?: unknown;
}

describe('the JSON Schema of hookdex.yaml', () => {
  it('is committed in step with the zod schema', async () => {
    const committed: unknown = JSON.parse(await readFile(SCHEMA_FILE, 'utf8'));
    expect(
      committed,
      `schema/hookdex.schema.json is out of date with src/config/config-schema.ts: run \`${REGENERATE_SCHEMA_COMMAND}\``,
    ).toEqual(configJsonSchemaFile());
  });

  it('tells editors about every section, with titles and descriptions', () => {
    const schema = configJsonSchema() as JsonSchema;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBe('hookdex.yaml');
    expect(schema.description).toContain('${VAR}');
    expect(Object.keys(schema.properties ?? {})).toEqual([
      'database',
      'datasources',
      'indexes',
      'hooks',
      'jobs',
      'advanced',
      'logging',
    ]);
    expect(schema.additionalProperties).toBe(false);
  });

  it('carries key patterns, defaults and the scheduler keys', () => {
    const schema = configJsonSchema() as JsonSchema;
    const hooks = schema.properties?.hooks;
    expect(hooks?.propertyNames?.pattern).toBe('^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*$');
    const hook = hooks?.additionalProperties as JsonSchema;
    expect(hook.title).toBe('Hook');
    expect(hook.properties?.atomic?.default).toBe(false);
    const scheduler = schema.properties?.advanced?.properties?.scheduler;
    expect(scheduler?.additionalProperties).toBe(false);
    expect(scheduler?.properties?.['apscheduler.timezone']?.default).toBe('UTC');
    expect(Object.keys(scheduler?.properties ?? {})).toHaveLength(6);
  });
});
