/** What the `cairn` CLI's exit code tells a script. */
import { CairnError } from "../core/errors";

export const EXIT = {
  /** Done. */
  ok: 0,
  /** The operation failed: a node refused it, a transaction reverted, a wait timed out. */
  failed: 1,
  /** Bad usage or setup: an unknown flag, a malformed argument, no key, no node to talk to. */
  usage: 2,
  /** Not yet: the withdrawal is still in its challenge window (pass --wait to wait for it). */
  notYet: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each exit code means, as `--json` error documents name it. */
export const EXIT_MEANING: Record<ExitCode, string> = { 0: "ok", 1: "failed", 2: "usage", 3: "not-yet" };

/** An error the CLI prints as one line and turns into its exit code. */
export class CliError extends CairnError {
  readonly code: string = "CLI";
  override readonly name = "CliError";

  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** A usage error: the message says what to pass instead. */
export const usage = (message: string) => new CliError(message, EXIT.usage);
