/**
 * Token-balance trees: each account's token balances form a sparse Merkle tree of depth
 * TOKEN_TREE_DEPTH keyed by token id, whose root is part of the account's leaf (the tree
 * machinery is sparseTree.ts's).
 */
import { TOKEN_TREE_DEPTH } from "./constants";
import { zeroHashes } from "./merkle";
import { SparseRoots, amountLevels, amountRoot, type SparseShape } from "./sparseTree";

/** Roots of the empty token subtrees, by level (level 0: an empty leaf). */
export const TOKEN_ZERO = zeroHashes(TOKEN_TREE_DEPTH);

const TOKEN_TREE: SparseShape = { depth: TOKEN_TREE_DEPTH, zero: TOKEN_ZERO };

/** Every node of an account's token tree, by level (see sparseLevels). */
export function tokenLevels(tokens: ReadonlyMap<number, bigint>): Array<Map<number, Buffer>> {
  return amountLevels(TOKEN_TREE, tokens);
}

/** Root of an account's token-balance tree. */
export function tokenRoot(tokens: ReadonlyMap<number, bigint>): Buffer {
  return amountRoot(TOKEN_TREE, tokens);
}

/** The token root of every account by index (see {@link SparseRoots}). */
export class TokenRoots extends SparseRoots {
  constructor() {
    super(TOKEN_TREE);
  }
}
