import type { FaultKind } from "../../src/node/sequencer/faults";

/**
 * What the verifier reports for each fault the faulty sequencer injects: [FraudKind, Reason]
 * (IFraudVerifier's enums), whether the batch was posted in calldata or in a blob.
 */
export const EXPECTED_VERDICT: Record<FaultKind, [number, number]> = {
  "bad-signature": [2, 1],
  "wrong-chain": [2, 1],
  nonce: [2, 1],
  "insufficient-balance": [2, 3],
  "unknown-token": [2, 6],
  malformed: [1, 0],
  "unknown-account": [2, 2],
  "deposit-skipped": [5, 0],
  "deposit-misapplied": [2, 8],
  "deposit-amount": [4, 0],
  "deposit-recipient": [2, 7],
  "post-state": [4, 0],
  "withdrawal-root": [3, 0],
};
