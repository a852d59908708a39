/**
 * The engine's view of Cairn's state (experimental EVM mode): @ethereumjs's map-based state
 * manager, whose maps start empty and fill lazily from an L2State on first read — accounts,
 * code and storage — so the engine runs on Cairn's state without copying it. Writes stay in the
 * maps (with the engine's own checkpoints for calls that revert); the L2State is never written
 * here. After a transaction, {@link CairnStateManager.writes} lists what it changed, and
 * applyWrites (writeBack.ts) puts that into the L2State; a call or an estimate just drops it.
 */
import { SimpleStateManager } from "@ethereumjs/statemanager";
import { Account, bigIntToUnpaddedBytes, bytesToBigInt, type Address } from "@ethereumjs/util";
import type { Common } from "@ethereumjs/common";
import type { L2State } from "../state";

/** What a run changed, keyed by lower-case 0x address. */
export interface StateWrites {
  /** Every account the run read or wrote, as it stands after the run (undefined: deleted or absent). */
  accounts: Map<string, Account | undefined>;
  /** Code set by the run. */
  code: Map<string, Uint8Array>;
  /** Storage slots the run read or wrote: address → slot → value. */
  storage: Map<string, Map<bigint, bigint>>;
  /** Accounts whose storage the run cleared before writing any (a creation). */
  cleared: Set<string>;
}

export class CairnStateManager extends SimpleStateManager {
  private readonly cleared = new Set<string>();
  private readonly loadedCode = new Set<string>();

  constructor(
    private readonly state: L2State,
    common: Common,
  ) {
    super({ common });
  }

  override async getAccount(address: Address): Promise<Account | undefined> {
    const key = address.toString();
    const top = this.topAccountStack();
    if (!top.has(key)) top.set(key, this.loadAccount(key));
    return top.get(key);
  }

  override async getCode(address: Address): Promise<Uint8Array> {
    const key = address.toString();
    const top = this.topCodeStack();
    if (!top.has(key)) {
      const index = this.state.indexOf(key);
      const code = index === undefined ? new Uint8Array(0) : this.state.contractState.code(index);
      this.loadedCode.add(key);
      top.set(key, new Uint8Array(code));
    }
    return top.get(key)!;
  }

  override async getStorage(address: Address, slot: Uint8Array): Promise<Uint8Array> {
    const owner = address.toString();
    const key = `${owner}_0x${Buffer.from(slot).toString("hex")}`;
    const top = this.topStorageStack();
    if (!top.has(key)) {
      const index = this.cleared.has(owner) ? undefined : this.state.indexOf(owner);
      const value = index === undefined ? 0n : this.state.contractState.storage(index, bytesToBigInt(slot));
      top.set(key, value === 0n ? new Uint8Array(0) : bigIntToUnpaddedBytes(value));
    }
    return top.get(key)!;
  }

  override async clearStorage(address: Address): Promise<void> {
    this.cleared.add(address.toString());
    await super.clearStorage(address);
  }

  /** What the run changed (and read), from the top of the maps: call once the engine is done. */
  writes(): StateWrites {
    const code = new Map<string, Uint8Array>();
    for (const [k, v] of this.topCodeStack()) if (!this.loadedCode.has(k) || !sameBytes(v, this.storedCode(k))) code.set(k, v);
    const storage = new Map<string, Map<bigint, bigint>>();
    for (const [k, v] of this.topStorageStack()) {
      const [owner, slot] = k.split("_");
      let slots = storage.get(owner);
      if (!slots) storage.set(owner, (slots = new Map()));
      slots.set(BigInt(slot), v.length === 0 ? 0n : bytesToBigInt(v));
    }
    return { accounts: new Map(this.topAccountStack()), code, storage, cleared: new Set(this.cleared) };
  }

  private storedCode(address: string): Uint8Array {
    const index = this.state.indexOf(address);
    return index === undefined ? new Uint8Array(0) : this.state.contractState.code(index);
  }

  private loadAccount(address: string): Account | undefined {
    const index = this.state.indexOf(address);
    if (index === undefined) return undefined;
    const a = this.state.account(index);
    return new Account(a.nonce, a.balance, undefined, this.state.contractState.codeHash(index));
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}
