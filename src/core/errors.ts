/**
 * Typed errors of Cairn. Every error extends {@link CairnError}: a short message, optional
 * details and cause, so callers can classify failures without parsing text.
 */
export class CairnError extends Error {
  override readonly name: string = "CairnError";
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
  | "fee-too-low"
  | "gas-limit-too-low"
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
  constructor(
    readonly reason: InvalidReason,
    details: string,
  ) {
    super(`invalid operation (${reason})`, { details });
  }
}

/** Bytes that do not decode as the packed format. */
export class DecodeError extends CairnError {
  override readonly name = "DecodeError";
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
  constructor(details: string) {
    super("node overloaded", { details });
  }
}
