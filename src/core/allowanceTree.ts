/**
 * Allowance trees: the ERC-20 allowances an account has given, as a sparse Merkle tree of depth
 * ALLOWANCE_TREE_DEPTH whose root is part of the account's leaf. The allowance of spender
 * account `s` for token `t` is the leaf at `t · 2^24 + s`: a spender is named by its account
 * index (an `approve` of an address without one creates it, as a transfer to one does), so a
 * key is 48 bits and needs no hashing to place.
 */
import { ACCOUNT_TREE_DEPTH, ALLOWANCE_TREE_DEPTH } from "./constants";
import { zeroHashes } from "./merkle";
import { SparseRoots, amountLevels, amountRoot, type SparseShape } from "./sparseTree";

/** Roots of the empty allowance subtrees, by level (level 0: an empty leaf). */
export const ALLOWANCE_ZERO = zeroHashes(ALLOWANCE_TREE_DEPTH);

const ALLOWANCE_TREE: SparseShape = { depth: ALLOWANCE_TREE_DEPTH, zero: ALLOWANCE_ZERO };

/** The root of an account that has given no allowance. */
export const EMPTY_ALLOWANCE_ROOT = ALLOWANCE_ZERO[ALLOWANCE_TREE_DEPTH];

/** Where the allowance of spender account `spender` for token `tokenId` is in its owner's tree. */
export function allowanceKey(tokenId: number, spender: number): number {
  return tokenId * 2 ** ACCOUNT_TREE_DEPTH + spender;
}

/** The token id and spender index of an allowance key. */
export function allowanceKeyParts(key: number): { tokenId: number; spender: number } {
  return { tokenId: Math.floor(key / 2 ** ACCOUNT_TREE_DEPTH), spender: key % 2 ** ACCOUNT_TREE_DEPTH };
}

/** Every node of an account's allowance tree, by level (see sparseLevels). */
export function allowanceLevels(allowances: ReadonlyMap<number, bigint>): Array<Map<number, Buffer>> {
  return amountLevels(ALLOWANCE_TREE, allowances);
}

/** Root of an account's allowance tree. */
export function allowanceRoot(allowances: ReadonlyMap<number, bigint>): Buffer {
  return amountRoot(ALLOWANCE_TREE, allowances);
}

/** The allowance root of every account by index (see {@link SparseRoots}). */
export class AllowanceRoots extends SparseRoots {
  constructor() {
    super(ALLOWANCE_TREE);
  }
}
