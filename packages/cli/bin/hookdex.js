#!/usr/bin/env -S node --
// The `hookdex` command. reflect-metadata comes first: tsyringe and TypeORM need it at import.
// NOTE: `--` in the shebang: Node.js 20 otherwise takes an `--env-file` after the script name as
// its own option (and exits 9 on a missing file) before hookdex sees it.
import 'reflect-metadata';
import { main } from '../dist/index.js';

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
// NOTE: a handle left open by the project's code (a timer, a socket) must not keep a finished
// command alive; the timer is unref'd, so a clean exit does not wait for it.
setTimeout(() => process.exit(exitCode), 2_000).unref();
