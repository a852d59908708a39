/**
 * Sparse Merkle trees of amounts keyed by position: each account's token-balance tree and its
 * allowance tree. A leaf is the amount as a word, an absent or zero amount the empty leaf.
 * {@link SparseRoots} keeps every account's root up to date as amounts change, at a cost that
 * does not grow with how many leaves an account holds. Positions may pass 32 bits (an allowance
 * key is 48), so they are halved with arithmetic, never with bit operators.
 */
import { sparseLevels, sparseRoot } from "./merkle";
import { word } from "./bytes";
import { hashPair } from "./hash";

/** Trees of more leaves than this are kept level by level (see {@link SparseRoots}). */
const LARGE_TREE = 64;

/** A tree's shape: its depth and the roots of its empty subtrees by level (level 0: an empty leaf). */
export interface SparseShape {
  depth: number;
  zero: readonly Buffer[];
}

/** Leaves of a tree: each non-zero amount as a word, at its position. */
export function amountLeaves(amounts: ReadonlyMap<number, bigint>): Map<number, Buffer> {
  const leaves = new Map<number, Buffer>();
  for (const [key, amount] of amounts) if (amount !== 0n) leaves.set(key, word(amount));
  return leaves;
}

/** Every node of a tree, by level (see {@link sparseLevels}). */
export function amountLevels(shape: SparseShape, amounts: ReadonlyMap<number, bigint>): Array<Map<number, Buffer>> {
  return sparseLevels(shape.depth, amountLeaves(amounts), shape.zero as Buffer[]);
}

/** Root of a tree of `amounts`. */
export function amountRoot(shape: SparseShape, amounts: ReadonlyMap<number, bigint>): Buffer {
  const { depth, zero } = shape;
  if (amounts.size === 0) return zero[depth];
  if (amounts.size === 1) {
    // Most accounts hold one leaf: its path is all empty subtrees, hashed straight up (without
    // the sparse walk's maps).
    const [[key, amount]] = amounts;
    if (amount === 0n) return zero[depth];
    let node = word(amount);
    let at = key;
    for (let level = 0; level < depth; level++) {
      node = at % 2 === 1 ? hashPair(zero[level], node) : hashPair(node, zero[level]);
      at = Math.floor(at / 2);
    }
    return node;
  }
  return sparseRoot(depth, amountLeaves(amounts), zero as Buffer[]);
}

/** Sets leaf `key` of a tree kept as {@link sparseLevels} and rehashes its path only. */
function updatePath(shape: SparseShape, levels: Array<Map<number, Buffer>>, key: number, amount: bigint): void {
  if (amount === 0n) levels[0].delete(key);
  else levels[0].set(key, word(amount));
  let i = key;
  for (let l = 0; l < shape.depth; l++) {
    const p = Math.floor(i / 2);
    const left = levels[l].get(p * 2);
    const right = levels[l].get(p * 2 + 1);
    // As sparseLevels: a node exists where some leaf below it does.
    if (left === undefined && right === undefined) levels[l + 1].delete(p);
    else levels[l + 1].set(p, hashPair(left ?? shape.zero[l], right ?? shape.zero[l]));
    i = p;
  }
}

/** One tree's root for every account by index, recomputed only for accounts whose amounts changed. */
export class SparseRoots {
  private readonly roots: Buffer[] = [];
  /** Accounts whose tree changed, with the keys that changed (empty: rebuild it). */
  private readonly stale = new Map<number, Set<number>>();
  /**
   * The trees of accounts holding many leaves, kept level by level so that a changed amount
   * costs its path, not the whole tree: nothing bounds how many tokens (or spenders) one account
   * has, and rebuilding a junk-filled account's tree on every touch would cost every node
   * O(leaves) per commitment.
   */
  private readonly levels = new Map<number, Array<Map<number, Buffer>>>();

  constructor(private readonly shape: SparseShape) {}

  /** Account `index`'s root as of the last {@link refresh}. */
  of(index: number): Buffer {
    return this.roots[index];
  }

  /** Makes room for the next account, whose tree is empty. */
  addAccount(): void {
    this.roots.push(this.shape.zero[this.shape.depth]);
  }

  /** Forgets account `index`, the newest (its creation was undone). */
  removeLastAccount(index: number): void {
    this.roots.pop();
    this.stale.delete(index);
    this.levels.delete(index);
  }

  /** Account `index`'s amount at `key` changed. */
  changed(index: number, key: number): void {
    this.staleKeys(index).add(key);
  }

  /** Account `index`'s amounts were replaced wholesale: its tree is rebuilt from them. */
  replaced(index: number): void {
    this.staleKeys(index);
    this.levels.delete(index);
  }

  /** Recomputes the roots of the accounts whose amounts changed since the last call. */
  refresh(amountsOf: (index: number) => ReadonlyMap<number, bigint>): void {
    for (const [i, keys] of this.stale) this.roots[i] = this.updatedRoot(i, amountsOf(i), keys);
    this.stale.clear();
  }

  private staleKeys(index: number): Set<number> {
    let keys = this.stale.get(index);
    if (!keys) this.stale.set(index, (keys = new Set()));
    return keys;
  }

  /** Account `i`'s root after the amounts at `keys` changed (see {@link levels}). */
  private updatedRoot(i: number, amounts: ReadonlyMap<number, bigint>, keys: ReadonlySet<number>): Buffer {
    const { depth, zero } = this.shape;
    if (amounts.size <= LARGE_TREE) {
      this.levels.delete(i);
      return amountRoot(this.shape, amounts);
    }
    let levels = this.levels.get(i);
    if (!levels) {
      levels = amountLevels(this.shape, amounts);
      this.levels.set(i, levels);
    } else {
      for (const key of keys) updatePath(this.shape, levels, key, amounts.get(key) ?? 0n);
    }
    return levels[depth].get(0) ?? zero[depth];
  }
}
