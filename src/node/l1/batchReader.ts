/**
 * Reads posted batches back from L1: the BatchSubmitted events and the commitments bytes from
 * each submission's calldata. This is all a replica, the challenger, the fallback proposer or a
 * restarting sequencer needs besides the queue, and every one of them reads batches here.
 *
 * The calldata is not taken on trust. A transaction's calldata is only the batch if the
 * transaction was sent to the Rollup itself: a proposer that is a contract could carry an
 * honest-looking decoy in its own calldata while forwarding other bytes to the Rollup. So each
 * batch is authenticated against its event — the transaction is addressed to the Rollup, its
 * arguments are the event's, and its bodies rebuild the commitments root and post-state root
 * the Rollup stored — and a batch that is not is an error, never skipped.
 */
import type { TransactionResponse } from "ethers";
import { type L1Contracts } from "./contracts";
import { inSlices } from "../../shared/slices";
import { emptyRunOf, splitBatch } from "../../core/commitment";
import { summarizeBatch } from "../../core/batch";
import { CairnError, DecodeError } from "../../core/errors";
import { UnfollowableBatchError, type BatchClaim, type PostedBatch } from "./batchClaim";
import { blobClaimIn, readBlobBatch } from "./blobBatchReader";
import type { BatchSubmittedEvent } from "../../../typechain-types/contracts/L1/Rollup";

export { UnfollowableBatchError, type BatchClaim, type PostedBatch } from "./batchClaim";

/** Which part of a batch's L1 record did not hold. */
export type BatchDisagreement =
  | "transaction-missing"
  | "not-sent-to-rollup"
  | "not-submit-batch"
  | "batch-index"
  | "pre-state-root"
  | "queue-count"
  | "malformed-commitments"
  | "commitments-root"
  | "post-state-root";

/** The bytes L1 shows for a batch are not the batch the Rollup recorded. */
export class BatchAuthenticationError extends UnfollowableBatchError {
  override readonly code: string = "BATCH_AUTHENTICATION";
  override readonly name = "BatchAuthenticationError";

  constructor(
    batchIndex: number,
    readonly l1TxHash: string,
    readonly disagreement: BatchDisagreement,
    details: string,
    options: { cause?: unknown } = {},
  ) {
    super(batchIndex, "it cannot be authenticated", `batch ${batchIndex} (L1 tx ${l1TxHash}) cannot be authenticated against the Rollup`, { details, cause: options.cause });
  }
}

/** A batch the Rollup records whose BatchSubmitted event is not in the L1 blocks that were read. */
export class BatchOutsideBlocksError extends CairnError {
  readonly code = "BATCH_OUTSIDE_BLOCKS";
  override readonly name = "BatchOutsideBlocksError";

  constructor(
    readonly batchIndex: number,
    readonly fromBlock: number,
    readonly toBlock: number,
  ) {
    super(`batch ${batchIndex} on L1 was posted outside blocks ${fromBlock}..${toBlock}`);
  }
}

/**
 * The log line for a poll that stopped at a batch (for `repeat`'s `explain`), so that an
 * operator reads "stopped following" rather than a poll that merely failed once.
 */
export function explainStoppedFollowing(e: unknown): string | undefined {
  if (!(e instanceof UnfollowableBatchError)) return undefined;
  return `stopped following L1 at batch ${e.batchIndex}: ${e.problem}; nothing after it is applied (it is read again at every poll)`;
}

/** The claim a BatchSubmitted event makes. */
export function claimOf(event: BatchSubmittedEvent.Log): BatchClaim {
  return {
    index: Number(event.args.index),
    preStateRoot: event.args.preStateRoot,
    postStateRoot: event.args.postStateRoot,
    queueCount: event.args.queueCount,
    firstBlock: Number(event.args.firstBlock),
    commitmentsRoot: event.args.commitmentsRoot,
    l1Block: event.blockNumber,
    l1TxHash: event.transactionHash,
  };
}

