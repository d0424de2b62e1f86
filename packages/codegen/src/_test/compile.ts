import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** A compiler diagnostic, as the tests compare them. */
export interface Finding {
  /** Relative to the compiled project's directory. */
  file: string;
  line: number;
  code: number;
  message: string;
}

const sourceFiles = new Map<string, ts.SourceFile | undefined>();

/**
 * Type-checks `rootNames` as a user's editor would (strict, nodenext) with the given module paths,
 * and returns every diagnostic. Parsed files are cached across calls: core's sources and
 * TypeORM's declarations are parsed once per test file, not once per compile.
 */
export function compile(options: {
  projectDir: string;
  rootNames: string[];
  paths: Record<string, string[]>;
}): Finding[] {
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    // NOTE: core's sources are compiled along (through the source condition); they use decorators.
    experimentalDecorators: true,
    customConditions: ['@hookdex/source'],
    types: ['node'],
    paths: options.paths,
  };
  const host = ts.createCompilerHost(compilerOptions);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError) => {
    // Only files outside the project are cached: the project's own files change between compiles.
    if (fileName.startsWith(options.projectDir)) return getSourceFile(fileName, languageVersion, onError);
    if (!sourceFiles.has(fileName))
      sourceFiles.set(fileName, getSourceFile(fileName, languageVersion, onError));
    return sourceFiles.get(fileName);
  };
  const program = ts.createProgram({ rootNames: options.rootNames, options: compilerOptions, host });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const position =
      diagnostic.file !== undefined && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
        : undefined;
    return {
      file: diagnostic.file ? path.relative(options.projectDir, diagnostic.file.fileName) : '',
      line: position === undefined ? 0 : position.line + 1,
      code: diagnostic.code,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
    };
  });
}

/** Every `.ts` file below `directory`, recursively (absolute paths). */
export function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(directory, file))
    .sort();
}
