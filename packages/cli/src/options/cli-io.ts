/** Where a command writes and how it asks: the process's streams, or captured ones in tests. */
export interface CliIo {
  /** The command's own output (YAML, SQL, tables): what a user pipes or redirects. */
  readonly stdout: NodeJS.WritableStream;
  /** Logs, progress and errors. */
  readonly stderr: NodeJS.WritableStream;
  /** Asks a yes/no question on the terminal; undefined when standard input is not a terminal. */
  readonly confirm: ((question: string) => Promise<boolean>) | undefined;
}
