/**
 * A batch over several blobs: the TypeScript twin of what `Rollup.submitBlobBatch` checks and
 * records (BlobData.combine, BlobData.hashBlobBatch, `_checkBlobClaims`), and how the sequencer
 * spreads a batch's bodies over blobs.
 *
 * Each blob carries a whole number of commitments and has a claim of its own (an
 * EnvelopeSummary); blob k is summarized from blob k − 1's claimed post-state root and last L2
 * time, so one blob's claim can be disputed by opening that blob alone, and a proof's cost stays
 * the single-blob one whatever the batch's size. The batch the Rollup records is the claims
 * combined: its commitments root is the positional root of the blobs' roots (a single blob's is
 * its own), its withdrawal root the sorted-pair root of the blobs' non-zero ones.
 */
import { AbiCoder, keccak256 as keccakHex } from "ethers";
import { MerkleTree } from "merkletreejs";
import { EMPTY_RUN_BYTES, MAX_BLOCKS_PER_BATCH } from "./constants";
import { BLOB_ENVELOPE_CAPACITY, MAX_BLOB_COMMITMENTS } from "./blobLayout";
import type { EnvelopeSummary } from "./batchEnvelope";
import { keccak256 } from "./hash";
import { positionalRoot } from "./merkle";

/** The most blobs one batch spans: the most one L1 transaction may carry since Osaka (BlobData.MAX_BLOBS). */
export const MAX_BLOBS_PER_BATCH = 6;

const SUMMARY_TUPLE = "tuple(bytes32 commitmentsRoot, bytes32 postStateRoot, bytes32 withdrawalRoot, uint16 count, uint32 blocks, uint64 lastTimestamp)";

const word = (hex: string) => Buffer.from(hex.replace(/^0x/, "").padStart(64, "0"), "hex");
const hex = (b: Buffer) => "0x" + b.toString("hex");

/** BlobData.hashBlobBatch: keccak256 of the ABI encoding of the versioned hashes and the claims. */
export function hashBlobBatch(versionedHashes: readonly string[], claims: readonly EnvelopeSummary[]): string {
  const tuples = claims.map((c) => [c.commitmentsRoot, c.postStateRoot, c.withdrawalRoot, c.count, c.blocks, c.lastTimestamp]);
  return keccakHex(AbiCoder.defaultAbiCoder().encode(["bytes32[]", `${SUMMARY_TUPLE}[]`], [versionedHashes, tuples]));
}

/** Sorted-pair root of `leaves` (merkletreejs, as the Bridge's proofs expect); zero when empty. */
function sortedRoot(leaves: Buffer[]): Buffer {
  return leaves.length === 0 ? Buffer.alloc(32) : new MerkleTree(leaves, keccak256, { sortPairs: true }).getRoot();
}

/** BlobData.combine: the batch the Rollup records for these claims (at least one). */
export function combineBlobClaims(claims: readonly EnvelopeSummary[]): EnvelopeSummary {
  const last = claims[claims.length - 1];
  const withdrawalRoots = claims.map((c) => word(c.withdrawalRoot)).filter((w) => w.some((b) => b !== 0));
  return {
    commitmentsRoot: hex(positionalRoot(claims.map((c) => word(c.commitmentsRoot)))),
    postStateRoot: last.postStateRoot,
    withdrawalRoot: hex(sortedRoot(withdrawalRoots)),
    count: claims.reduce((n, c) => n + c.count, 0),
    blocks: claims.reduce((n, c) => n + c.blocks, 0),
    lastTimestamp: last.lastTimestamp,
  };
}

/** Why the Rollup refuses a blob batch's claims at submission: its custom error's name and arguments. */
export interface BlobClaimsRefusal {
  error: "RollupBadBlobCount" | "RollupBadBlobClaimCounts" | "RollupBadBlobClaimTimestamp" | "RollupBlobBatchTooManyBlocks";
  args: bigint[];
}

/**
 * `_checkBlobClaims` and the blob count of submitBlobBatch: null when the Rollup accepts these
 * claims for a transaction carrying `blobs` blobs, in an L1 block at `l1Timestamp`, after an L2
 * block at `previousL2Timestamp`; otherwise the error it reverts with.
 */
