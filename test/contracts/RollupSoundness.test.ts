import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { fraudFixture, transferTo } from "../helpers/fraudFixture";
import { encodeBatch } from "../../src/core/commitment";
import { keccak256 } from "../../src/core/hash";
import { buildFraudWitness } from "../../src/core/fraudProof";
import { L2State } from "../../src/core/state";
import { CHAIN_ID } from "../helpers/fraudFixture";
import type { ProposerProxy } from "../../typechain-types";

const hex = (b: Buffer) => "0x" + b.toString("hex");
const timestampBytes = (t: number | bigint) => Buffer.from(BigInt(t).toString(16).padStart(10, "0"), "hex");
/** A commitment envelope with L2 timestamp `t` (its operations are a fraud proof's business). */
const stamped = (seed: string, t: number | bigint, withdrawalRoot: Buffer | null = null) =>
  Buffer.concat([keccak256(Buffer.from(seed)), Buffer.of(withdrawalRoot ? 1 : 0), withdrawalRoot ?? Buffer.alloc(0), timestampBytes(t), Buffer.alloc(3)]);

async function bondedFixture() {
  const f = await l1Fixture();
  await f.rollup.postBond({ value: f.params.bondSize });
  return f;
}

type Fraud = Awaited<ReturnType<typeof fraudFixture>>;

/** Posts batch `index` with a commitment claiming a wrong post-state root, and the proof of it. */
async function postWrongRoot(f: Fraud, seed: string) {
  const tx = await f.chain.parsed(f.alice, transferTo(f.bob.address, 1n));
  const body = f.chain.craft((b) => void b.addTransaction(tx), (c) => void (c.postStateRoot = keccak256(Buffer.from(seed))));
  const batch = await f.chain.post([body]);
  return { batch, args: f.chain.proof(batch, 0).args };
}

/** Posts `n` junk batches on top of the tip, all in one L1 block (the challenge window stays open). */
async function stack(f: Fraud, n: number, seed: string) {
  const l2Time = Number((await f.rollup.getBatch((await f.rollup.batchCount()) - 1n)).l2Timestamp);
  let index = Number(await f.rollup.batchCount());
  let tip = await f.rollup.tipStateRoot();
  const signer = f.deployer;
  let nonce = await signer.getNonce();
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    for (let i = 0; i < n; i++, index++) {
      const body = stamped(`${seed} ${i}`, l2Time);
      await f.rollup.submitBatch(index, tip, f.chain.state.queueIndex, encodeBatch([body]), { nonce: nonce++, gasLimit: 500_000 });
      tip = hex(body.subarray(0, 32));
    }
    await ethers.provider.send("evm_mine", []);
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
  expect(await f.rollup.batchCount()).to.equal(BigInt(index));
}