/**
 * The batch `claim` describes, its bodies read from the calldata of the transaction that
 * emitted it.
 * @throws BatchAuthenticationError when that calldata is not provably the batch the Rollup
 *   recorded; retrying makes sense only in case L1 (or the RPC serving it) answers differently.
 */
export async function readBatch(l1: L1Contracts, claim: BatchClaim): Promise<PostedBatch> {
  const tx = await l1.provider.getTransaction(claim.l1TxHash);
  if (!tx) throw refusal(claim, "transaction-missing", "L1 does not know the transaction that emitted its BatchSubmitted event");
  if (tx.type === 3) {
    // Only a blob transaction can carry a blob batch; the Rollup's own log in it says whether it does.
    const receipt = await l1.provider.getTransactionReceipt(claim.l1TxHash);
    const blob = receipt && blobClaimIn(l1, receipt, claim.index);
    if (blob) return readBlobBatch(l1, claim, blob);
  }
  checkSentToRollup(claim, tx, l1.addresses.rollup);
  const call = decodeSubmitBatch(l1, claim, tx.data);
  checkArgumentsMatch(claim, call);
  checkBodiesRebuildRoots(claim, call.bodies);
  return { ...claim, bodies: call.bodies };
}

/** What the BatchSubmitted events of L1 blocks [from, to] claim, in order. */
export async function batchClaims(l1: L1Contracts, fromBlock: number, toBlock: number): Promise<BatchClaim[]> {
  const events = await inSlices(fromBlock, toBlock, (from, to) => l1.rollup.queryFilter(l1.rollup.filters.BatchSubmitted(), from, to));
  return events.map(claimOf);
}

/** Batches submitted in L1 blocks [from, to], in order, each authenticated (see {@link readBatch}). */
export async function readPostedBatches(l1: L1Contracts, fromBlock: number, toBlock: number): Promise<PostedBatch[]> {
  const out: PostedBatch[] = [];
  for (const claim of await batchClaims(l1, fromBlock, toBlock)) out.push(await readBatch(l1, claim));
  return out;
}

/**
 * The batches L1 holds now, in order, from index `fromIndex`: of every batch ever posted at an
 * index, the one whose commitments root the Rollup still records (earlier ones were reverted by
 * fraud proofs), each authenticated (see {@link readBatch}; reverted ones are not read). All of
 * them must have been posted in L1 blocks [fromBlock, toBlock].
 */
export async function readCurrentBatches(l1: L1Contracts, fromBlock: number, toBlock: number, fromIndex = 0): Promise<PostedBatch[]> {
  const claims = await batchClaims(l1, fromBlock, toBlock);
  const count = Number(await l1.rollup.batchCount());
  const out: PostedBatch[] = [];
  for (let i = fromIndex; i < count; i++) {
    const root = (await l1.rollup.getBatch(i)).commitmentsRoot;
    // Picked by the event's root, which is the Rollup's own record; the bytes are then authenticated against it.
    const claim = claims.filter((b) => b.index === i && b.commitmentsRoot === root).pop();
    if (!claim) throw new BatchOutsideBlocksError(i, fromBlock, toBlock);
    out.push(await readBatch(l1, claim));
  }
  return out;
}

interface SubmitBatchCall {
  batchIndex: bigint;
  preStateRoot: string;
  queueCount: bigint;
  bodies: Buffer[];
}

function refusal(claim: BatchClaim, disagreement: BatchDisagreement, details: string, cause?: unknown): BatchAuthenticationError {
  return new BatchAuthenticationError(claim.index, claim.l1TxHash, disagreement, details, { cause });
}

/** Only a transaction to the Rollup has the batch as its calldata; any other carries what its sender chose. */
function checkSentToRollup(claim: BatchClaim, tx: TransactionResponse, rollup: string): void {
  if (tx.to !== null && tx.to.toLowerCase() === rollup.toLowerCase()) return;
  throw refusal(claim, "not-sent-to-rollup", `the transaction is sent to ${tx.to ?? "no address (a contract creation)"}, not to the Rollup at ${rollup}`);
}

