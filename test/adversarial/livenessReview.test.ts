import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { encodeBatch } from "../../src/core/commitment";
import { keccak256 } from "../../src/core/hash";
import { buildFraudWitness } from "../../src/core/fraudProof";
import { L2State } from "../../src/core/state";
import { CHAIN_ID } from "../helpers/fraudFixture";

/** A commitment envelope at L2 time `t`; the three bytes after the timestamp make it malformed, so provably fraudulent. */
const stamped = (seed: string, t: number | bigint, root?: string) =>
  Buffer.concat([root ? Buffer.from(root.slice(2), "hex") : keccak256(Buffer.from(seed)), Buffer.of(0), Buffer.from(BigInt(t).toString(16).padStart(10, "0"), "hex"), Buffer.alloc(3)]);

async function bondedFixture() {
  const f = await l1Fixture();
  await f.rollup.postBond({ value: f.params.bondSize });
  const [, , , fallback] = await ethers.getSigners();
  await f.rollup.connect(fallback).postBond({ value: f.params.bondSize });
  return { ...f, fallback };
}

/** Proves the single-commitment batch `index` (whose body is `body`, queue count `queueLimit`) fraudulent. */
async function revertSingle(rollup: Awaited<ReturnType<typeof bondedFixture>>["rollup"], index: number, body: Buffer, queueLimit: bigint, pre: string) {
  const params = { chainId: CHAIN_ID, queueEntry: () => undefined, position: { queueLimit, lastInBatch: true } };
  const { verdict, packed } = buildFraudWitness(L2State.genesis(), body, params);
  expect(verdict.ok).to.equal(false);
  await rollup.proveFraud(index, 0, pre, body, [], packed);
}

