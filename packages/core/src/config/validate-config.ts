import { type ArgType, parseArgType } from './arg-types.js';
import { checkJobArguments, type DeclaredArgument } from './check-job-arguments.js';
import { ARGUMENT_NAME, RESERVED_ARGUMENT_NAMES, SYSTEM_HOOK_NAMES } from './config-names.js';
import { type ConfigProblem, configurationProblem } from './config-problem.js';
import { describeFound, listNames } from './describe-found.js';
import { didYouMeanHint } from './did-you-mean.js';
import { isMapping } from './merge-documents.js';
import { schedulerProblems } from './scheduler-problems.js';

/**
 * The checks that span sections or keys: hook names, job triggers and hooks, job arguments against
 * hook declarations, index datasources and level ranges, scheduler options. They read the merged
 * document defensively (the schema reports values of the wrong shape), so that every problem is
 * found in one pass and the first in the document can be reported.
 */
export function validateConfig(document: Record<string, unknown>): ConfigProblem[] {
  return [
    ...hookProblems(document.hooks),
    ...jobProblems(document.jobs, document.hooks),
    ...indexProblems(document.indexes, document.datasources),
    ...(isMapping(document.advanced)
      ? schedulerProblems(document.advanced.scheduler, document.database)
      : []),
  ];
}

function hookProblems(hooks: unknown): ConfigProblem[] {
  if (!isMapping(hooks)) return [];
  const problems: ConfigProblem[] = [];
  for (const [name, hook] of Object.entries(hooks)) {
    if (SYSTEM_HOOK_NAMES.includes(name)) {
      problems.push(
        configurationProblem(['hooks', name], {
          expected: `a user hook name (${listNames(SYSTEM_HOOK_NAMES, 'and')} are system hooks)`,
          found: `the system hook name \`${name}\``,
          hint: 'system hooks are generated for every project by `hookdex init` and cannot be declared; rename the hook',
        }),
      );
      continue;
    }
    if (isMapping(hook) && typeof hook.callback === 'string' && hook.callback !== name) {
      problems.push(
        configurationProblem(['hooks', name, 'callback'], {
          expected: `\`${name}\`, the hook's name`,
          found: `\`${hook.callback}\``,
          hint: `\`${name}\` hook name must be equal to \`callback\` value`,
        }),
      );
    }
  }
  return problems;
}

function jobProblems(jobs: unknown, hooks: unknown): ConfigProblem[] {
  if (!isMapping(jobs)) return [];
  const userHooks = isMapping(hooks) ? hooks : {};
  const hookNames = Object.keys(userHooks).filter((name) => !SYSTEM_HOOK_NAMES.includes(name));
  const problems: ConfigProblem[] = [];
  for (const [name, job] of Object.entries(jobs)) {
    if (!isMapping(job)) continue;
    const triggers = ['crontab', 'interval', 'daemon'].filter((key) =>
      key === 'daemon' ? job.daemon === true : job[key] !== undefined && job[key] !== null,
    );
    if (triggers.length !== 1) {
      problems.push(
        configurationProblem(
          ['jobs', name],
          {
            expected: 'exactly one trigger: `crontab`, `interval` or `daemon: true`',
            found: triggers.length === 0 ? 'none' : listNames(triggers, 'and'),
            hint:
              triggers.length === 0
                ? undefined
                : 'to replace a trigger set in an earlier file, set the other one to null there (`crontab: null`)',
          },
          { anchor: 'end' },
        ),
      );
    }
    if (typeof job.hook !== 'string') continue;
    if (SYSTEM_HOOK_NAMES.includes(job.hook)) {
      problems.push(
        configurationProblem(['jobs', name, 'hook'], {
          expected: 'a user hook declared in `hooks:`',
          found: `the system hook \`${job.hook}\``,
          hint: 'system hooks run on framework events and cannot be scheduled; schedule a user hook instead',
        }),
      );
      continue;
    }
    const hook = userHooks[job.hook];
    if (!Object.hasOwn(userHooks, job.hook) || !isMapping(hook)) {
      problems.push(
        configurationProblem(['jobs', name, 'hook'], {
          expected:
            hookNames.length === 0
              ? 'a hook declared in `hooks:` (none are declared)'
              : `a hook declared in \`hooks:\` (${listNames(hookNames)})`,
          found: `\`${job.hook}\``,
          hint: didYouMeanHint(job.hook, hookNames),
        }),
      );
      continue;
    }
    if (job.daemon === true && hook.atomic === true) {
      problems.push(
        configurationProblem(['jobs', name, 'daemon'], {
          expected: 'a daemon job to run a non-atomic hook',
          found: `\`${job.hook}\`, which is atomic`,
          hint: 'a daemon never returns, so its transaction would never commit; set `atomic: false` or use `crontab`/`interval`',
        }),
      );
    }
    const declared = declaredArguments(hook.args);
    if (declared !== undefined && (job.args === undefined || isMapping(job.args))) {
      problems.push(...checkJobArguments({ job: name, hook: job.hook, declared, given: job.args }));
    }
  }
  return problems;
}

/** The hook's declared arguments, or undefined when a declaration is itself wrong (reported elsewhere). */
function declaredArguments(args: unknown): DeclaredArgument[] | undefined {
  if (args === undefined) return [];
  if (!isMapping(args)) return undefined;
  const declared: DeclaredArgument[] = [];
  for (const [name, source] of Object.entries(args)) {
    if (!ARGUMENT_NAME.test(name) || RESERVED_ARGUMENT_NAMES.includes(name) || typeof source !== 'string') {
      return undefined;
    }
    let type: ArgType;
    try {
      type = parseArgType(source);
    } catch {
      return undefined;
    }
    declared.push({ name, type });
  }
  return declared;
}

function indexProblems(indexes: unknown, datasources: unknown): ConfigProblem[] {
  if (!isMapping(indexes)) return [];
  const datasourceNames = isMapping(datasources) ? Object.keys(datasources) : [];
  const problems: ConfigProblem[] = [];
  for (const [name, index] of Object.entries(indexes)) {
    if (!isMapping(index)) continue;
    if (typeof index.datasource === 'string' && !datasourceNames.includes(index.datasource)) {
      problems.push(
        configurationProblem(['indexes', name, 'datasource'], {
          expected:
            datasourceNames.length === 0
              ? 'a datasource declared in `datasources:` (none are declared)'
              : `a datasource declared in \`datasources:\` (${listNames(datasourceNames)})`,
          found: `\`${index.datasource}\``,
          hint: didYouMeanHint(index.datasource, datasourceNames),
        }),
      );
    }
    const first = index.first_level;
    const last = index.last_level;
    if (Number.isSafeInteger(first) && Number.isSafeInteger(last) && (first as number) > (last as number)) {
      problems.push(
        configurationProblem(['indexes', name, 'last_level'], {
          expected: `a level >= first_level (${first})`,
          found: describeFound(last),
        }),
      );
    }
  }
  return problems;
}
