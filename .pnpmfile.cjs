// NOTE: pnpm ignores `nodedir` from ~/.npmrc, so native addons (better-sqlite3) would try to
// download Node headers, which this machine cannot reach. Point node-gyp at the running Node's
// own headers when they are installed next to it.
const fs = require('node:fs');
const path = require('node:path');

function updateConfig(config) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_version.h'))) {
    config.extraEnv = { ...(config.extraEnv ?? {}), npm_config_nodedir: prefix };
  }
  return config;
}

module.exports = { hooks: { updateConfig } };
