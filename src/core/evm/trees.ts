/**
 * The positional binary trees a one-step proof walks (contracts/evm/EvmTrees.sol): code chunks
 * (depth 11), calldata words (11), memory words (17), storage, original storage and the warm-slot set (256). A node is
 * keccak256(left ‖ right), the empty leaf is 0 and an empty subtree of height h is
 * Z(h) = keccak(Z(h-1) ‖ Z(h-1)). Only non-zero leaves are kept, so a depth-256 tree of a few
 * slots costs a few hundred hashes per slot.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { CairnError } from "../errors";

/** Leaf index → value (a 256-bit word); zero values are absent. */
export type Leaves = ReadonlyMap<bigint, bigint>;

/** A leaf and its path, as EvmTrees.Leaf takes it. */
export interface LeafProof {
  value: bigint;
  /** Bit i set: the sibling at level i (0 beside the leaf) is the empty subtree Z(i), not sent. */
  emptyMask: bigint;
  /** The other siblings, leaf level first. */
  siblings: bigint[];
}

export const CODE_DEPTH = 11;
export const MEMORY_DEPTH = 17;
/** Calldata words: 2^11 × 32 = 65,536 bytes, above the 65,000-byte transaction intake accepts. */
export const CALLDATA_DEPTH = 11;
export const STORAGE_DEPTH = 256;

export function word(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function toBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** keccak256 of the concatenated 32-byte words. */
export function hashWords(...words: bigint[]): bigint {
  const buf = new Uint8Array(32 * words.length);
  words.forEach((w, i) => buf.set(word(w), 32 * i));
  return toBig(keccak_256(buf));
}

const ZERO: bigint[] = [0n];
for (let h = 1; h <= STORAGE_DEPTH; h++) ZERO.push(hashWords(ZERO[h - 1], ZERO[h - 1]));

/** A leaf index a tree of that depth has no place for. */
export class LeafIndexOutOfRangeError extends CairnError {
  override readonly name = "LeafIndexOutOfRangeError";
  readonly code = "LEAF_INDEX_OUT_OF_RANGE";
  constructor(
    readonly index: bigint,
    readonly depth: number,
  ) {
    super(`leaf index ${index} outside a depth-${depth} tree`);
  }
}

type Entry = readonly [bigint, bigint];

function subtreeRoot(entries: readonly Entry[], height: number): bigint {
  if (entries.length === 0) return ZERO[height];
  if (height === 0) return entries[0][1];
  const bit = BigInt(height - 1);
  const left = entries.filter(([k]) => ((k >> bit) & 1n) === 0n);
  const right = entries.filter(([k]) => ((k >> bit) & 1n) === 1n);
  return hashWords(subtreeRoot(left, height - 1), subtreeRoot(right, height - 1));
}

function nonZero(leaves: Leaves, depth: number): Entry[] {
  const out: Entry[] = [];
  for (const [k, v] of leaves) {
    if (k < 0n || k >= 1n << BigInt(depth)) throw new LeafIndexOutOfRangeError(k, depth);
    if (v !== 0n) out.push([k, v]);
  }
  return out;
}

export function treeRoot(leaves: Leaves, depth: number): bigint {
  return subtreeRoot(nonZero(leaves, depth), depth);
}

export function treeProof(leaves: Leaves, depth: number, index: bigint): LeafProof {
  let entries = nonZero(leaves, depth);
  const levels: Array<bigint | null> = new Array<bigint | null>(depth).fill(null);
  for (let h = depth; h >= 1; h--) {
    const bit = BigInt(h - 1);
    const mine = (index >> bit) & 1n;
    const other = entries.filter(([k]) => ((k >> bit) & 1n) !== mine);
    entries = entries.filter(([k]) => ((k >> bit) & 1n) === mine);
    levels[h - 1] = other.length === 0 ? null : subtreeRoot(other, h - 1);
  }
  let emptyMask = 0n;
  const siblings: bigint[] = [];
  levels.forEach((s, i) => {
    if (s === null) emptyMask |= 1n << BigInt(i);
    else siblings.push(s);
  });
  return { value: leaves.get(index) ?? 0n, emptyMask, siblings };
}

/** Memory (or calldata) bytes as word leaves, the last word zero-padded. */
export function memoryLeaves(memory: Uint8Array): Map<bigint, bigint> {
  const out = new Map<bigint, bigint>();
  for (let i = 0; i < memory.length; i += 32) {
    const w = new Uint8Array(32);
    w.set(memory.subarray(i, Math.min(i + 32, memory.length)));
    const v = toBig(w);
    if (v !== 0n) out.set(BigInt(i / 32), v);
  }
  return out;
}

/** Code as chunk leaves: `pushDataPrefix 1 ‖ code 31` (docs/design/evm.md §2.1). */
export function codeLeaves(code: Uint8Array): Map<bigint, bigint> {
  const pushData = new Uint8Array(code.length);
  for (let pc = 0; pc < code.length; ) {
    const op = code[pc];
    const n = op >= 0x60 && op <= 0x7f ? op - 0x5f : 0;
    for (let i = 1; i <= n && pc + i < code.length; i++) pushData[pc + i] = 1;
    pc += 1 + n;
  }
  const out = new Map<bigint, bigint>();
  for (let c = 0; c * 31 < code.length; c++) {
    let prefix = 0;
    while (prefix < 31 && c * 31 + prefix < code.length && pushData[c * 31 + prefix] === 1) prefix++;
    const chunk = new Uint8Array(32);
    chunk[0] = prefix;
    chunk.set(code.subarray(c * 31, c * 31 + 31), 1);
    out.set(BigInt(c), toBig(chunk));
  }
  return out;
}
