/**
 * Builds one L2 block, which is one commitment: queue entries and transactions are applied to
 * the state as they arrive, fee tuples are listed once, and `seal` produces the packed body with
 * its post-state and withdrawal roots.
 */
import { MerkleTree } from "merkletreejs";
import { MAX_FEE_ENTRIES, MAX_OPS_PER_COMMITMENT, OpKind, QueueKind } from "./constants";
import { CommitmentWeight } from "./proofWeight";
import { encodeCommitment, type Commitment } from "./commitment";
import { CairnError } from "./errors";
import { applyOp, type BlockEnv, type OpResult, type TxResult } from "./execute";
import { isForcedWithdrawal, type QueueEntry, type QueueResult } from "./queueOps";
import { keccak256 } from "./hash";
import { commitmentLeaf, withdrawalLeaf, type Withdrawal } from "./hashing";
import { opSlots, sameFeeEntry, type Op, type QueueOp } from "./ops";
import type { L2State } from "./state";
import type { FeeEntry } from "./txSigning";
import { toSignedOp, type ParsedTx } from "./intake";

/** The block has no room for another operation (or another fee tuple); seal it and retry. */
export class BlockFullError extends CairnError {
  readonly code: string = "BLOCK_FULL";
  override readonly name = "BlockFullError";
  constructor() {
    super("block full");
  }
}

export interface BlockParams {
  chainId: bigint;
  baseFee: bigint;
  feeRecipient: number;
  queueEntry(index: bigint): QueueEntry | undefined;
}

export interface SealedBlock {
  commitment: Commitment;
  body: Buffer;
  preStateRoot: Buffer;
  postStateRoot: Buffer;
  /** keccak256(preStateRoot ‖ body): the commitment leaf, used as the L2 block hash. */
  hash: Buffer;
  results: OpResult[];
  withdrawals: Withdrawal[];
}

/** The withdrawals a block's operations made, signed or forced, in order. */
export function withdrawalsOf(results: OpResult[]): Withdrawal[] {
  return results.flatMap((r) => (r.withdrawal ? [r.withdrawal] : []));
}

/** Sorted-pair (merkletreejs) root of withdrawal leaves; null when there are none. */
export function withdrawalTree(withdrawals: Withdrawal[]): MerkleTree | null {
  if (withdrawals.length === 0) return null;
  return new MerkleTree(withdrawals.map(withdrawalLeaf), keccak256, { sortPairs: true });
}

export class BlockBuilder {
  readonly preStateRoot: Buffer;
  private readonly fees: FeeEntry[] = [];
  private readonly ops: Op[] = [];
  private readonly results: OpResult[] = [];
  private readonly env: BlockEnv;

  constructor(
    private readonly state: L2State,
    params: BlockParams,
  ) {
    this.preStateRoot = state.root();
    this.env = { ...params, fees: this.fees };
    this.weight = new CommitmentWeight(params.feeRecipient, state.accountCount, state.tokenCount);
  }

  /** The base fee this block charges. */
  get baseFee(): bigint {
    return this.env.baseFee;
  }

  get opCount(): number {
    return this.ops.length;
  }

  get isFull(): boolean {
    return this.slots >= MAX_OPS_PER_COMMITMENT;
  }

  /** The commitment slots the operations so far take (a transferFrom takes two). */
  private slots = 0;
  /** The proof weight of the operations so far (proofWeight.ts). */
  private readonly weight: CommitmentWeight;

  /** Applies the next L1 queue entry. */
  addQueueEntry(): QueueResult {
    if (this.isFull) throw new BlockFullError();
    const entry = this.env.queueEntry(this.state.queueIndex);
    let op: QueueOp = { kind: OpKind.QUEUE, credit: "none" };
    if (entry && entry.kind !== QueueKind.TOKEN_REGISTRATION) {
      const index = this.state.indexOf(entry.account.toLowerCase());
      // A deposit creates its recipient; a forced withdrawal from nobody does nothing.
      const absent: QueueOp = isForcedWithdrawal(entry.kind) ? { kind: OpKind.QUEUE, credit: "none" } : { kind: OpKind.QUEUE, credit: "new" };
      op = index === undefined ? absent : { kind: OpKind.QUEUE, credit: "existing", index };
    }
    if (!this.weight.fits(op)) throw new BlockFullError();
    const result = applyOp(this.state, op, this.env) as QueueResult;
    this.ops.push(op);
    this.slots += opSlots(op);
    this.weight.add(op);
    this.results.push(result);
    return result;
  }

  /** Validates and applies a transaction; throws InvalidOperationError (state untouched) or BlockFullError. */
  addTransaction(tx: ParsedTx): TxResult {
    if (this.isFull) throw new BlockFullError();
    let feeIndex = this.fees.findIndex((f) => sameFeeEntry(f, tx.fee));
    const newFee = feeIndex < 0;
    if (newFee) {
      if (this.fees.length >= MAX_FEE_ENTRIES) throw new BlockFullError();
      feeIndex = this.fees.push(tx.fee) - 1;
    }
    try {
      const op = toSignedOp(this.state, tx, feeIndex);
      if (this.slots + opSlots(op) > MAX_OPS_PER_COMMITMENT) throw new BlockFullError();
      if (!this.weight.fits(op)) throw new BlockFullError();
      this.env.received = { raw: tx.raw, hash: tx.hash, signer: tx.from };
      const result = applyOp(this.state, op, this.env) as TxResult;
      this.ops.push(op);
      this.slots += opSlots(op);
      this.weight.add(op);
      this.results.push(result);
      return result;
    } catch (e) {
      if (newFee) this.fees.pop();
      throw e;
    } finally {
      this.env.received = undefined;
    }
  }

  /** The result of transaction `hash` if it is in this (open) block. */
  pendingTransaction(hash: string): TxResult | undefined {
    return this.results.find((r): r is TxResult => r.type === "tx" && r.hash === hash);
  }

  /** Closes the block at L2 time `timestamp` (seconds). */
  seal(timestamp: number): SealedBlock {
    const withdrawals = withdrawalsOf(this.results);
    const tree = withdrawalTree(withdrawals);
    const postStateRoot = this.state.root();
    const commitment: Commitment = {
      postStateRoot,
      withdrawalRoot: tree ? tree.getRoot() : null,
      timestamp,
      baseFee: this.env.baseFee,
      feeRecipient: this.env.feeRecipient,
      fees: this.fees.slice(),
      ops: this.ops.slice(),
    };
    const body = encodeCommitment(commitment);
    return {
      commitment,
      body,
      preStateRoot: this.preStateRoot,
      postStateRoot,
      hash: commitmentLeaf(this.preStateRoot, body),
      results: this.results.slice(),
      withdrawals,
    };
  }
}