export function checkBlobClaims(claims: readonly EnvelopeSummary[], blobs: number, previousL2Timestamp: bigint, l1Timestamp: bigint): BlobClaimsRefusal | null {
  const n = claims.length;
  if (n === 0 || n > MAX_BLOBS_PER_BATCH) return { error: "RollupBadBlobCount", args: [BigInt(n), 0n] };
  let previous = previousL2Timestamp;
  let blocks = 0n;
  for (let k = 0; k < n; k++) {
    const c = claims[k];
    if (c.count === 0 || c.count > MAX_BLOB_COMMITMENTS || c.blocks < c.count || c.blocks > MAX_BLOCKS_PER_BATCH) {
      return { error: "RollupBadBlobClaimCounts", args: [BigInt(k), BigInt(c.count), BigInt(c.blocks)] };
    }
    if (c.lastTimestamp < previous || c.lastTimestamp > l1Timestamp) {
      return { error: "RollupBadBlobClaimTimestamp", args: [BigInt(k), c.lastTimestamp, previous, l1Timestamp] };
    }
    previous = c.lastTimestamp;
    blocks += BigInt(c.blocks);
  }
  if (blocks > BigInt(MAX_BLOCKS_PER_BATCH)) return { error: "RollupBlobBatchTooManyBlocks", args: [blocks, BigInt(MAX_BLOCKS_PER_BATCH)] };
  // The blob count is checked after the claims (it needs BLOBHASH, the claims do not).
  if (blobs !== n) return { error: "RollupBadBlobCount", args: [BigInt(n), BigInt(Math.min(blobs, MAX_BLOBS_PER_BATCH + 1))] };
  return null;
}

/** Where blob `blob` starts: the blob before's claimed end, or the batch's own start for the first (Rollup._blobStart). */
export function blobStart(
  claims: readonly EnvelopeSummary[],
  blob: number,
  batchStart: { preStateRoot: string; previousL2Timestamp: bigint },
): { preStateRoot: string; previousL2Timestamp: bigint } {
  if (blob === 0) return batchStart;
  return { preStateRoot: claims[blob - 1].postStateRoot, previousL2Timestamp: claims[blob - 1].lastTimestamp };
}

/** L2 blocks a body stands for: an empty run's count, else one. */
function blocksOf(body: Buffer): number {
  return body.length === EMPTY_RUN_BYTES ? body.readUInt16BE(0) : 1;
}

/**
 * Spreads a batch's bodies over blobs, in order, each blob as full as it goes (its envelope
 * within BLOB_ENVELOPE_CAPACITY, at most MAX_BLOB_COMMITMENTS bodies and MAX_BLOCKS_PER_BATCH
 * blocks): how many bodies each blob takes. Null when that needs more than `maxBlobs` blobs or
 * a body fits no blob.
 */
export function packBlobs(bodies: readonly Buffer[], maxBlobs = MAX_BLOBS_PER_BATCH): number[] | null {
  const groups: number[] = [];
  let bytes = 0;
  let count = 0;
  let blocks = 0;
  for (const body of bodies) {
    const size = body.length + 2;
    if (size > BLOB_ENVELOPE_CAPACITY) return null;
    const b = blocksOf(body);
    if (count === 0 || bytes + size > BLOB_ENVELOPE_CAPACITY || count + 1 > MAX_BLOB_COMMITMENTS || blocks + b > MAX_BLOCKS_PER_BATCH) {
      if (groups.length === maxBlobs) return null;
      groups.push(0);
      bytes = 0;
      count = 0;
      blocks = 0;
    }
    groups[groups.length - 1]++;
    bytes += size;
    count++;
    blocks += b;
  }
  return groups;
}

/** `bodies` cut into consecutive groups of the given sizes. */
export function splitByCounts<T>(items: readonly T[], counts: readonly number[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const n of counts) {
    out.push(items.slice(at, at + n));
    at += n;
  }
  return out;
}
