/**
 * Typed errors of Cairn. Every error thrown in src/ extends {@link CairnError}: a stable `code`
 * callers branch on (never the message), a short message, the values that explain it, and the
 * cause, so failures are classified without parsing text.
 */
export abstract class CairnError extends Error {
  override readonly name: string = "CairnError";
  /** Stable, upper-case, one per class: what callers and logs match on. */
  abstract readonly code: string;
  readonly details?: string;

  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${message}: ${options.details}` : message, { cause: options.cause });
    this.details = options.details;
  }
}

/** Why a transaction or operation is invalid; the RPC maps these to geth's wording. */
export type InvalidReason =
  | "bad-signature"
  | "wrong-chain"
  | "nonce-too-low"
  | "nonce-too-high"
  | "insufficient-funds"
  | "insufficient-allowance"
  | "fee-too-low"
  | "gas-limit-too-low"
  | "gas-limit-too-high"
  | "unknown-token"
  | "unknown-account"
  | "account-exists"
  | "unsupported"
  | "malformed"
  | "overflow"
  | "queue-empty"
  | "commitment-full";

/** A transaction or packed operation that the state transition refuses. Nothing was changed. */
export class InvalidOperationError extends CairnError {
  override readonly name = "InvalidOperationError";
  readonly code = "INVALID_OPERATION";
  constructor(
    readonly reason: InvalidReason,
    details: string,
  ) {
    super(`invalid operation (${reason})`, { details });
  }
}

/** Refuses an operation: throws {@link InvalidOperationError}. Typed `never`, so it can end an expression. */
export function invalid(reason: InvalidReason, details: string): never {
  throw new InvalidOperationError(reason, details);
}

/** Bytes that do not decode as the packed format. */
export class DecodeError extends CairnError {
  override readonly name = "DecodeError";
  readonly code = "DECODE";
  constructor(
    details: string,
    readonly offset: number,
  ) {
    super("malformed packed data", { details: `${details} at byte ${offset}` });
  }
}

/** The node is shedding load to stay within what L1 can take: nothing was changed; retry later. */
export class OverloadedError extends CairnError {
  override readonly name = "OverloadedError";
  readonly code = "OVERLOADED";
  constructor(details: string) {
    super("node overloaded", { details });
  }
}

/**
 * A value outside what a function takes (a token id past 24 bits, an amount past uint256, a
 * leaf past its tree): the caller's mistake, refused before anything changed.
 */
export class OutOfRangeError extends CairnError {
  override readonly name = "OutOfRangeError";
  readonly code = "OUT_OF_RANGE";
  constructor(details: string) {
    super("value out of range", { details });
  }
}
