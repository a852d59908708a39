/**
 * The SDK's typed errors: each extends {@link CairnClientError}, itself a `CairnError`, so a
 * caller catches the SDK's failures with one `instanceof` and tells them apart by `code` (or
 * class) — never by message. In a file of its own so that the viem actions throw them without
 * loading ethers.
 */
import { CairnError } from "../core/errors";

/** The base of every error the SDK throws. */
export class CairnClientError extends CairnError {
  readonly code: string = "CLIENT";
  override readonly name: string = "CairnClientError";
}

/** The L2 node answered that it has no such withdrawal (no L2 block made it). */
export class UnknownWithdrawalError extends CairnClientError {
  override readonly code = "UNKNOWN_WITHDRAWAL";
  override readonly name = "UnknownWithdrawalError";
  constructor(
    readonly ref: string,
    options: { cause?: unknown } = {},
  ) {
    super(`the L2 node does not know withdrawal ${ref}`, options);
  }
}

/** A withdrawal asked to be finalized before its L2 block is in a batch posted on L1. */
export class WithdrawalNotPostedError extends CairnClientError {
  override readonly code = "WITHDRAWAL_NOT_POSTED";
  override readonly name = "WithdrawalNotPostedError";
  constructor(readonly id: bigint) {
    super(`withdrawal ${id} is not in a posted batch yet`);
  }
}

/** A wait gave up: what it waited for had not happened after `timeoutMs`. */
export class WaitTimeoutError extends CairnClientError {
  override readonly code = "WAIT_TIMEOUT";
  override readonly name = "WaitTimeoutError";
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out waiting for ${what}`, { details: `${timeoutMs} ms` });
  }
}

/** An action that sends a transaction was given a provider, or a viem client without an account. */
export class SignerRequiredError extends CairnClientError {
  override readonly code = "SIGNER_REQUIRED";
  override readonly name = "SignerRequiredError";
  constructor(
    readonly action: string,
    needs = "an L1 signer, not a provider",
  ) {
    super(`${action} needs ${needs}`);
  }
}

/** A transaction mined without the event that says what it did (not a Cairn contract, or not this version). */
export class MissingEventError extends CairnClientError {
  override readonly code = "MISSING_EVENT";
  override readonly name = "MissingEventError";
  constructor(
    readonly event: string,
    readonly tx: string,
  ) {
    super(`transaction ${tx} left no ${event} log`);
  }
}

/** `.cairn/devnet.json` (or the file named) could not be read as a devnet description. */
export class DevnetFileError extends CairnClientError {
  override readonly code = "DEVNET_FILE";
  override readonly name = "DevnetFileError";
}
