/**
 * Puts what the engine changed (CairnStateManager.writes) into an L2State, in one order every
 * node follows: accounts by address, ascending, so that accounts the transaction creates get the
 * same indices on the sequencer, a replica and the challenger. An account the engine leaves empty
 * (EIP-161) gets no index; an account it deletes that has one keeps it with an empty body
 * (docs/design/evm.md §2.1: indices are never reused).
 */
import type { L2State } from "../state";
import type { StateWrites } from "./stateManager";

export function applyWrites(state: L2State, writes: StateWrites): void {
  const addresses = [...new Set([...writes.accounts.keys(), ...writes.code.keys(), ...writes.storage.keys()])].sort();
  for (const address of addresses) {
    const account = writes.accounts.get(address);
    const code = writes.code.get(address);
    const slots = writes.storage.get(address) ?? new Map<bigint, bigint>();
    let index = state.indexOf(address);
    const holdsSomething = account !== undefined && (!account.isEmpty() || (code?.length ?? 0) > 0 || [...slots.values()].some((v) => v !== 0n));
    if (index === undefined) {
      if (!holdsSomething) continue;
      index = state.createAccount(address);
    }
    const nonce = account?.nonce ?? 0n;
    const balance = account?.balance ?? 0n;
    const current = state.account(index);
    if (current.nonce !== nonce) state.setNonce(index, nonce);
    if (current.balance !== balance) state.setBalance(index, balance);
    const deleted = account === undefined;
    if (deleted || writes.cleared.has(address)) {
      // Storage the engine cleared (or an account it deleted): every stored slot not written again is gone.
      for (const slot of [...state.contractState.slots(index).keys()]) if (!slots.has(slot)) state.setStorage(index, slot, 0n);
    }
    const newCode = deleted ? Buffer.alloc(0) : code === undefined ? undefined : Buffer.from(code);
    if (newCode && !newCode.equals(state.contractState.code(index))) state.setCode(index, newCode);
    for (const [slot, value] of slots) {
      const v = deleted ? 0n : value;
      if (state.contractState.storage(index, slot) !== v) state.setStorage(index, slot, v);
    }
  }
}