describe("Rollup soundness rules", () => {
  describe("submitBatch accepts only a top-level call from an account without code", () => {
    it("refuses a batch forwarded by a contract", async () => {
      const { rollup, genesisStateRoot, deployer, params } = await loadFixture(bondedFixture);
      const proxy = (await ethers.deployContract("ProposerProxy")) as unknown as ProposerProxy;
      const proxyAddress = await proxy.getAddress();
      await proxy.forward(await rollup.getAddress(), rollup.interface.encodeFunctionData("postBond"), { value: params.bondSize });
      const data = rollup.interface.encodeFunctionData("submitBatch", [0, genesisStateRoot, 0, encodeBatch([stamped("a", 0)])]);
      await expect(proxy.forward(await rollup.getAddress(), data))
        .to.be.revertedWithCustomError(rollup, "RollupProposerNotEOA")
        .withArgs(proxyAddress, deployer.address);
    });

    it("refuses an EIP-7702 account, directly and from inside its own code", async () => {
      const { rollup, genesisStateRoot, deployer, params } = await loadFixture(bondedFixture);
      const eoa = Wallet.createRandom().connect(ethers.provider);
      await deployer.sendTransaction({ to: eoa.address, value: parseEther("10") });
      // The account deploys the forwarder (so it is the forwarder's owner) and delegates to it.
      const proxy = (await ethers.deployContract("ProposerProxy", [], eoa)) as unknown as ProposerProxy;
      await (await rollup.connect(eoa).postBond({ value: params.bondSize })).wait();
      const auth = await eoa.authorize({ address: await proxy.getAddress(), nonce: (await eoa.getNonce()) + 1 });
      await (await eoa.sendTransaction({ type: 4, to: eoa.address, authorizationList: [auth] })).wait();
      expect(await ethers.provider.getCode(eoa.address)).to.match(/^0xef0100/);

      const batch: [number, string, number, Buffer] = [0, genesisStateRoot, 0, encodeBatch([stamped("a", 0)])];
      await expect(rollup.connect(eoa).submitBatch(...batch))
        .to.be.revertedWithCustomError(rollup, "RollupProposerNotEOA")
        .withArgs(eoa.address, eoa.address);
      const delegated = proxy.attach(eoa.address) as ProposerProxy;
      await expect(delegated.connect(eoa).forward(await rollup.getAddress(), rollup.interface.encodeFunctionData("submitBatch", batch)))
        .to.be.revertedWithCustomError(rollup, "RollupProposerNotEOA")
        .withArgs(eoa.address, eoa.address);
    });
  });

  describe("L2 timestamps are bounded by L1", () => {
    it("refuses a commitment timestamped after the L1 block that posts it", async () => {
      const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
      const next = (await time.latest()) + 100;
      await time.setNextBlockTimestamp(next);
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("a", next + 1)])))
        .to.be.revertedWithCustomError(rollup, "CommitmentTimestampInFuture")
        .withArgs(0, next + 1, next);
      await time.setNextBlockTimestamp(next + 2);
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("a", next + 2)]))).to.emit(rollup, "BatchSubmitted");
    });

    it("refuses the largest 5-byte timestamp, and one hidden after a withdrawal root", async () => {
      const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
      const now = await time.latest();
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("a", 2n ** 40n - 1n)]))).to.be.revertedWithCustomError(rollup, "CommitmentTimestampInFuture");
      const withdrawing = stamped("a", now + 1000, keccak256(Buffer.from("w")));
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([withdrawing]))).to.be.revertedWithCustomError(rollup, "CommitmentTimestampInFuture");
    });

    it("refuses a timestamp below the one before it, within a batch and across batches", async () => {
      const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
      const now = await time.latest();
      const data = encodeBatch([stamped("a", now - 10), stamped("b", now - 11)]);
      const second = 2 + stamped("a", now - 10).length;
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, data))
        .to.be.revertedWithCustomError(rollup, "CommitmentTimestampDecreasing")
        .withArgs(second, now - 11, now - 10);
      await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([stamped("a", now - 10), stamped("b", now - 10)]));
      expect((await rollup.getBatch(0)).l2Timestamp).to.equal(BigInt(now - 10));
      await expect(rollup.submitBatch(1, await rollup.tipStateRoot(), 0, encodeBatch([stamped("c", now - 11)])))
        .to.be.revertedWithCustomError(rollup, "CommitmentTimestampDecreasing")
        .withArgs(0, now - 11, now - 10);
    });

    it("refuses a body too short to hold its timestamp", async () => {
      const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
      const short = Buffer.concat([keccak256(Buffer.from("x")), Buffer.of(0), Buffer.alloc(4)]);
      await expect(rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([short]))).to.be.revertedWithCustomError(rollup, "CommitmentTooShort").withArgs(0, 37);
    });
  });

  describe("a proven fraud restores what the reverted batches changed", () => {
    it("costs the same gas whatever the number of later batches", async () => {
      const f = await loadFixture(fraudFixture);
      const { args } = await postWrongRoot(f, "alone");
      const alone = await f.rollup.proveFraud.estimateGas(...args);
      await stack(f, 200, "junk");
      const stacked = await f.rollup.proveFraud.estimateGas(...args);
      // Only the reward transfer and the event's numbers differ: a few hundred gas, not 22k a batch.
      expect(Number(stacked - alone)).to.be.lessThan(500);
    });

    it("rewinds the batch count, tip, queue position, L2 block numbers and the L2 timestamp floor", async () => {
      const f = await loadFixture(fraudFixture);
      const before = { count: await f.rollup.batchCount(), tip: await f.rollup.tipStateRoot(), header: await f.rollup.getBatch(0) };
      const { batch, args } = await postWrongRoot(f, "rewind");
      await stack(f, 3, "junk");
      await f.rollup.proveFraud(...args);
      expect(await f.rollup.batchCount()).to.equal(before.count);
      expect(await f.rollup.tipStateRoot()).to.equal(before.tip);
      await expect(f.rollup.getBatch(batch.index)).to.be.revertedWithCustomError(f.rollup, "RollupUnknownBatch").withArgs(batch.index, before.count);
      // The next batch lands at the reverted index, on the old tip, from the old queue position,
      // numbered after the last good block, with the last good L2 timestamp as its floor.
      await f.rollup.postBond({ value: f.params.bondSize });
      const floor = Number(before.header.l2Timestamp);
      await expect(f.rollup.submitBatch(batch.index, before.tip, f.chain.state.queueIndex, encodeBatch([stamped("next", floor)])))
        .to.emit(f.rollup, "BatchSubmitted")
        .withArgs(batch.index, f.deployer.address, before.tip, (r: string) => r.length === 66, (r: string) => r.length === 66, ethers.ZeroHash, f.chain.state.queueIndex, before.header.firstBlock + BigInt(before.header.blockCount), 1, 1);
      const reposted = await f.rollup.getBatch(batch.index);
      expect(reposted.postStateRoot).to.equal(hex(keccak256(Buffer.from("next"))));
      expect(reposted.l2Timestamp).to.equal(BigInt(floor));
    });

    it("puts the fallback clock back when a sequencer batch is reverted, so it locks no proposer out", async () => {
      const f = await loadFixture(fraudFixture);
      const lastGood = (await f.rollup.getBatch(0)).timestamp;
      await time.increase(f.params.sequencerTimeout - 100);
      // The sequencer posts a fraud just before it would count as silent; it is proven wrong.
      const tx = await f.chain.parsed(f.alice, transferTo(f.bob.address, 1n));
      const body = f.chain.craft((b) => void b.addTransaction(tx), (c) => void (c.postStateRoot = keccak256(Buffer.from("junk"))));
      const batch = await f.chain.post([body]);
      expect(await f.rollup.sequencerLastPostedAt()).to.be.greaterThan(lastGood);
      await f.rollup.proveFraud(...f.chain.proof(batch, 0).args);
      expect(await f.rollup.sequencerLastPostedAt()).to.equal(lastGood);
      expect(await f.rollup.proposingOpensAt()).to.equal(lastGood + BigInt(f.params.sequencerTimeout));
      // A fallback proposer may post from the old deadline on, not a whole timeout after the fraud.
      const [, , , fallback] = await ethers.getSigners();
      await f.rollup.connect(fallback).postBond({ value: f.params.bondSize });
      await time.increaseTo(lastGood + BigInt(f.params.sequencerTimeout));
      const honest = f.chain.craft((b) => void b.addTransaction(tx));
      await expect(f.rollup.connect(fallback).submitBatch(1, await f.rollup.tipStateRoot(), f.chain.state.queueIndex, encodeBatch([honest]))).to.emit(f.rollup, "BatchSubmitted");
    });

    it("leaves the fallback clock alone for other proposers' batches, so one may post again at once", async () => {
      const f = await loadFixture(fraudFixture);
      const lastGood = await f.rollup.sequencerLastPostedAt();
      await time.increase(f.params.sequencerTimeout + 1);
      const [, , , fallback] = await ethers.getSigners();
      await f.rollup.connect(fallback).postBond({ value: f.params.bondSize });
      const l2Time = Number((await f.rollup.getBatch(0)).l2Timestamp);
      for (let i = 1; i <= 3; i++) {
        await f.rollup.connect(fallback).submitBatch(i, await f.rollup.tipStateRoot(), f.chain.state.queueIndex, encodeBatch([stamped(`f${i}`, l2Time)]));
      }
      expect(await f.rollup.sequencerLastPostedAt()).to.equal(lastGood);
    });

    it("goes back to the deployment time when the first batch is reverted", async () => {
      const { rollup, genesisStateRoot } = await loadFixture(bondedFixture);
      const deployedAt = await rollup.deployedAt();
      // Three bytes after the timestamp: a base fee, a fee recipient, no fee count: malformed.
      const malformed = stamped("a", 0);
      await rollup.submitBatch(0, genesisStateRoot, 0, encodeBatch([malformed]));
      expect(await rollup.sequencerLastPostedAt()).to.be.greaterThan(deployedAt);
      expect((await rollup.getBatch(0)).sequencerPostedAt).to.equal(await rollup.sequencerLastPostedAt());
      const params = { chainId: CHAIN_ID, queueEntry: () => undefined, position: { queueLimit: 0n, lastInBatch: true } };
      const { verdict, packed } = buildFraudWitness(L2State.genesis(), malformed, params);
      expect(verdict.ok).to.equal(false);
      await rollup.proveFraud(0, 0, genesisStateRoot, malformed, [], packed);
      expect(await rollup.sequencerLastPostedAt()).to.equal(deployedAt);
    });

    it("lets an innocent proposer whose batch was reverted withdraw its bond one window after its last post", async () => {
      const f = await loadFixture(fraudFixture);
      await time.increase(f.params.sequencerTimeout + 1);
      const [, , , fallback] = await ethers.getSigners();
      await f.rollup.connect(fallback).postBond({ value: f.params.bondSize });
      const tx = await f.chain.parsed(f.alice, transferTo(f.bob.address, 1n));
      const body = f.chain.craft((b) => void b.addTransaction(tx), (c) => void (c.postStateRoot = keccak256(Buffer.from("fraud"))));
      await f.rollup.connect(fallback).submitBatch(1, await f.rollup.tipStateRoot(), f.chain.state.queueIndex, encodeBatch([body]));
      const fraud = f.chain.proof({ index: 1, pre: f.chain.state.root(), bodies: [body], queueCount: f.chain.state.queueIndex }, 0);
      // The sequencer, innocent, posts on top of the fraud; the proof takes its batch too.
      const l2Time = Number((await f.rollup.getBatch(1)).l2Timestamp);
      await f.rollup.submitBatch(2, await f.rollup.tipStateRoot(), f.chain.state.queueIndex, encodeBatch([stamped("on top", l2Time)]));
      const postedAt = await time.latest();
      await f.rollup.proveFraud(...fraud.args);
      expect(await f.rollup.bonds(fallback.address)).to.equal(0n);
      expect(await f.rollup.bonds(f.deployer.address)).to.equal(f.params.bondSize);
      await f.rollup.requestBondWithdrawal();
      await time.increaseTo(Math.max(postedAt + f.params.challengeWindow, (await time.latest()) + f.params.bondWithdrawalDelay));
      await expect(f.rollup.withdrawBond()).to.emit(f.rollup, "BondWithdrawn").withArgs(f.deployer.address, f.params.bondSize);
    });
  });
});
