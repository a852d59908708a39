/**
 * One account proven against a state root: what eth_getProof answers on Cairn, and the check a
 * client makes of it. Cairn's account tree is positional (merkle.ts), not Ethereum's
 * Merkle-Patricia trie, so the proof is the account's leaf fields (address, nonce, balance, and
 * the roots of its token-balance and allowance trees), its index, its 24 sibling hashes and the
 * counters the state root commits to beside the account tree (hashing.ts).
 */
import { ACCOUNT_TREE_DEPTH, MAX_TOKENS } from "./constants";
import { hashPair } from "./hash";
import { accountLeaf, stateRoot } from "./hashing";
import { MAX_UINT256, MAX_UINT64 } from "./bytes";

/** A quantity as the JSON carries it (a hex string) or as a library parsed it (viem: bigint, number). */
export type ProofQuantity = string | bigint | number;

/**
 * The fields of an eth_getProof answer that the check reads (the answer has geth's others too:
 * codeHash, storageHash, storageProof, which the state root does not commit to on Cairn).
 */
export interface AccountProof {
  address: string;
  balance: ProofQuantity;
  nonce: ProofQuantity;
  /** The account's sibling hashes in the account tree, leaf level first (on geth: trie nodes). */
  accountProof: readonly string[];
  /** The account's index in the account tree; null when the address has no account. */
  accountIndex: ProofQuantity | null;
  /** Root of the account's token-balance tree (null with no account). */
  tokenRoot: string | null;
  /** Root of the tree of the ERC-20 allowances the account has given (null with no account). */
  allowanceRoot: string | null;
  accountCount: ProofQuantity;
  queueIndex: ProofQuantity;
  withdrawalCount: ProofQuantity;
  tokenCount: ProofQuantity;
}

const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** `v` as a bigint in [0, max], or null: a proof is untrusted input, never a reason to throw. */
function quantity(v: ProofQuantity | null | undefined, max: bigint): bigint | null {
  let n: bigint;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) return null;
    n = BigInt(v);
  } else if (typeof v === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(v)) n = BigInt(v);
  else return null;
  return n >= 0n && n <= max ? n : null;
}

const hash = (v: unknown): Buffer | null => (typeof v === "string" && HASH.test(v) ? Buffer.from(v.slice(2), "hex") : null);

/** The root of a positional tree of depth `siblings.length` that holds `leaf` at `index`, by its Merkle path. */
export function rootFromPath(leaf: Buffer, index: number, siblings: readonly Buffer[]): Buffer {
  let node = leaf;
  for (let level = 0; level < siblings.length; level++) {
    node = (index >> level) & 1 ? hashPair(siblings[level], node) : hashPair(node, siblings[level]);
  }
  return node;
}

/**
 * The state root `proof` proves its account against — recomputed from the account's leaf, its
 * path and the counters — or null when the proof is malformed or shows no account (Cairn's
 * root commits to each index's address, not to which addresses have none: absence is not provable).
 */
export function accountProofRoot(proof: AccountProof): Buffer | null {
  if (typeof proof !== "object" || proof === null || typeof proof.address !== "string" || !ADDRESS.test(proof.address)) return null;
  const index = quantity(proof.accountIndex, BigInt(2 ** ACCOUNT_TREE_DEPTH - 1));
  const nonce = quantity(proof.nonce, MAX_UINT64);
  const balance = quantity(proof.balance, MAX_UINT256);
  const accountCount = quantity(proof.accountCount, BigInt(2 ** ACCOUNT_TREE_DEPTH));
  const queueIndex = quantity(proof.queueIndex, MAX_UINT64);
  const withdrawalCount = quantity(proof.withdrawalCount, MAX_UINT64);
  // No state has more tokens than the Bridge registers: a larger count would lose digits as a number (and 2^64 − 1 would throw).
  const tokenCount = quantity(proof.tokenCount, BigInt(MAX_TOKENS));
  const tokenRoot = hash(proof.tokenRoot);
  const allowanceRoot = hash(proof.allowanceRoot);
  if (index === null || nonce === null || balance === null || accountCount === null || queueIndex === null || withdrawalCount === null || tokenCount === null || !tokenRoot || !allowanceRoot) return null;
  // An index at or past the count is an empty leaf in every honest tree: refused before hashing.
  if (index >= accountCount) return null;
  if (!Array.isArray(proof.accountProof) || proof.accountProof.length !== ACCOUNT_TREE_DEPTH) return null;
  const siblings = proof.accountProof.map(hash);
  if (siblings.some((s) => s === null)) return null;
  const leaf = accountLeaf(proof.address.toLowerCase(), nonce, balance, tokenRoot, allowanceRoot);
  const accountsRoot = rootFromPath(leaf, Number(index), siblings as Buffer[]);
  return stateRoot({ accountsRoot, accountCount: Number(accountCount), queueIndex, withdrawalCount, tokenCount: Number(tokenCount) });
}

/**
 * Whether `proof` (an eth_getProof answer, as JSON or as viem's getProof parses it) shows that
 * in the state whose root is `stateRoot` — a block's, or a batch's post-state root read from
 * the Rollup on L1 — its address has an account with exactly its nonce, balance, token root and
 * allowance root.
 * False for a malformed proof, one of an address without an account, or another root.
 *
 * @example
 * const proof = await provider.send("eth_getProof", [address, [], lastBlockOfBatchHex]);
 * const header = await rollup.getBatch(batchIndex); // the Rollup on L1
 * const holds = verifyAccountProof(proof, header.postStateRoot); // true: L1's state has it
 */
export function verifyAccountProof(proof: AccountProof, root: string | Uint8Array): boolean {
  const expected = typeof root === "string" ? hash(root) : root instanceof Uint8Array && root.length === 32 ? Buffer.from(root) : null;
  const got = accountProofRoot(proof);
  return expected !== null && got !== null && got.equals(expected);
}
