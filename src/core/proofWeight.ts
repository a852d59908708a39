/**
 * The proof weight of a commitment: how many account-tree siblings the multiproof of a fraud
 * proof against it needs, at most — the siblings over every account index the commitment names.
 * Slots bound how many operations a proof replays; the weight bounds how spread through the
 * tree their accounts are, which sets most of the rest of its gas (each sibling is 32 bytes of
 * calldata and a node of the walk). It is decided by the body and the pre-state's account count
 * alone, so `FraudVerifier` computes it too (`ProofWeight.sol`): a commitment over
 * MAX_PROOF_WEIGHT is MALFORMED on both sides, and the block builder seals before one would be.
 */
import { ACCOUNT_TREE_DEPTH, MAX_PROOF_WEIGHT, OpKind } from "./constants";
import { opIndices, type Op } from "./ops";

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
 * The account indices a commitment names, for the weight: the fee recipient, every index an
 * operation carries, and `accountCount + k` for the k-th operation that would create an account.
 */
export class TouchedAccounts {
  private readonly indices = new Set<number>();
  private created = 0;

  constructor(
    feeRecipient: number,
    private readonly accountCount: number,
  ) {
    this.indices.add(feeRecipient);
  }

  /** The indices `op` would add, after those so far. */
  private of(op: Op): number[] {
    const out = opIndices(op);
    if (createsAccount(op)) out.push(this.accountCount + this.created);
    return out;
  }

  /** The weight with `op` added (nothing changes). */
  weightWith(op: Op): number {
    return multiProofSiblings([...this.indices, ...this.of(op)]);
  }

  /** Adds `op`'s indices. */
  add(op: Op): void {
    for (const i of this.of(op)) this.indices.add(i);
    if (createsAccount(op)) this.created++;
  }

  get weight(): number {
    return multiProofSiblings(this.indices);
  }
}

/** The proof weight of a commitment's operations on a pre-state of `accountCount` accounts. */
export function proofWeight(ops: readonly Op[], feeRecipient: number, accountCount: number): number {
  const touched = new TouchedAccounts(feeRecipient, accountCount);
  for (const op of ops) touched.add(op);
  return touched.weight;
}

/** Whether a commitment's proof weight is within MAX_PROOF_WEIGHT. */
export const withinProofWeight = (ops: readonly Op[], feeRecipient: number, accountCount: number): boolean =>
  proofWeight(ops, feeRecipient, accountCount) <= MAX_PROOF_WEIGHT;
