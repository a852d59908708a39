/** Errors of the L2 state's account table. */
import { CairnError } from "./errors";

/** An account created for an address that already has one. */
export class DuplicateAccountError extends CairnError {
  override readonly name = "DuplicateAccountError";
  readonly code = "DUPLICATE_ACCOUNT";
  constructor(
    readonly address: string,
    readonly index: number,
  ) {
    super(`account ${address} exists`);
  }
}

/** Stored accounts that are not as many as the stored state's meta counts. */
export class StoredStateMismatchError extends CairnError {
  override readonly name = "StoredStateMismatchError";
  readonly code = "STORED_STATE_MISMATCH";
  constructor(
    readonly accountsHeld: number,
    readonly accountCount: number,
  ) {
    super(`store holds ${accountsHeld} accounts, its meta says ${accountCount}`);
  }
}