/**
 * The arguments of a submitBatch call, read as Solidity's decoder reads them — words at fixed
 * positions, the bytes where their offset points — rather than by a strict ABI decoder: the
 * Rollup refuses any layout but the standard one (RollupNonCanonicalCalldata), and should a
 * looser one ever get through, the follower still reads exactly the bytes the Rollup hashed.
 */
function decodeSubmitBatch(l1: L1Contracts, claim: BatchClaim, data: string): SubmitBatchCall {
  const bytes = Buffer.from(data.startsWith("0x") ? data.slice(2) : data, "hex");
  const selector = l1.rollup.interface.getFunction("submitBatch").selector;
  if (bytes.length < 4 + 4 * 32 || "0x" + bytes.subarray(0, 4).toString("hex") !== selector) {
    throw refusal(claim, "not-submit-batch", `the transaction's calldata does not start with submitBatch's selector ${selector}`);
  }
  const word = (at: number) => BigInt("0x" + bytes.subarray(at, at + 32).toString("hex"));
  const offset = word(4 + 3 * 32);
  const lengthAt = 4n + offset;
  if (lengthAt + 32n > BigInt(bytes.length)) throw refusal(claim, "not-submit-batch", `the commitments offset ${offset} points past the calldata`);
  const length = word(Number(lengthAt));
  const start = lengthAt + 32n;
  if (start + length > BigInt(bytes.length)) throw refusal(claim, "not-submit-batch", `the commitments (${length} bytes) run past the calldata`);
  const commitments = bytes.subarray(Number(start), Number(start + length));
  let bodies: Buffer[];
  try {
    bodies = splitBatch(commitments);
    // A run of no blocks (which the Rollup refuses) is bytes no summary can be made of.
    for (const body of bodies) emptyRunOf(body);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw refusal(claim, "malformed-commitments", `the commitments bytes do not split into bodies (${e.message})`, e);
  }
  return { batchIndex: word(4), preStateRoot: "0x" + bytes.subarray(36, 68).toString("hex"), queueCount: word(68), bodies };
}

function checkArgumentsMatch(claim: BatchClaim, call: SubmitBatchCall): void {
  if (call.batchIndex !== BigInt(claim.index)) throw refusal(claim, "batch-index", `the calldata submits batch ${call.batchIndex}, the event is of batch ${claim.index}`);
  if (!sameWord(call.preStateRoot, claim.preStateRoot)) throw refusal(claim, "pre-state-root", `the calldata builds on ${call.preStateRoot}, the event on ${claim.preStateRoot}`);
  if (call.queueCount !== claim.queueCount) throw refusal(claim, "queue-count", `the calldata claims queue count ${call.queueCount}, the event ${claim.queueCount}`);
}

/** The roots computed exactly as Rollup.submitBatch computes them: equal roots, the bytes the Rollup hashed. */
function checkBodiesRebuildRoots(claim: BatchClaim, bodies: Buffer[]): void {
  const summary = summarizeBatch(Buffer.from(claim.preStateRoot.slice(2), "hex"), bodies);
  const commitmentsRoot = hex(summary.commitmentsRoot);
  if (!sameWord(commitmentsRoot, claim.commitmentsRoot)) throw refusal(claim, "commitments-root", `the calldata's bodies hash to commitments root ${commitmentsRoot}, the Rollup stored ${claim.commitmentsRoot}`);
  const postStateRoot = hex(summary.postStateRoot);
  if (!sameWord(postStateRoot, claim.postStateRoot)) throw refusal(claim, "post-state-root", `the calldata's bodies end at state root ${postStateRoot}, the Rollup stored ${claim.postStateRoot}`);
}

const hex = (b: Buffer) => "0x" + b.toString("hex");
const sameWord = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
