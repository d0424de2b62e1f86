/** The process exited cleanly, also after SIGINT or SIGTERM. */
export const EX_OK = 0;
/** A mistake of the user's: configuration, arguments, project code, a database that needs a decision. */
export const EX_USER_ERROR = 1;
/**
 * A failure that may pass if the command is run again later (sysexits.h `EX_TEMPFAIL`): the
 * database is unreachable, a connection dropped. Supervisors restart on it; on 1 they should not.
 */
export const EX_TEMPFAIL = 75;

/** The exit codes `hookdex` documents. */
export type ExitCode = typeof EX_OK | typeof EX_USER_ERROR | typeof EX_TEMPFAIL;
