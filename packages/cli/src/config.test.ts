// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` here is YAML's placeholder, not a template.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookdex } from './_test/hookdex.js';
import { createProject, type FixtureProject } from './_test/project.js';

const CONFIG = `database:
  kind: postgres
  url: \${DATABASE_URL:-postgres://indexer:s3cret@db.example.com:5432/indexer}
  password: \${PGPASSWORD}
  schema: \${PG_SCHEMA:-public}
datasources:
  mainnet:
    kind: evm.node
    url: https://user:rpcpass@rpc.example.com/v1
    api_key: \${ETHERSCAN_API_KEY}
    headers:
      authorization: Bearer \${API_TOKEN}
hooks:
  calculate_stats:
    callback: calculate_stats
    args:
      major: bool
jobs:
  minute_stats:
    hook: calculate_stats
    interval: \${STATS_INTERVAL:-60}
    args:
      major: false
`;

const SECRETS = ['s3cret', 'hunter22', 'rpcpass', 'abcd1234', 'tok-9876'];

describe('hookdex config', () => {
  let project: FixtureProject;
  // NOTE: DATABASE_URL is unset so the file's default applies (CI sets it for the database tests).
  const env = {
    DATABASE_URL: undefined,
    PGPASSWORD: 'hunter22',
    ETHERSCAN_API_KEY: 'abcd1234',
    API_TOKEN: undefined,
  };
  beforeAll(() => {
    project = createProject('sqlite');
    project.write('hookdex.yaml', CONFIG);
    project.write('prod.yaml', 'logging:\n  level: warn\n');
    project.write('.env', 'STATS_INTERVAL=120\nAPI_TOKEN=tok-9876\n');
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('export prints the merged configuration with the environment resolved and every secret masked', async () => {
    const result = await hookdex(
      ['-c', 'hookdex.yaml', '-c', 'prod.yaml', '--env-file', '.env', 'config', 'export'],
      {
        cwd: project.dir,
        env,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(
      result.stdout,
    ).toBe(`# hookdex config export of hookdex.yaml, prod.yaml: environment resolved, secrets masked.
database:
  kind: postgres
  url: postgres://indexer:***@db.example.com:5432/indexer
  password: "***"
  schema: public
datasources:
  mainnet:
    kind: evm.node
    url: https://user:***@rpc.example.com/v1
    api_key: "***"
    headers:
      authorization: Bearer ***
hooks:
  calculate_stats:
    callback: calculate_stats
    args:
      major: bool
jobs:
  minute_stats:
    hook: calculate_stats
    interval: 120
    args:
      major: false
logging:
  level: warn
`);
    for (const secret of SECRETS) expect(result.stdout).not.toContain(secret);
  });

  it('export refuses an invalid configuration instead of printing it', async () => {
    const result = await hookdex(['config', 'export'], {
      cwd: project.dir,
      env: { ...env, PGPASSWORD: undefined },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error: hookdex\.yaml: expected the environment variable `PGPASSWORD` to be set/,
    );
  });

  it('env lists every variable the files use, with where, defaults and what is unset, secrets masked', async () => {
    const result = await hookdex(['--env-file', '.env', 'config', 'env'], {
      cwd: project.dir,
      env: { ...env, ETHERSCAN_API_KEY: undefined },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`# Environment variables used by hookdex.yaml
# hookdex.yaml:3, default "postgres://indexer:***@db.example.com:5432/indexer", not set: the default applies
DATABASE_URL=postgres://indexer:***@db.example.com:5432/indexer
# hookdex.yaml:4, required
PGPASSWORD=***
# hookdex.yaml:5, default "public", not set: the default applies
PG_SCHEMA=public
# hookdex.yaml:10, required, NOT SET
# ETHERSCAN_API_KEY=
# hookdex.yaml:12, required
API_TOKEN=***
# hookdex.yaml:21, default "60"
STATS_INTERVAL=120
`);
    for (const secret of SECRETS) expect(result.stdout).not.toContain(secret);
  });

  it('schema prints the JSON Schema of hookdex.yaml', async () => {
    const result = await hookdex(['config', 'schema'], { cwd: project.dir });
    expect(result.code, result.stderr).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['database', 'datasources', 'indexes', 'hooks', 'jobs', 'advanced', 'logging']),
    );
  });
});
