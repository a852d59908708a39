import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { encodeBatch } from "../../src/core/commitment";
import { keccak256 } from "../../src/core/hash";
import type { QueueFlooder } from "../../typechain-types";

/** A commitment envelope ending the batch at L2 time `t` (its operations are a fraud proof's business). */
const stamped = (seed: string, t: number | bigint) =>
  Buffer.concat([keccak256(Buffer.from(seed)), Buffer.of(0), Buffer.from(BigInt(t).toString(16).padStart(10, "0"), "hex"), Buffer.alloc(3)]);

async function bondedFixture() {
  const f = await l1Fixture();
  await f.rollup.postBond({ value: f.params.bondSize });
  const [, , , fallback] = await ethers.getSigners();
  await f.rollup.connect(fallback).postBond({ value: f.params.bondSize });
  const flooder = (await ethers.deployContract("QueueFlooder", [f.addresses.bridge])) as unknown as QueueFlooder;
  return { ...f, fallback, flooder };
}

/** Queues `n` forced withdrawals in as few transactions as the block gas limit allows. */
async function flood(flooder: QueueFlooder, n: number) {
  for (let left = n; left > 0; left -= 400) await (await flooder.floodForcedWithdrawals(Math.min(400, left), { gasLimit: 16_000_000 })).wait();
}

describe("Rollup liveness rules: some sequence of batches always brings the chain up to date", () => {
  it("a batch that consumes QUEUE_CATCH_UP entries may leave overdue ones for the next batches", async () => {
    const { rollup, bridge, flooder, genesisStateRoot, params } = await loadFixture(bondedFixture);
    const catchUp = Number(await rollup.QUEUE_CATCH_UP());
    await flood(flooder, catchUp + 10);
    await time.increase(params.inclusionWindow + 1);
    const now = (await time.latest()) + 1;
    // Consuming one less than the bound with overdue entries left: refused.
    await expect(rollup.submitBatch(0, genesisStateRoot, catchUp - 1, encodeBatch([stamped("a", now)]))).to.be.revertedWithCustomError(rollup, "RollupQueueEntryOverdue");
    // Consuming the bound: accepted, although entries past their deadline remain.
    await expect(rollup.submitBatch(0, genesisStateRoot, catchUp, encodeBatch([stamped("a", now)]))).to.emit(rollup, "BatchSubmitted");
    expect(await bridge.queueLength()).to.equal(BigInt(catchUp + 10));
    // The next batch must take the rest (fewer than the bound: all of them).
    await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), catchUp + 9, encodeBatch([stamped("b", now + 1)]))).to.be.revertedWithCustomError(rollup, "RollupQueueEntryOverdue");
    await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), catchUp + 10, encodeBatch([stamped("b", now + 1)]))).to.emit(rollup, "BatchSubmitted");
  });

  it("stale L2 timestamps put the rule off by at most a sequencer timeout", async () => {
    const { rollup, bridge, alice, genesisStateRoot, params } = await loadFixture(bondedFixture);
    await bridge.connect(alice).depositETH(alice.address, { value: 1n });
    const queuedAt = BigInt(await time.latest());
    const deadline = queuedAt + BigInt(params.inclusionWindow);
    // A censoring sequencer keeps its L2 time before the deadline: accepted while L1 is within a
    // sequencer timeout of it...
    await time.increaseTo(deadline + BigInt(params.sequencerTimeout) - 5n);
    await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("a", queuedAt)]));
    // ...and refused after.
    await time.increaseTo(deadline + BigInt(params.sequencerTimeout) + 1n);
    await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), 0, encodeBatch([stamped("b", queuedAt)])))
      .to.be.revertedWithCustomError(rollup, "RollupQueueEntryOverdue")
      .withArgs(0, queuedAt, deadline);
  });

  it("a queue entry left waiting a sequencer timeout past its deadline lets any bonded proposer post, however often the sequencer posts", async () => {
    const { rollup, bridge, alice, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    const silenceOpensAt = async () => BigInt((await rollup.sequencerLastPostedAt()) + BigInt(params.sequencerTimeout));
    expect(await rollup.proposingOpensAt()).to.equal(await silenceOpensAt());
    await bridge.connect(alice).depositETH(alice.address, { value: 1n });
    const queuedAt = BigInt(await time.latest());
    const censoredAt = queuedAt + BigInt(params.inclusionWindow + params.sequencerTimeout);
    // The sequencer keeps posting (so it is never silent) but leaves the entry out.
    let index = 0;
    for (let t = queuedAt; t + 400n < censoredAt; t += 400n) {
      await time.increaseTo(t + 400n);
      await rollup.submitBatch(index++, await rollup.tipStateRoot(), 0, encodeBatch([stamped(`s${index}`, queuedAt)]));
    }
    expect(await rollup.proposingOpensAt()).to.equal(censoredAt);
    await expect(rollup.connect(fallback).submitBatch(index, await rollup.tipStateRoot(), 1, encodeBatch([stamped("f", censoredAt)])))
      .to.be.revertedWithCustomError(rollup, "RollupNotSequencer")
      .withArgs(fallback.address, censoredAt);
    await time.setNextBlockTimestamp(censoredAt);
    await expect(rollup.connect(fallback).submitBatch(index, await rollup.tipStateRoot(), 1, encodeBatch([stamped("f", censoredAt)]))).to.emit(rollup, "BatchSubmitted");
    void genesisStateRoot;
  });

  it("a flood queued during a sequencer silence is worked through by batches that each fit the L1 gas cap", async () => {
    const { rollup, flooder, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    const catchUp = Number(await rollup.QUEUE_CATCH_UP());
    const entries = 3 * catchUp;
    await flood(flooder, entries);
    await time.increase(params.sequencerTimeout + 1);
    let consumed = 0;
    let batches = 0;
    let maxGas = 0n;
    while (consumed < entries) {
      const now = (await time.latest()) + 1;
      consumed = Math.min(entries, consumed + catchUp);
      const tx = await rollup.connect(fallback).submitBatch(batches, batches === 0 ? genesisStateRoot : await rollup.tipStateRoot(), consumed, encodeBatch([stamped(`f${batches}`, now)]));
      const gas = (await tx.wait())!.gasUsed;
      if (gas > maxGas) maxGas = gas;
      batches++;
    }
    expect(batches).to.equal(3);
    expect(maxGas).to.be.lessThan(16_777_216n);
  });
});
