/**
 * The proof weight of a commitment: how many siblings a fraud proof against it can need, at most,
 * in two parts decided by the body and the authenticated pre-state counters alone.
 *
 * - **Account weight**: the siblings of the account-tree multiproof over every account index the
 *   commitment names (MAX_PROOF_WEIGHT).
 * - **Token weight**: the levels of every token and allowance path the operations read whose
 *   sibling can be non-empty (MAX_TOKEN_PROOF_WEIGHT). The witness proves those trees as they were
 *   before the commitment, and a tree then held keys below the counts only — a balance for a
 *   registered token, an allowance for a registered token and an existing spender — so level `k`
 *   of the path to key `t` can carry a non-empty sibling only if the subtree beside it starts
 *   below the count: `((t >> k) ^ 1) << k < count` ({@link openLevels}).
 *
 * Slots bound how many operations a proof replays; the weight bounds how much of the trees their
 * paths can cross, which sets most of the rest of its gas (each sibling is 32 bytes of calldata
 * and a node of the walk). `FraudVerifier` computes the same (`ProofWeight.sol`): a commitment
 * over either cap is MALFORMED on both sides, and the block builder seals before one would be.
 */
import { ACCOUNT_TREE_DEPTH, MAX_PROOF_WEIGHT, MAX_TOKEN_PROOF_WEIGHT, OpKind, TOKEN_TREE_DEPTH } from "./constants";
import { opIndices, type Op } from "./ops";

/** A commitment's proof weight: account-tree siblings, and token and allowance path levels. */
export interface ProofWeight {
  accounts: number;
  tokens: number;
}

/** Whether `op` creates the account at the next index (when it is valid). */
export function createsAccount(op: Op): boolean {
  if (op.kind === OpKind.QUEUE) return op.credit === "new";
  return op.kind === OpKind.ETH_TRANSFER_NEW || op.kind === OpKind.TOKEN_TRANSFER_NEW || op.kind === OpKind.APPROVE_NEW || op.kind === OpKind.TRANSFER_FROM_NEW;
}

/**
 * The sibling positions a multiproof over `indices` needs in a tree of `depth`: the first leaf's
 * path, then each next leaf (in order) adds the levels below where its path meets the previous
 * one, minus the two siblings that meeting pairs up. Indices outside the tree are left out.
 */
export function multiProofSiblings(indices: Iterable<number>, depth = ACCOUNT_TREE_DEPTH): number {
  const sorted = [...new Set(indices)].filter((i) => i >= 0 && i < 2 ** depth).sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  let total = depth;
  for (let k = 1; k < sorted.length; k++) total += bitLength(sorted[k] ^ sorted[k - 1]) - 2;
  return total;
}

const bitLength = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));

/**
 * The levels of the path to `key` in a positional tree of `depth` (24 here) holding only keys
 * below `count` whose sibling can be non-empty: those where the subtree beside the path starts
 * below `count`. A key outside the tree has no path (0). The definition, level by level;
 * `ProofWeight.sol` computes it in closed form and the tests hold the two together.
 */
export function openLevels(key: number, count: number, depth = TOKEN_TREE_DEPTH): number {
  if (key < 0 || key >= 2 ** depth) return 0;
  let open = 0;
  for (let k = 0; k < depth; k++) {
    const sibling = (Math.floor(key / 2 ** k) ^ 1) * 2 ** k;
    if (sibling < count) open++;
  }
  return open;
}

/**
 * The most open levels a queue credit's path can have under `count`: its token is not in the body,
 * and may be one registered earlier in the same commitment (a key at or past the count). A key
 * below the count has at most the bit length of `count − 1`; a key past it at most that too,
 * except at a count of 1, where every key past 0 has one (the attack review found it).
 */
export const widestOpenLevels = (count: number, depth = TOKEN_TREE_DEPTH): number =>
  count === 0 ? 0 : Math.min(depth, Math.max(1, bitLength(Math.min(count, 2 ** depth) - 1)));

