import { expect } from "chai";
import { ethers } from "hardhat";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { encodeBlob, BLOB_PAYLOAD_ELEMENTS } from "../../src/core/blobLayout";
import { summarizeEnvelope, type EnvelopeSummary } from "../../src/core/batchEnvelope";
import { judgeBlobBatch } from "../../src/core/blobBatchFault";
import { blobStart } from "../../src/core/blobBatch";
import { blobRollup } from "../helpers/blobFixture";
import { Rng } from "./rng";

/** Few cases: each posts one to three blobs and builds a proof, a few seconds of KZG; BLOB_PROPERTY_CASES runs more. */
const SEED = process.env.BLOB_PROPERTY_SEED ?? "issue-17-multi";
const CASES = Number(process.env.BLOB_PROPERTY_CASES ?? 3);
const FAULT_NUMBER = { layout: 1, envelope: 2, claim: 3 } as const;

const MUTATIONS = ["none", "blob byte", "envelope byte", "padding byte", "top byte", "claim field", "chain link"] as const;

/** One blob's honest bodies, stamped in [previous, now]. */
function bodiesFor(rng: Rng, genesis: string, previous: bigint, now: bigint): Buffer[] {
  const stamp = Number(previous) + rng.int(Number(now - previous) + 1);
  const bodies: Buffer[] = [];
  for (let i = rng.range(1, 6); i > 0; i--) {
    if (rng.chance(0.5)) bodies.push(encodeEmptyRun({ blocks: rng.range(1, 4), timestamp: stamp }));
    // A commitment that keeps the state root (so blobs and batches chain on genesis); its operations are not read here.
    else bodies.push(Buffer.concat([Buffer.from(genesis.slice(2), "hex"), Buffer.from([0]), Buffer.from(stamp.toString(16).padStart(10, "0"), "hex"), rng.bytes(rng.range(0, 40))]));
  }
  return bodies;
}

/**
 * A blob batch a malicious proposer might post: one to three blobs with honest bytes and chained
 * claims, then one mutation of one blob's bytes or claim, or a claim summarized from a root the
 * blob before does not end at.
 */
function generate(rng: Rng, genesis: string, previous: bigint, now: bigint): { blobs: Buffer[]; claims: EnvelopeSummary[]; mutation: string; target: number } {
  const n = rng.range(1, 3);
  const blobs: Buffer[] = [];
  const claims: EnvelopeSummary[] = [];
  const envelopes: Buffer[] = [];
  let last = previous;
  for (let k = 0; k < n; k++) {
    const envelope = encodeBatch(bodiesFor(rng, genesis, last, now));
    const claim = summarizeEnvelope(envelope, genesis, last, now);
    envelopes.push(envelope);
    blobs.push(encodeBlob(envelope));
    claims.push(claim);
    last = claim.lastTimestamp;
  }
  const mutation = rng.pick(MUTATIONS);
  const target = rng.int(n);
  const blob = blobs[target];
  const claim = claims[target];
  // The header bytes (byte 0 is element 0's top byte: flipping its high bit would leave the field).
  if (mutation === "blob byte") blob[1 + rng.int(4)] ^= 1 << rng.int(8);
  if (mutation === "envelope byte") blob[1 + 4 + rng.int(Math.min(envelopes[target].length, 27))] ^= 1 << rng.int(8);
  if (mutation === "padding byte") blob[32 * (BLOB_PAYLOAD_ELEMENTS - 1) + 1 + rng.int(31)] = 1 + rng.int(255);
  if (mutation === "top byte") blob[32 * rng.int(BLOB_PAYLOAD_ELEMENTS)] = 1 + rng.int(0x72);
  if (mutation === "claim field") {
    const field = rng.pick(["commitmentsRoot", "postStateRoot", "withdrawalRoot", "blocks", "lastTimestamp"] as const);
    const floor = target === 0 ? previous : claims[target - 1].lastTimestamp;
    const ceiling = target === n - 1 ? now : claims[target + 1].lastTimestamp;
    if (field === "blocks") claim.blocks += 1;
    // Kept within the chain of times, or the Rollup refuses the claims at submission.
    else if (field === "lastTimestamp") claim.lastTimestamp = claim.lastTimestamp > floor ? claim.lastTimestamp - 1n : claim.lastTimestamp + (ceiling > claim.lastTimestamp ? 1n : 0n);
    else claim[field] = "0x" + rng.bytes(32).toString("hex");
  }
  // The target's claim is honest for its bytes read from another root than the blob before ends at.
  if (mutation === "chain link") claims[target] = summarizeEnvelope(envelopes[target], "0x" + rng.bytes(32).toString("hex"), target === 0 ? previous : claims[target - 1].lastTimestamp, now);
  return { blobs, claims, mutation, target };
}

describe("adversarial: a blob batch of one to three blobs is proven fraudulent on L1 if and only if src/core finds one of its blobs is not what was claimed", function () {
  // ~35 s of KZG a case at most, with room for a loaded machine.
  this.timeout(Math.max(600_000, CASES * 90_000));

  it(`holds on ${CASES} generated blob batches (seed ${SEED}), with the blob and the fault L1 names equal to core's`, async () => {
    const t = await blobRollup();
    const seen = new Set<string>();
    for (let i = 0; i < CASES; i++) {
      const rng = Rng.forCase(SEED, i);
      await t.rebond();
      const index = Number(await t.rollup.batchCount());
      const previous = index === 0 ? 0n : (await t.rollup.getBatch(index - 1)).l2Timestamp;
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const { blobs, claims, mutation, target } = generate(rng, t.genesis, previous, now);
      const { receipt, posting } = await t.post(index, blobs, claims);
      const l1Timestamp = BigInt((await ethers.provider.getBlock(receipt.blockNumber))!.timestamp);
      // Core's verdict, blob by blob as the reader judges: the first blob that is not its claim.
      let found: { blob: number; fault: number } | null = null;
      for (let k = 0; k < blobs.length && !found; k++) {
        const start = blobStart(claims, k, { preStateRoot: t.genesis, previousL2Timestamp: previous });
        const verdict = judgeBlobBatch(blobs[k], { ...start, l1Timestamp, claim: claims[k] });
        if (!verdict.ok) found = { blob: k, fault: FAULT_NUMBER[verdict.fault] };
      }
      seen.add(found ? `fault ${found.fault}` : "honest");
      const label = `case ${i} (${blobs.length} blobs, ${mutation} of blob ${target})`;
      // Honest: a blob picked at random answers RollupNotFraudulent. Otherwise the blob core names is proven, with core's fault.
      if (!found) {
        const k = rng.int(blobs.length);
        await expect(t.proveBlob(index, posting, k, blobs[k]), `${label}: core finds it honest`).to.be.revertedWithCustomError(t.rollup, "RollupNotFraudulent");
      } else {
        const proof = await (await t.proveBlob(index, posting, found.blob, blobs[found.blob])).wait();
        expect(t.faultOf(proof), `${label}: core finds blob ${found.blob} fault ${found.fault}`).to.deep.equal(found);
      }
    }
    // Variety is a property of several cases: one reaches one verdict.
    if (CASES >= 3) expect(seen.size, `verdicts reached: ${[...seen].join(", ")}`).to.be.greaterThan(1);
  });
});
