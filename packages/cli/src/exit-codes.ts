/** Exit codes of the `sage` command. */
export const EXIT_OK = 0;
/** The command ran and failed: a pipeline error, a failing doctor check, a bad config, a file that exists. */
export const EXIT_FAILURE = 1;
/** The command line is wrong: unknown command or option, missing argument, missing pipeline file. */
export const EXIT_USAGE = 2;