/**
 * The weight of a commitment as its operations are added: the account indices it names (the fee
 * recipient, every index an operation carries, `accountCount + k` for the k-th operation that
 * would create an account) and the open levels of the token and allowance paths they read.
 */
export class CommitmentWeight {
  private readonly indices = new Set<number>();
  private created = 0;
  private tokens = 0;

  constructor(
    feeRecipient: number,
    private readonly accountCount: number,
    private readonly tokenCount: number,
  ) {
    this.indices.add(feeRecipient);
  }

  /** The account indices `op` would add, after those so far. */
  private indicesOf(op: Op): number[] {
    const out = opIndices(op);
    if (createsAccount(op)) out.push(this.accountCount + this.created);
    return out;
  }

  /**
   * The open levels of the paths `op` reads, in the pre-state's trees: a token path for each
   * holder whose balance it moves, the owner's allowance path for an approve or transferFrom.
   * An account `op` creates has empty trees (nothing to count); a queue entry's token is not in
   * the body, so a credit to an existing account counts the widest path.
   */
  private tokenLevelsOf(op: Op): number {
    const path = (t: number) => openLevels(t, this.tokenCount);
    const allowance = (t: number, spender: number) => openLevels(spender, this.accountCount, ACCOUNT_TREE_DEPTH) + openLevels(t, this.tokenCount);
    switch (op.kind) {
      case OpKind.QUEUE:
        return op.credit === "existing" ? widestOpenLevels(this.tokenCount) : 0;
      case OpKind.TOKEN_TRANSFER:
        return 2 * path(op.tokenId);
      case OpKind.TOKEN_TRANSFER_NEW:
      case OpKind.WITHDRAW_TOKEN:
        return path(op.tokenId);
      case OpKind.APPROVE:
        return allowance(op.tokenId, op.spender);
      case OpKind.APPROVE_NEW:
        return allowance(op.tokenId, this.accountCount + this.created);
      case OpKind.TRANSFER_FROM:
        return 2 * path(op.tokenId) + allowance(op.tokenId, op.from);
      case OpKind.TRANSFER_FROM_NEW:
        return path(op.tokenId) + allowance(op.tokenId, op.from);
      default:
        return 0;
    }
  }

  /** The weight with `op` added (nothing changes). */
  with(op: Op): ProofWeight {
    return { accounts: multiProofSiblings([...this.indices, ...this.indicesOf(op)]), tokens: this.tokens + this.tokenLevelsOf(op) };
  }

  /** Whether the commitment stays within both caps with `op` added. */
  fits(op: Op): boolean {
    return withinCaps(this.with(op));
  }

  /** Adds `op`. */
  add(op: Op): void {
    this.tokens += this.tokenLevelsOf(op);
    for (const i of this.indicesOf(op)) this.indices.add(i);
    if (createsAccount(op)) this.created++;
  }

  get weight(): ProofWeight {
    return { accounts: multiProofSiblings(this.indices), tokens: this.tokens };
  }
}

/** The proof weight of a commitment's operations on a pre-state of `accountCount` accounts and `tokenCount` tokens. */
export function proofWeight(ops: readonly Op[], feeRecipient: number, accountCount: number, tokenCount: number): ProofWeight {
  const weight = new CommitmentWeight(feeRecipient, accountCount, tokenCount);
  for (const op of ops) weight.add(op);
  return weight.weight;
}

/** Whether a weight is within MAX_PROOF_WEIGHT and MAX_TOKEN_PROOF_WEIGHT. */
export const withinCaps = (w: ProofWeight): boolean => overweight(w) === undefined;

/** Why a weight is over a cap, for a MALFORMED verdict's details (undefined: within both). */
export function overweight(w: ProofWeight): string | undefined {
  if (w.accounts > MAX_PROOF_WEIGHT) return `proof weight ${w.accounts} (account siblings) is over ${MAX_PROOF_WEIGHT}`;
  if (w.tokens > MAX_TOKEN_PROOF_WEIGHT) return `token proof weight ${w.tokens} (open token and allowance path levels) is over ${MAX_TOKEN_PROOF_WEIGHT}`;
  return undefined;
}
