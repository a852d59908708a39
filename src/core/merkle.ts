/**
 * The positional Merkle trees of Cairn: fixed depth, leaves at indices, absent leaves zero.
 * MerkleLib.sol checks the same shape on L1.
 */
import { hashPair, hashPairInto } from "./hash";
import { OutOfRangeError } from "./errors";

const WORD = 32;

/** zeroHashes[l] = root of an empty subtree of height l (zeroHashes[0] = the zero leaf). */
export function zeroHashes(depth: number): Buffer[] {
  const z: Buffer[] = [Buffer.alloc(WORD)];
  for (let l = 1; l <= depth; l++) z.push(hashPair(z[l - 1], z[l - 1]));
  return z;
}

/**
 * An incremental positional Merkle tree. Leaves are set with {@link setLeaf}; {@link root}
 * rehashes only the paths of the leaves changed since the last call, so updating k leaves costs
 * O(k · depth) hashes and never a rebuild. Nodes live in one growable buffer per level.
 */
export class IncrementalMerkleTree {
  private readonly zero: Buffer[];
  private readonly levels: Buffer[];
  private readonly sizes: number[];
  private dirty = new Set<number>();
  private cachedRoot: Buffer | null = null;
  private readonly pair = Buffer.alloc(2 * WORD);
  /** Node hashes computed so far by {@link root}: the cost the incremental design bounds. */
  hashesComputed = 0;

  constructor(readonly depth: number) {
    if (!Number.isInteger(depth) || depth < 1) throw new OutOfRangeError(`tree depth ${depth}: at least 1`);
    this.zero = zeroHashes(depth);
    this.levels = Array.from({ length: depth }, () => Buffer.alloc(0));
    this.sizes = new Array<number>(depth).fill(0);
  }

  /** Number of leaf slots in use (highest index set + 1). */
  get leafCount(): number {
    return this.sizes[0];
  }

  /** Sets leaf `index` to `hash`. */
  setLeaf(index: number, hash: Uint8Array): void {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth) {
      throw new OutOfRangeError(`leaf index ${index} outside a tree of depth ${this.depth}`);
    }
    this.ensure(0, index + 1);
    this.levels[0].set(hash, index * WORD);
    this.dirty.add(index);
    this.cachedRoot = null;
  }

  /** The leaf at `index` (zero when unset). */
  leaf(index: number): Buffer {
    return this.node(0, index);
  }

  /** The root, after rehashing the changed paths. */
  root(): Buffer {
    if (this.cachedRoot) return this.cachedRoot;
    let indices = this.dirty;
    for (let level = 0; level < this.depth; level++) {
      const parents = new Set<number>();
      for (const i of indices) parents.add(i >> 1);
      if (level + 1 < this.depth) {
        let max = 0;
        for (const p of parents) if (p + 1 > max) max = p + 1;
        this.ensure(level + 1, max);
        this.hashesComputed += parents.size;
        const children = this.levels[level];
        const size = this.sizes[level];
        const out = this.levels[level + 1];
        for (const p of parents) {
          // Siblings are adjacent: hash them where they lie, unless the right one is past the end.
          if (2 * p + 1 < size) {
            hashPairInto(children, 2 * p * WORD, out, p * WORD);
          } else {
            this.pair.set(this.node(level, 2 * p), 0);
            this.pair.set(this.zero[level], WORD);
            hashPairInto(this.pair, 0, out, p * WORD);
          }
        }
      } else {
        // The top level has one node: the root itself.
        this.hashesComputed++;
        this.cachedRoot = hashPair(this.node(level, 0), this.node(level, 1));
      }
      indices = parents;
    }
    this.dirty = new Set();
    return this.cachedRoot!;
  }

  /** Siblings of leaf `index` from the bottom up: its Merkle path against {@link root}. */
  proof(index: number): Buffer[] {
    this.root();
    const path: Buffer[] = [];
    for (let level = 0; level < this.depth; level++) {
      path.push(this.node(level, (index >> level) ^ 1));
    }
    return path;
  }

  /** Node `index` of `level` (level 0 = leaves), after rehashing changed paths. */
  nodeAt(level: number, index: number): Buffer {
    const root = this.root();
    return level === this.depth ? root : this.node(level, index);
  }

  private node(level: number, index: number): Buffer {
    if (index >= this.sizes[level]) return this.zero[level];
    const buf = this.levels[level];
    return buf.subarray(index * WORD, (index + 1) * WORD);
  }

  private ensure(level: number, size: number): void {
    if (size <= this.sizes[level]) return;
    const buf = this.levels[level];
    if (size * WORD > buf.length) {
      const capacity = Math.max(size, Math.ceil((buf.length / WORD) * 1.5), 16);
      const grown = Buffer.alloc(capacity * WORD);
      buf.copy(grown, 0, 0, this.sizes[level] * WORD);
      // Slots between the old size and the new one must read as empty subtrees.
      for (let i = this.sizes[level]; i < capacity; i++) this.zero[level].copy(grown, i * WORD);
      this.levels[level] = grown;
    } else {
      for (let i = this.sizes[level]; i < size; i++) this.zero[level].copy(buf, i * WORD);
    }
    this.sizes[level] = size;
  }
}

/** Every non-empty node of a sparse positional tree, level by level (level 0: the given leaves). */
export function sparseLevels(depth: number, leaves: Map<number, Buffer>, zero: Buffer[] = zeroHashes(depth)): Array<Map<number, Buffer>> {
  const levels = [new Map(leaves)];
  for (let l = 0; l < depth; l++) {
    const level = levels[l];
    const next = new Map<number, Buffer>();
    for (const i of level.keys()) {
      // Arithmetic, not `>>`: allowance trees have 48-bit positions.
      const p = Math.floor(i / 2);
      if (!next.has(p)) next.set(p, hashPair(level.get(p * 2) ?? zero[l], level.get(p * 2 + 1) ?? zero[l]));
    }
    levels.push(next);
  }
  return levels;
}

/** Root of a sparse positional tree of `depth` given its non-zero leaves (index → hash). */
export function sparseRoot(depth: number, leaves: Map<number, Buffer>, zero: Buffer[] = zeroHashes(depth)): Buffer {
  return sparseLevels(depth, leaves, zero)[depth].get(0) ?? zero[depth];
}

/** Positional root of `leaves`; an odd node at any level is paired with a zero word (MerkleLib.positionalRoot). */
export function positionalRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return Buffer.alloc(WORD);
  let layer = leaves.slice();
  while (layer.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(hashPair(layer[i], layer[i + 1] ?? Buffer.alloc(WORD)));
    layer = next;
  }
  return layer[0];
}

/** Merkle path of leaf `index` in {@link positionalRoot}'s tree. */
export function positionalProof(leaves: Buffer[], index: number): Buffer[] {
  const path: Buffer[] = [];
  let layer = leaves.slice();
  let i = index;
  while (layer.length > 1) {
    path.push(layer[i ^ 1] ?? Buffer.alloc(WORD));
    const next: Buffer[] = [];
    for (let j = 0; j < layer.length; j += 2) next.push(hashPair(layer[j], layer[j + 1] ?? Buffer.alloc(WORD)));
    layer = next;
    i >>= 1;
  }
  return path;
}
