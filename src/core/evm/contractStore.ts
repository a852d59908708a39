/**
 * The code and storage of contract accounts (experimental EVM mode, docs/design/evm.md §2 and
 * *Tracer bullet*): per account index, the deployed code with its `codeHash` (Ethereum's
 * keccak256 of the code) and `codeRoot` (the depth-10 chunk tree of §2.1), and the storage slots
 * (a depth-256 sparse tree keyed by the slot itself, §2.2). An account with neither code nor
 * storage has no entry and keeps today's short leaf, so a state without contracts has exactly
 * the roots it had before.
 *
 * L2State owns one and journals every write to it; this class only keeps the values and the
 * hashes derived from them. The storage root is recomputed whole when a slot changed (a
 * tracer-bullet shortcut: O(slots × 256) hashes per changed contract per root).
 */
import { keccak256 } from "../hash";
import { CODE_DEPTH, STORAGE_DEPTH, codeLeaves, treeRoot, word } from "./trees";

/** keccak256 of no bytes: the code hash of an account without code. */
export const EMPTY_CODE_HASH = keccak256(Buffer.alloc(0));
/** The root of the empty storage tree (and of the empty code tree's depth-256 sibling, unused). */
export const EMPTY_STORAGE_ROOT = Buffer.from(word(treeRoot(new Map(), STORAGE_DEPTH)));

interface Contract {
  code: Buffer;
  codeHash: Buffer;
  codeRoot: Buffer;
  storage: Map<bigint, bigint>;
  /** keccak256(codeHash ‖ codeRoot ‖ codeSize 4 ‖ storageRoot), null until computed after a change. */
  hash: Buffer | null;
}

/** What reads of contract state see: code and storage by account index. */
export interface ContractReader {
  /** The deployed code of account `index` (empty for none). */
  code(index: number): Buffer;
  /** keccak256 of the code of account `index`. */
  codeHash(index: number): Buffer;
  /** The value of storage slot `slot` of account `index` (0 when never written). */
  storage(index: number, slot: bigint): bigint;
  /** Whether account `index` has code. */
  hasCode(index: number): boolean;
  /** The non-zero storage slots of account `index`. */
  slots(index: number): ReadonlyMap<bigint, bigint>;
}

/** keccak256(codeHash ‖ codeRoot ‖ codeSize 4 ‖ storageRoot): what a contract leaf adds (§2.1). */
export function contractHash(codeHash: Buffer, codeRoot: Buffer, codeSize: number, storageRoot: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(codeSize);
  return keccak256(Buffer.concat([codeHash, codeRoot, size, storageRoot]));
}

/** The root of the chunk tree of `code` (§2.1: `pushDataPrefix 1 ‖ code 31` chunks, depth 10). */
export function codeRootOf(code: Buffer): Buffer {
  return Buffer.from(word(treeRoot(codeLeaves(code), CODE_DEPTH)));
}

/** The root of a storage tree of `slots` (zero values are empty leaves). */
export function storageRootOf(slots: ReadonlyMap<bigint, bigint>): Buffer {
  return Buffer.from(word(treeRoot(slots, STORAGE_DEPTH)));
}

export class ContractStore implements ContractReader {
  private readonly byIndex = new Map<number, Contract>();

  code(index: number): Buffer {
    return this.byIndex.get(index)?.code ?? Buffer.alloc(0);
  }

  codeHash(index: number): Buffer {
    return this.byIndex.get(index)?.codeHash ?? EMPTY_CODE_HASH;
  }

  storage(index: number, slot: bigint): bigint {
    return this.byIndex.get(index)?.storage.get(slot) ?? 0n;
  }

  hasCode(index: number): boolean {
    return (this.byIndex.get(index)?.code.length ?? 0) > 0;
  }

  slots(index: number): ReadonlyMap<bigint, bigint> {
    return this.byIndex.get(index)?.storage ?? new Map();
  }

  setCode(index: number, code: Buffer): void {
    const c = this.entry(index);
    c.code = code;
    c.codeHash = code.length === 0 ? EMPTY_CODE_HASH : keccak256(code);
    c.codeRoot = codeRootOf(code);
    c.hash = null;
    this.dropIfEmpty(index, c);
  }

  setStorage(index: number, slot: bigint, value: bigint): void {
    const c = this.entry(index);
    if (value === 0n) c.storage.delete(slot);
    else c.storage.set(slot, value);
    c.hash = null;
    this.dropIfEmpty(index, c);
  }

  /** Forgets account `index` (its creation was undone). */
  remove(index: number): void {
    this.byIndex.delete(index);
  }

  /**
   * What the leaf of account `index` adds to today's fields, or null for the short form: the long
   * form is used iff the account has code or non-empty storage (one encoding, §2.1).
   */
  contractHashOf(index: number): Buffer | null {
    const c = this.byIndex.get(index);
    if (!c) return null;
    c.hash ??= contractHash(c.codeHash, c.codeRoot, c.code.length, storageRootOf(c.storage));
    return c.hash;
  }

  private entry(index: number): Contract {
    let c = this.byIndex.get(index);
    if (!c) {
      c = { code: Buffer.alloc(0), codeHash: EMPTY_CODE_HASH, codeRoot: codeRootOf(Buffer.alloc(0)), storage: new Map(), hash: null };
      this.byIndex.set(index, c);
    }
    return c;
  }

  private dropIfEmpty(index: number, c: Contract): void {
    if (c.code.length === 0 && c.storage.size === 0) this.byIndex.delete(index);
  }
}