describe("Liveness review: the inclusion rule, the fallback clock and the revert path", () => {
  it("a sequencer reverting its own batch that consumed an entry cannot push back the entry's deadline: proposing opens at queuedAt + inclusionWindow + sequencerTimeout", async () => {
    const { rollup, bridge, alice, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    await bridge.connect(alice).depositETH(alice.address, { value: 1n });
    const queuedAt = BigInt(await time.latest());
    const censoredAt = queuedAt + BigInt(params.inclusionWindow + params.sequencerTimeout);
    // The sequencer "includes" the entry in a fraudulent batch just before the censorship bound...
    await time.setNextBlockTimestamp(censoredAt - 30n);
    const bad = stamped("bad", censoredAt - 30n);
    await rollup.submitBatch(0, genesisStateRoot, 1, encodeBatch([bad]));
    const postedAt = await rollup.sequencerLastPostedAt();
    expect(postedAt).to.equal(censoredAt - 30n);
    // ...then reverts it itself (recovering half its bond) and rebonds.
    await revertSingle(rollup, 0, bad, 1n, genesisStateRoot);
    expect(await rollup.sequencerLastPostedAt()).to.equal(await rollup.deployedAt());
    expect(await rollup.proposingOpensAt()).to.be.lessThanOrEqual(censoredAt);
    await rollup.postBond({ value: params.bondSize });
    // The clock was not reset in its favour: the fallback posts at the original bound.
    await time.setNextBlockTimestamp(censoredAt);
    await expect(rollup.connect(fallback).submitBatch(0, genesisStateRoot, 1, encodeBatch([stamped("f", censoredAt)]))).to.emit(rollup, "BatchSubmitted");
  });

  it("after a self-revert the sequencer itself may not leave the overdue entry out again", async () => {
    const { rollup, bridge, alice, genesisStateRoot, params } = await loadFixture(bondedFixture);
    await bridge.connect(alice).depositETH(alice.address, { value: 1n });
    const queuedAt = BigInt(await time.latest());
    const censoredAt = queuedAt + BigInt(params.inclusionWindow + params.sequencerTimeout);
    await time.increaseTo(censoredAt - 20n);
    const bad = stamped("bad", queuedAt);
    await rollup.submitBatch(0, genesisStateRoot, 1, encodeBatch([bad]));
    await revertSingle(rollup, 0, bad, 1n, genesisStateRoot);
    await rollup.postBond({ value: params.bondSize });
    await time.increaseTo(censoredAt + 1n);
    // Timestamp pinned at the genesis floor (0): the batch's time is still floored at L1 − timeout.
    await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("s", 0)]))).to.be.revertedWithCustomError(rollup, "RollupQueueEntryOverdue");
    await expect(rollup.submitBatch(0, genesisStateRoot, 1, encodeBatch([stamped("s", 0)]))).to.emit(rollup, "BatchSubmitted");
  });

  it("a revert above a surviving batch restores the fallback clock and the L2 timestamp floor from the surviving tip, not the stale headers above it", async () => {
    const { rollup, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    const t0 = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(t0);
    // Batch 0 claims the genesis root back, so batch 1's fraud witness starts from the genesis state.
    await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("a", t0, genesisStateRoot)]));
    const tip0 = await rollup.tipStateRoot();
    const h0 = await rollup.getBatch(0);
    await time.increase(100);
    const t1 = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(t1);
    const bad = stamped("bad", t1);
    await rollup.submitBatch(1, tip0, 0, encodeBatch([bad]));
    await time.increase(10);
    await revertSingle(rollup, 1, bad, 0n, tip0);
    expect(await rollup.batchCount()).to.equal(1n);
    expect(await rollup.sequencerLastPostedAt()).to.equal(h0.sequencerPostedAt);
    expect(await rollup.proposingOpensAt()).to.equal(h0.sequencerPostedAt + BigInt(params.sequencerTimeout));
    // The floor is batch 0's L2 time, below the stale batch 1's.
    await time.increaseTo(Number(h0.sequencerPostedAt) + params.sequencerTimeout);
    await expect(rollup.connect(fallback).submitBatch(1, tip0, 0, encodeBatch([stamped("f", t0)]))).to.emit(rollup, "BatchSubmitted");
    expect((await rollup.getBatch(1)).l2Timestamp).to.equal(BigInt(t0));
    expect((await rollup.getBatch(1)).sequencerPostedAt).to.equal(h0.sequencerPostedAt);
  });

  it("a slashed sequencer leaves the chain able to progress: the fallback opens a timeout after its last surviving post", async () => {
    const { rollup, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    const bad = stamped("bad", 1);
    await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([bad]));
    await revertSingle(rollup, 0, bad, 0n, genesisStateRoot);
    expect(await rollup.bonds((await ethers.getSigners())[0].address)).to.equal(0n);
    const opensAt = await rollup.proposingOpensAt();
    expect(opensAt).to.equal((await rollup.deployedAt()) + BigInt(params.sequencerTimeout));
    await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("s", 1)]))).to.be.revertedWithCustomError(rollup, "RollupProposerNotBonded");
    await time.increaseTo(opensAt);
    await expect(rollup.connect(fallback).submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("f", 1)]))).to.emit(rollup, "BatchSubmitted");
  });

  it("extreme L2 timestamps (2^40 − 1) are refused as in the future, not overflowed, and proposingOpensAt stays finite", async () => {
    const { rollup, bridge, alice, genesisStateRoot } = await loadFixture(bondedFixture);
    await bridge.connect(alice).depositETH(alice.address, { value: 1n });
    const max = 2n ** 40n - 1n;
    await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("x", max)]))).to.be.revertedWithCustomError(rollup, "CommitmentTimestampInFuture");
    const opensAt = await rollup.proposingOpensAt();
    expect(opensAt).to.be.lessThan(2n ** 64n);
    // A batch at L2 time 0 (the genesis floor) within the window is fine; the queue rule reads the L1 floor.
    await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("z", 0)]))).to.emit(rollup, "BatchSubmitted");
  });

  it("a sequencer pinning L2 time at the floor and posting every few seconds is refused one second past queuedAt + inclusionWindow + sequencerTimeout, when the fallback is already open", async () => {
    const { rollup, bridge, alice, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("a", 1)]));
    await bridge.connect(alice).depositETH(alice.address, { value: 1n });
    const queuedAt = BigInt(await time.latest());
    const censoredAt = queuedAt + BigInt(params.inclusionWindow + params.sequencerTimeout);
    await time.setNextBlockTimestamp(censoredAt);
    await rollup.submitBatch(1, await rollup.tipStateRoot(), 0, encodeBatch([stamped("b", 1)]));
    expect(await rollup.proposingOpensAt()).to.equal(censoredAt);
    await expect(rollup.submitBatch(2, await rollup.tipStateRoot(), 0, encodeBatch([stamped("c", 1)]))).to.be.revertedWithCustomError(rollup, "RollupQueueEntryOverdue");
    await expect(rollup.connect(fallback).submitBatch(2, await rollup.tipStateRoot(), 1, encodeBatch([stamped("f", 1)]))).to.emit(rollup, "BatchSubmitted");
  });

  it("a revert of a fallback's batch also drops the sequencer's later post from the clock: the clock goes back to the surviving tip's sequencer post", async () => {
    const { rollup, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("a", 1, genesisStateRoot)]));
    const h0 = await rollup.getBatch(0);
    await time.increaseTo(Number(h0.sequencerPostedAt) + params.sequencerTimeout);
    const bad = stamped("bad", 2);
    await rollup.connect(fallback).submitBatch(1, genesisStateRoot, 0, encodeBatch([bad]));
    expect((await rollup.getBatch(1)).sequencerPostedAt).to.equal(h0.sequencerPostedAt);
    await rollup.submitBatch(2, await rollup.tipStateRoot(), 0, encodeBatch([stamped("c", 3)]));
    expect(await rollup.sequencerLastPostedAt()).to.be.greaterThan(h0.sequencerPostedAt);
    await revertSingle(rollup, 1, bad, 0n, genesisStateRoot);
    expect(await rollup.batchCount()).to.equal(1n);
    expect(await rollup.sequencerLastPostedAt()).to.equal(h0.sequencerPostedAt);
    // Open again at once, for the fallback proposers still bonded (not the slashed one).
    const [, , other] = await ethers.getSigners();
    await rollup.connect(other).postBond({ value: params.bondSize });
    await expect(rollup.connect(other).submitBatch(1, genesisStateRoot, 0, encodeBatch([stamped("o", 3)]))).to.emit(rollup, "BatchSubmitted");
  });

  it("a batch consuming exactly QUEUE_CATCH_UP entries in front of an overdue withdrawal neither moves its deadline nor lets the next batch leave it out", async function () {
    this.timeout(240_000);
    const { rollup, bridge, alice, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    const flooder = await ethers.deployContract("QueueFlooder", [await bridge.getAddress()]);
    const catchUp = Number(await rollup.QUEUE_CATCH_UP());
    for (let left = catchUp; left > 0; left -= 400) await (await flooder.floodForcedWithdrawals(Math.min(400, left), { gasLimit: 16_000_000 })).wait();
    await bridge.connect(alice).forceWithdrawal(ethers.ZeroAddress, 1n);
    const victim = catchUp;
    const victimAt = await bridge.queueTimestamp(victim);
    const firstAt = await bridge.queueTimestamp(0);
    const iw = BigInt(params.inclusionWindow);
    const st = BigInt(params.sequencerTimeout);
    // Just before the whole flood's censorship bound, L2 time pinned at 1 (below every deadline in L2 time).
    await time.setNextBlockTimestamp(firstAt + iw + st - 1n);
    await rollup.submitBatch(0, genesisStateRoot, catchUp, encodeBatch([stamped("a", 1)]));
    // The victim is now the oldest unconsumed entry: proposing opens at its own bound, however recently the sequencer posted.
    expect(await rollup.proposingOpensAt()).to.equal(victimAt + iw + st);
    await time.setNextBlockTimestamp(victimAt + iw + st + 1n);
    await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), catchUp, encodeBatch([stamped("b", 1)]))).to.be.revertedWithCustomError(rollup, "RollupQueueEntryOverdue");
    await expect(rollup.connect(fallback).submitBatch(1, await rollup.tipStateRoot(), catchUp + 1, encodeBatch([stamped("f", 1)]))).to.emit(rollup, "BatchSubmitted");
  });

  it("a sequencer front-running the fallback at the censorship bound wins at most that one L1 block: in the next it must include the entry", async () => {
    const { rollup, bridge, alice, fallback, genesisStateRoot, params } = await loadFixture(bondedFixture);
    await bridge.connect(alice).depositETH(alice.address, { value: 1n });
    const queuedAt = BigInt(await time.latest());
    const censoredAt = queuedAt + BigInt(params.inclusionWindow + params.sequencerTimeout);
    await time.setNextBlockTimestamp(censoredAt);
    await ethers.provider.send("evm_setAutomine", [false]);
    let seqTx, fbTx;
    try {
      // Both in the block at censoredAt, the sequencer's (leaving the entry out) first.
      seqTx = await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("s", queuedAt)]), { gasLimit: 2_000_000, maxPriorityFeePerGas: 10n ** 10n });
      fbTx = await rollup.connect(fallback).submitBatch(0, genesisStateRoot, 1, encodeBatch([stamped("f", censoredAt)]), { gasLimit: 2_000_000, maxPriorityFeePerGas: 1n });
      await ethers.provider.send("evm_mine", []);
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    expect((await ethers.provider.getTransactionReceipt(seqTx.hash))!.status).to.equal(1);
    expect((await ethers.provider.getTransactionReceipt(fbTx.hash))!.status).to.equal(0);
    // One block later the sequencer may no longer leave it out, and the fallback may post.
    await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), 0, encodeBatch([stamped("s2", queuedAt)]))).to.be.revertedWithCustomError(rollup, "RollupQueueEntryOverdue");
    await expect(rollup.connect(fallback).submitBatch(1, await rollup.tipStateRoot(), 1, encodeBatch([stamped("f2", censoredAt)]))).to.emit(rollup, "BatchSubmitted");
  });
});
