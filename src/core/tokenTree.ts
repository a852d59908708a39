/**
 * Token-balance trees: each account's token balances form a sparse Merkle tree of depth
 * TOKEN_TREE_DEPTH keyed by token id, whose root is part of the account's leaf. {@link TokenRoots}
 * keeps every account's root up to date as balances change, at a cost that does not grow with
 * the number of tokens an account holds.
 */
import { TOKEN_TREE_DEPTH } from "./constants";
import { sparseLevels, sparseRoot, zeroHashes } from "./merkle";
import { word } from "./bytes";
import { hashPair } from "./hash";

/** Roots of the empty token subtrees, by level (level 0: an empty leaf). */
export const TOKEN_ZERO = zeroHashes(TOKEN_TREE_DEPTH);
const EMPTY_TOKEN_ROOT = TOKEN_ZERO[TOKEN_TREE_DEPTH];

/** Token trees of more tokens than this are kept level by level (see {@link TokenRoots}). */
const LARGE_TOKEN_TREE = 64;

/** Leaves of an account's token tree: each non-zero balance as a word, at its token id. */
export function tokenLeaves(tokens: ReadonlyMap<number, bigint>): Map<number, Buffer> {
  const leaves = new Map<number, Buffer>();
  for (const [id, balance] of tokens) if (balance !== 0n) leaves.set(id, word(balance));
  return leaves;
}

/** Every node of an account's token tree, by level (see {@link sparseLevels}). */
export function tokenLevels(tokens: ReadonlyMap<number, bigint>): Array<Map<number, Buffer>> {
  return sparseLevels(TOKEN_TREE_DEPTH, tokenLeaves(tokens), TOKEN_ZERO);
}

/** Root of an account's token-balance tree. */
export function tokenRoot(tokens: ReadonlyMap<number, bigint>): Buffer {
  if (tokens.size === 0) return EMPTY_TOKEN_ROOT;
  if (tokens.size === 1) {
    // Most holders hold one token: its path is all empty subtrees, hashed straight up (24
    // hashes, without the sparse walk's maps).
    const [[id, balance]] = tokens;
    let node = word(balance);
    for (let level = 0; level < TOKEN_TREE_DEPTH; level++) {
      node = (id >> level) & 1 ? hashPair(TOKEN_ZERO[level], node) : hashPair(node, TOKEN_ZERO[level]);
    }
    return node;
  }
  return sparseRoot(TOKEN_TREE_DEPTH, tokenLeaves(tokens), TOKEN_ZERO);
}

/** Sets leaf `id` of a sparse tree kept as {@link sparseLevels} and rehashes its path only. */
function updateSparsePath(levels: Array<Map<number, Buffer>>, id: number, balance: bigint): void {
  if (balance === 0n) levels[0].delete(id);
  else levels[0].set(id, word(balance));
  let i = id;
  for (let l = 0; l < TOKEN_TREE_DEPTH; l++) {
    const p = i >> 1;
    const left = levels[l].get(p * 2);
    const right = levels[l].get(p * 2 + 1);
    // As sparseLevels: a node exists where some leaf below it does.
    if (left === undefined && right === undefined) levels[l + 1].delete(p);
    else levels[l + 1].set(p, hashPair(left ?? TOKEN_ZERO[l], right ?? TOKEN_ZERO[l]));
    i = p;
  }
}

/** The token root of every account by index, recomputed only for accounts whose balances changed. */
export class TokenRoots {
  private readonly roots: Buffer[] = [];
  /** Accounts whose token tree changed, with the token ids that changed (empty: rebuild it). */
  private readonly stale = new Map<number, Set<number>>();
  /**
   * The token trees of accounts holding many tokens, kept level by level so that a changed
   * balance costs its path (24 hashes), not the whole tree: with 24-bit ids nothing bounds how
   * many tokens one account holds, and rebuilding a junk-filled account's tree on every touch
   * would cost every node O(tokens held) per commitment.
   */
  private readonly levels = new Map<number, Array<Map<number, Buffer>>>();

  /** Account `index`'s root as of the last {@link refresh}. */
  of(index: number): Buffer {
    return this.roots[index];
  }

  /** Makes room for the next account, which holds no tokens yet. */
  addAccount(): void {
    this.roots.push(EMPTY_TOKEN_ROOT);
  }

  /** Forgets account `index`, the newest (its creation was undone). */
  removeLastAccount(index: number): void {
    this.roots.pop();
    this.stale.delete(index);
    this.levels.delete(index);
  }

  /** Account `index`'s balance of `tokenId` changed. */
  changed(index: number, tokenId: number): void {
    this.staleIds(index).add(tokenId);
  }

  /** Account `index`'s balances were replaced wholesale: its tree is rebuilt from them. */
  replaced(index: number): void {
    this.staleIds(index);
    this.levels.delete(index);
  }

  /** Recomputes the roots of the accounts whose balances changed since the last call. */
  refresh(accounts: ReadonlyArray<{ readonly tokens: ReadonlyMap<number, bigint> }>): void {
    for (const [i, ids] of this.stale) this.roots[i] = this.updatedRoot(i, accounts[i].tokens, ids);
    this.stale.clear();
  }

  private staleIds(index: number): Set<number> {
    let ids = this.stale.get(index);
    if (!ids) this.stale.set(index, (ids = new Set()));
    return ids;
  }

  /** Account `i`'s token root after the balances `ids` changed (see {@link levels}). */
  private updatedRoot(i: number, tokens: ReadonlyMap<number, bigint>, ids: ReadonlySet<number>): Buffer {
    if (tokens.size <= LARGE_TOKEN_TREE) {
      this.levels.delete(i);
      return tokenRoot(tokens);
    }
    let levels = this.levels.get(i);
    if (!levels) {
      levels = tokenLevels(tokens);
      this.levels.set(i, levels);
    } else {
      for (const id of ids) updateSparsePath(levels, id, tokens.get(id) ?? 0n);
    }
    return levels[TOKEN_TREE_DEPTH].get(0) ?? EMPTY_TOKEN_ROOT;
  }
}
