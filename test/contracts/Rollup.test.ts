import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { summarizeBatch } from "../../src/core/batch";
import { keccak256 } from "../../src/core/hash";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";

const hex = (b: Buffer) => "0x" + b.toString("hex");
const stampedBody = (seed: string, t: bigint) => Buffer.concat([keccak256(Buffer.from(seed)), Buffer.of(0), Buffer.from(t.toString(16).padStart(10, "0"), "hex"), Buffer.alloc(3)]);
const body = (seed: string, extra = 8) => Buffer.concat([keccak256(Buffer.from(seed)), Buffer.of(0), Buffer.alloc(extra)]);

async function bondedFixture() {
  const f = await l1Fixture();
  await f.rollup.postBond({ value: f.params.bondSize });
  return f;
}

describe("Rollup", () => {
  describe("postBond", () => {
    it("records the bond and emits BondPosted", async () => {
      const { rollup, deployer } = await loadFixture(l1Fixture);
      await expect(rollup.postBond({ value: 5n })).to.emit(rollup, "BondPosted").withArgs(deployer.address, 5n, 5n);
      expect(await rollup.bonds(deployer.address)).to.equal(5n);
    });

    it("reverts on zero value", async () => {
      const { rollup } = await loadFixture(l1Fixture);
      await expect(rollup.postBond()).to.be.revertedWithCustomError(rollup, "RollupZeroBond");
    });
  });

  describe("submitBatch", () => {
    it("takes a 7-byte body as a run of empty blocks: one leaf, its count in blocks, the state root carried through", async () => {
      const { rollup, deployer, genesisStateRoot } = await loadFixture(bondedFixture);
      const now = BigInt(await time.latest());
      const run = encodeEmptyRun({ blocks: 500, timestamp: Number(now) });
      // 4,096 blocks in all: the most a batch may add (BatchCodec.MAX_BLOCKS).
      const bodies = [run, stampedBody("a", now), encodeEmptyRun({ blocks: 1, timestamp: Number(now) }), encodeEmptyRun({ blocks: 3594, timestamp: Number(now) })];
      const s = summarizeBatch(Buffer.from(genesisStateRoot.slice(2), "hex"), bodies);
      expect(s.blocks).to.equal(500 + 1 + 1 + 3594);
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch(bodies)))
        .to.emit(rollup, "BatchSubmitted")
        .withArgs(0, deployer.address, genesisStateRoot, hex(s.postStateRoot), hex(s.commitmentsRoot), ethers.ZeroHash, 0, 1, 4, s.blocks);
      const h = await rollup.getBatch(0);
      expect([h.commitmentCount, h.blockCount, h.postStateRoot]).to.deep.equal([4n, BigInt(s.blocks), hex(bodies[1].subarray(0, 32))]);
      // The next batch starts after every block the runs held; a batch of runs alone keeps the tip's root.
      await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), 0, encodeBatch([encodeEmptyRun({ blocks: 3, timestamp: Number(now) + 1 })])))
        .to.emit(rollup, "BatchSubmitted")
        .withArgs(1, deployer.address, hex(bodies[1].subarray(0, 32)), hex(bodies[1].subarray(0, 32)), (r: string) => r.length === 66, ethers.ZeroHash, 0, 1 + s.blocks, 1, 3);
    });

    it("refuses a run of no blocks, a run stamped after L1's time or before the block before it, and bodies of 6 or 8 bytes", async () => {
      const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
      const now = BigInt(await time.latest());
      const submit = (bodies: Buffer[]) => rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch(bodies));
      await expect(submit([stampedBody("a", now), Buffer.from("0000" + now.toString(16).padStart(10, "0"), "hex")])).to.be.revertedWithCustomError(rollup, "EmptyRunOfNoBlocks");
      await expect(submit([encodeEmptyRun({ blocks: 1, timestamp: Number(now) + 1000 })])).to.be.revertedWithCustomError(rollup, "CommitmentTimestampInFuture");
      await expect(submit([stampedBody("a", now), encodeEmptyRun({ blocks: 1, timestamp: Number(now) - 1 })])).to.be.revertedWithCustomError(rollup, "CommitmentTimestampDecreasing");
      for (const length of [6, 8]) await expect(submit([Buffer.alloc(length, 1)])).to.be.revertedWithCustomError(rollup, "CommitmentTooShort");
    });

    it("hashes the commitments into one root and records the header", async () => {
      const { rollup, deployer, genesisStateRoot } = await loadFixture(bondedFixture);
      const bodies = [body("a"), body("b"), body("c")];
      const s = summarizeBatch(Buffer.from(genesisStateRoot.slice(2), "hex"), bodies);
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch(bodies)))
        .to.emit(rollup, "BatchSubmitted")
        .withArgs(0, deployer.address, genesisStateRoot, hex(s.postStateRoot), hex(s.commitmentsRoot), ethers.ZeroHash, 0, 1, 3, 3);
      const h = await rollup.getBatch(0);
      expect(h.commitmentsRoot).to.equal(hex(s.commitmentsRoot));
      expect(h.postStateRoot).to.equal(hex(s.postStateRoot));
      expect(h.firstBlock).to.equal(1n);
      expect(await rollup.tipStateRoot()).to.equal(hex(s.postStateRoot));
      expect(await rollup.preStateRoot(0)).to.equal(genesisStateRoot);
      await rollup.submitBatch(1, hex(s.postStateRoot), 0, encodeBatch([body("d")]));
      expect((await rollup.getBatch(1)).firstBlock).to.equal(4n);
      expect(await rollup.preStateRoot(1)).to.equal(hex(s.postStateRoot));
    });

    it("makes batches final after the challenge window, in order", async () => {
      const { rollup, genesisStateRoot, params } = await loadFixture(bondedFixture);
      await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([body("a")]));
      expect(await rollup.isFinal(0)).to.equal(false);
      await time.increase(params.challengeWindow / 2);
      await rollup.submitBatch(1, await rollup.tipStateRoot(), 0, encodeBatch([body("b")]));
      await time.increase(params.challengeWindow / 2);
      expect(await rollup.isFinal(0)).to.equal(true);
      expect(await rollup.isFinal(1)).to.equal(false);
      expect(await rollup.finalBatchCount()).to.equal(1n);
      expect(await rollup.isFinal(2)).to.equal(false);
    });

    it("reverts for an unbonded proposer", async () => {
      const { rollup, genesisStateRoot, deployer, params } = await loadFixture(l1Fixture);
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([body("a")])))
        .to.be.revertedWithCustomError(rollup, "RollupProposerNotBonded")
        .withArgs(deployer.address, 0, params.bondSize);
    });

    it("reverts for another proposer until the sequencer has been silent for the timeout", async () => {
      const { rollup, genesisStateRoot, proposer2, params } = await loadFixture(bondedFixture);
      await rollup.connect(proposer2).postBond({ value: params.bondSize });
      const data = encodeBatch([body("a")]);
      await expect(rollup.connect(proposer2).submitBatch(0, genesisStateRoot, 0, data)).to.be.revertedWithCustomError(rollup, "RollupNotSequencer");
      await time.increase(params.sequencerTimeout);
      await expect(rollup.connect(proposer2).submitBatch(0, genesisStateRoot, 0, data)).to.emit(rollup, "BatchSubmitted");
    });

    it("reverts on a batch index other than the next one, so resubmission is idempotent", async () => {
      const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
      const data = encodeBatch([body("a")]);
      await rollup.submitBatch(0, genesisStateRoot, 0, data);
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, data)).to.be.revertedWithCustomError(rollup, "RollupUnexpectedBatchIndex").withArgs(1, 0);
    });

    it("reverts on a pre-state root other than the tip's", async () => {
      const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
      await expect(rollup.submitBatch(0, ethers.ZeroHash, 0, encodeBatch([body("a")])))
        .to.be.revertedWithCustomError(rollup, "RollupPreStateMismatch")
        .withArgs(genesisStateRoot, ethers.ZeroHash);
    });

    it("reverts on a queue count beyond the queue or below the last batch's", async () => {
      const { rollup, bridge, alice, genesisStateRoot } = await loadFixture(bondedFixture);
      await expect(rollup.submitBatch(0, genesisStateRoot, 1, encodeBatch([body("a")]))).to.be.revertedWithCustomError(rollup, "RollupInvalidQueueCount").withArgs(1, 0, 0);
      await bridge.connect(alice).depositETH(alice.address, { value: 1n });
      await bridge.connect(alice).depositETH(alice.address, { value: 1n });
      await rollup.submitBatch(0, genesisStateRoot, 2, encodeBatch([body("a")]));
      await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), 1, encodeBatch([body("b")]))).to.be.revertedWithCustomError(rollup, "RollupInvalidQueueCount").withArgs(1, 2, 2);
    });

    it("reverts when its last L2 block is past a queue entry's deadline and it leaves the entry out", async () => {
      const { rollup, bridge, alice, genesisStateRoot, params } = await loadFixture(bondedFixture);
      await bridge.connect(alice).depositETH(alice.address, { value: 1n });
      const queuedAt = BigInt(await time.latest());
      const deadline = queuedAt + BigInt(params.inclusionWindow);
      await time.increase(params.inclusionWindow + 10);
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stampedBody("a", deadline + 1n)])))
        .to.be.revertedWithCustomError(rollup, "RollupQueueEntryOverdue")
        .withArgs(0, queuedAt, deadline);
      // A backlog block sealed before the deadline may still be posted without it.
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stampedBody("a", deadline)]))).to.emit(rollup, "BatchSubmitted");
      await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), 1, encodeBatch([stampedBody("b", deadline + 1n)]))).to.emit(rollup, "BatchSubmitted");
    });

    describe("malformed batches", () => {
      it("reverts on an empty batch", async () => {
        const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, "0x")).to.be.revertedWithCustomError(rollup, "BatchEmpty");
      });

      it("reverts on a truncated commitment or length prefix", async () => {
        const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
        const data = encodeBatch([body("a")]);
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, data.subarray(0, data.length - 1))).to.be.revertedWithCustomError(rollup, "BatchTruncated").withArgs(0);
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, Buffer.concat([data, Buffer.of(0)]))).to.be.revertedWithCustomError(rollup, "BatchTruncated").withArgs(data.length);
      });

      it("reverts on a body too short for its header", async () => {
        const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([Buffer.alloc(10)]))).to.be.revertedWithCustomError(rollup, "CommitmentTooShort").withArgs(0, 10);
        const flagged = Buffer.concat([keccak256(Buffer.from("x")), Buffer.of(1), Buffer.alloc(5)]);
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([flagged]))).to.be.revertedWithCustomError(rollup, "CommitmentTooShort").withArgs(0, 38);
      });

      it("reverts on an index width above 24 bits and on a zero withdrawal root", async () => {
        const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
        const bad = Buffer.concat([keccak256(Buffer.from("x")), Buffer.of(25 << 1), Buffer.alloc(5)]);
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([bad]))).to.be.revertedWithCustomError(rollup, "CommitmentBadFlags").withArgs(0, 50);
        const widest = Buffer.concat([keccak256(Buffer.from("x")), Buffer.of(24 << 1), Buffer.alloc(5)]);
        await rollup.submitBatch.staticCall(0, genesisStateRoot, 0, encodeBatch([widest])); // accepted; its bytes are a fraud proof's business
        const zero = Buffer.concat([keccak256(Buffer.from("x")), Buffer.of(1), Buffer.alloc(40)]);
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([zero]))).to.be.revertedWithCustomError(rollup, "CommitmentZeroWithdrawalRoot").withArgs(0);
      });

      it("reverts on token width class 3 (flags bits 6-7), alone or with any index width, and accepts classes 0 to 2", async () => {
        const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
        const body = (flags: number) => Buffer.concat([keccak256(Buffer.from("x")), Buffer.of(flags), Buffer.alloc(5)]);
        for (const flags of [3 << 6, (3 << 6) | (24 << 1), (3 << 6) | (5 << 1) | 1]) {
          await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([body(flags)]))).to.be.revertedWithCustomError(rollup, "CommitmentBadFlags").withArgs(0, flags);
        }
        // Class 2 with an index width above 24 is refused for the width, as before.
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([body((2 << 6) | (25 << 1))]))).to.be.revertedWithCustomError(rollup, "CommitmentBadFlags").withArgs(0, (2 << 6) | (25 << 1));
        for (const tokenClass of [0, 1, 2]) {
          await rollup.submitBatch.staticCall(0, genesisStateRoot, 0, encodeBatch([body((tokenClass << 6) | (24 << 1))]));
        }
      });

      it("reverts on more than 4,096 commitments", async () => {
        const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
        const one = Buffer.concat([Buffer.of(0, 38), Buffer.alloc(38)]);
        const data = Buffer.concat(Array.from({ length: 4097 }, () => one));
        await expect(rollup.submitBatch(0, genesisStateRoot, 0, data)).to.be.revertedWithCustomError(rollup, "BatchTooManyCommitments").withArgs(4097, 4096);
      });
    });
  });

  describe("bond withdrawal", () => {
    it("pays the bond back after the delay, once the proposer's batches are final", async () => {
      const { rollup, deployer, genesisStateRoot, params } = await loadFixture(bondedFixture);
      await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([body("a")]));
      const requested = rollup.requestBondWithdrawal();
      await expect(requested).to.emit(rollup, "BondWithdrawalRequested");
      await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), 0, encodeBatch([body("b")])))
        .to.be.revertedWithCustomError(rollup, "RollupBondWithdrawalPending")
        .withArgs(deployer.address);
      await time.increase(params.bondWithdrawalDelay);
      await expect(rollup.withdrawBond()).to.changeEtherBalance(deployer, params.bondSize);
      expect(await rollup.bonds(deployer.address)).to.equal(0n);
    });

    it("reverts without a request, before the delay, and while a batch is challengeable", async () => {
      const { rollup, deployer, genesisStateRoot, params } = await loadFixture(bondedFixture);
      await expect(rollup.withdrawBond()).to.be.revertedWithCustomError(rollup, "RollupBondWithdrawalNotRequested").withArgs(deployer.address);
      await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([body("a")]));
      await rollup.requestBondWithdrawal();
      await expect(rollup.withdrawBond()).to.be.revertedWithCustomError(rollup, "RollupBondWithdrawalTooEarly");
      void params;
    });

    it("reverts while the proposer's last batch is challengeable, even after the delay", async () => {
      const [deployer] = await ethers.getSigners();
      const d = await deployCairn(deployer, { ...DEVNET_PARAMS, bondWithdrawalDelay: 10 });
      await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize });
      await d.rollup.submitBatch(0, d.genesisStateRoot, 0, encodeBatch([body("a")]));
      const finalAt = (await d.rollup.getBatch(0)).timestamp + BigInt(DEVNET_PARAMS.challengeWindow);
      await d.rollup.requestBondWithdrawal();
      await time.increase(10);
      await expect(d.rollup.withdrawBond()).to.be.revertedWithCustomError(d.rollup, "RollupProposerHasPendingBatch").withArgs(finalAt);
      await time.increase(DEVNET_PARAMS.challengeWindow);
      await expect(d.rollup.withdrawBond()).to.emit(d.rollup, "BondWithdrawn").withArgs(deployer.address, DEVNET_PARAMS.bondSize);
    });

    it("reverts when there is no bond to withdraw", async () => {
      const { rollup, proposer2 } = await loadFixture(bondedFixture);
      await expect(rollup.connect(proposer2).requestBondWithdrawal()).to.be.revertedWithCustomError(rollup, "RollupNoBond").withArgs(proposer2.address);
    });

    it("reverts when the bond cannot be paid to the proposer", async () => {
      const { rollup, params } = await loadFixture(bondedFixture);
      const rejecter = await ethers.deployContract("BondHolder", [await rollup.getAddress()]);
      await rejecter.bond({ value: params.bondSize });
      await rejecter.request();
      await time.increase(params.bondWithdrawalDelay);
      await expect(rejecter.withdraw()).to.be.revertedWithCustomError(rollup, "RollupBondTransferFailed");
    });
  });

  describe("views", () => {
    it("revert on unknown batches", async () => {
      const { rollup } = await loadFixture(l1Fixture);
      await expect(rollup.getBatch(0)).to.be.revertedWithCustomError(rollup, "RollupUnknownBatch").withArgs(0, 0);
      await expect(rollup.preStateRoot(2)).to.be.revertedWithCustomError(rollup, "RollupUnknownBatch").withArgs(2, 0);
      expect(await rollup.batchCount()).to.equal(0n);
      expect(await rollup.tipStateRoot()).to.equal(await rollup.genesisStateRoot());
    });
  });
});
