/**
 * Which path a transaction takes in experimental EVM mode (docs/design/evm.md §3: the packed path
 * stays the fast path): the engine for a creation, a call with data to anything that is not a
 * bridged token or the withdrawal predeploy, and anything sent to an account with code; the
 * packed path for the rest, with its own checks and errors. And the rule that keeps packed
 * commitments provable: no packed operation names an account with code or storage, whose leaf
 * FraudVerifier cannot read (see docs/trust-model.md).
 */
import { createTxFromRLP } from "@ethereumjs/tx";
import { WITHDRAWAL_PREDEPLOY } from "../constants";
import { invalid } from "../errors";
import { opIndices, type SignedOp } from "../ops";
import type { L2State } from "../state";
import { evmCommon } from "./evmTransaction";

/** Whether raw transaction `raw` is a contract transaction on `state` (false for bytes that do not decode: the packed intake says what is wrong). */
export function isContractTransaction(state: L2State, raw: Buffer, chainId: bigint): boolean {
  let to: string | null;
  let data: Uint8Array;
  try {
    const tx = createTxFromRLP(raw, { common: evmCommon(chainId) });
    to = tx.to ? tx.to.toString().toLowerCase() : null;
    data = tx.data;
  } catch (e) {
    // The library refuses init code over EIP-3860's limit as it decodes: the engine's intake says so.
    return e instanceof Error && /init ?code/i.test(e.message);
  }
  if (to === null) return true;
  if (to === WITHDRAWAL_PREDEPLOY || state.tokenByL2Address(to)) return false;
  const index = state.indexOf(to);
  if (index !== undefined && isContract(state, index)) return true;
  return data.length > 0;
}

/** Whether account `index` has code or storage: a contract leaf (core/evm/contractStore.ts). */
export function isContract(state: L2State, index: number): boolean {
  return state.contractState.hasCode(index) || state.contractState.slots(index).size > 0;
}

/** Refuses a packed operation that names a contract account (InvalidOperationError, reason "unsupported"). */
export function refusePackedOnContracts(state: L2State, op: SignedOp): void {
  for (const index of opIndices(op)) {
    if (index < state.accountCount && isContract(state, index)) {
      invalid("unsupported", `${state.account(index).address} is a contract: bridged tokens and withdrawals cannot name contracts yet in experimental EVM mode`);
    }
  }
}
