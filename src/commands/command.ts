/** One `twinbeat` subcommand: its one-line summary for the usage text, and what it does. */
export interface Command {
  summary: string;
  /** Receives the arguments after the subcommand's name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}
