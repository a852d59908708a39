/**
 * Attack review of empty runs (7-byte bodies `[blocks u16][timestamp 5]` standing for `blocks`
 * L2 blocks with no operations): what a malicious proposer, or a hostile L1, can do with them.
 *
 * - src/core and FraudVerifier on every shape of 7-byte body, at every position and queue count;
 * - the Rollup's envelope: runs alone, first, between and after commitments, at and past their
 *   timestamp bounds, of 0, 1, 4,096, 4,097 and 65,535 blocks, batches of 4,096 bodies, and the
 *   number of L2 blocks a batch may add (a follower builds every one of them);
 * - the header (uint48 timestamp, uint16 commitmentCount, uint32 blockCount) through finality,
 *   the bond lock, the fallback clock and the O(1) revert;
 * - the property test's runs family (generators.ts) through proveFraud;
 * - the challenger proving QUEUE_COUNT_MISMATCH at a run end to end;
 * - a sequencer that sealed its blocks, a replica, a fresh sequencer lining up with L1 and the
 *   challenger agreeing block for block through runs in the middle and at the end of batches, a
 *   fraud-proof revert of a batch of runs, and a fallback proposer's batch;
 * - mergeEmptyRuns, blockBodies and the empty-block hash.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { TransactionResponse, Wallet, parseEther, type HDNodeWallet } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { CHAIN_ID, fraudFixture, predeploy } from "../helpers/fraudFixture";
import { testChallengerOptions } from "../helpers/nodeFixture";
import { PropertyRunner, counts, formatDisagreement } from "./property";
import { MaliciousProposer, TX_GAS_CAP } from "./maliciousProposer";
import { Rng } from "./rng";
import { CASE_TIMESTAMP, GENESIS_TIMESTAMP } from "./world";
import { L2State } from "../../src/core/state";
import { buildFraudWitness, onChainVerdict } from "../../src/core/fraudProof";
import { blockBodies, emptyRunOf, encodeBatch, encodeEmptyRun, mergeEmptyRuns } from "../../src/core/commitment";
import { emptyBlockHash, commitmentLeaf } from "../../src/core/hashing";
import { replayCommitment } from "../../src/core/replay";
import { MAX_BLOCKS_PER_BATCH, MAX_COMMITMENTS_PER_BATCH, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { proveWithdrawal } from "../../src/core/withdrawalProof";
import { OutOfRangeError } from "../../src/core/errors";
import { ChainState } from "../../src/chain/chainState";
import type { ChainStore } from "../../src/chain/chainStore";
import { Sequencer } from "../../src/node/sequencer/sequencer";
import { BatchSubmitter } from "../../src/node/sequencer/batchSubmitter";
import type { BatchPort } from "../../src/node/sequencer/batchPort";
import { lineUpWithL1 } from "../../src/node/sequencer/lineUp";
import { BatchAuthenticationError, batchClaims, readBatch, readCurrentBatches } from "../../src/node/l1/batchReader";
import { L1Contracts, submitBatchCalldata } from "../../src/node/l1/contracts";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { Challenger } from "../../src/node/challenger/challenger";
import { FallbackProposer } from "../../src/node/challenger/fallbackProposer";
import { DEFAULT_BASE_FEE } from "../../src/node/config";
import { silentLogger } from "../../src/shared/logger";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";

const hex = (b: Buffer) => "0x" + b.toString("hex");
const QCM = 5; // FraudKind.QUEUE_COUNT_MISMATCH
const MAX_U64 = 2n ** 64n - 1n;

/** 7 bytes with any count (0 included), which encodeEmptyRun refuses to write. */
function rawRun(blocks: number, timestamp: number | bigint): Buffer {
  const b = Buffer.alloc(7);
  b.writeUInt16BE(blocks, 0);
  b.writeUIntBE(Number(timestamp), 2, 5);
  return b;
}

/** `[u16 length][body]` repeated, written by hand: encodeBatch refuses what the Rollup must be shown refusing. */
const envelope = (bodies: Buffer[]) => Buffer.concat(bodies.flatMap((b) => [Buffer.of(b.length >> 8, b.length & 0xff), b]));

/** A state that has consumed `consumed` queue entries. */
function stateAt(consumed: bigint): L2State {
  return L2State.restore([{ address: ZERO_ADDRESS, nonce: 0n, balance: 0n, tokens: [] }], { accountCount: 1, tokens: [], queueIndex: consumed, withdrawalCount: 0n });
}

/** A commitment-shaped body the envelope accepts: root, flags 0, timestamp, three bytes. */
const stampedBody = (seed: number, t: number | bigint) => Buffer.concat([Buffer.alloc(32, seed), Buffer.of(0), rawRun(0, t).subarray(2), Buffer.alloc(3)]);

async function bondedFixture() {
  const f = await l1Fixture();
  await f.rollup.postBond({ value: f.params.bondSize });
  return f;
}

describe("adversarial review: empty runs against a malicious proposer and a hostile L1", function () {
  this.timeout(180_000);

  it("src/core and FraudVerifier agree on every 7-byte body with a count: any count and timestamp, any position, any queue count", async () => {
    const f = await loadFixture(bondedFixture);
    const bridge = f.addresses.bridge;
    const rng = new Rng("empty-runs-review:verify");
    const cases: Array<{ body: Buffer; consumed: bigint; queueLimit: bigint; lastInBatch: boolean }> = [];
    for (const blocks of [1, 2, 0x7fff, 0xffff])
      for (const consumed of [0n, 3n, MAX_U64])
        for (const queueLimit of [0n, consumed, consumed + 1n, consumed > 0n ? consumed - 1n : 1n, MAX_U64])
          for (const lastInBatch of [false, true]) cases.push({ body: rawRun(blocks, rng.pick([0, 1, CASE_TIMESTAMP, 2 ** 40 - 1])), consumed, queueLimit: queueLimit > MAX_U64 ? MAX_U64 : queueLimit, lastInBatch });
    for (let i = 0; i < 60; i++) {
      let body = rng.bytes(7);
      if (body.readUInt16BE(0) === 0) body = Buffer.concat([Buffer.of(0, 1), body.subarray(2)]);
      cases.push({ body, consumed: rng.bigintIn(0n, MAX_U64), queueLimit: rng.bigintIn(0n, MAX_U64), lastInBatch: rng.chance(0.5) });
    }
    let mismatches = 0;
    for (const c of cases) {
      const state = stateAt(c.consumed);
      const position = { queueLimit: c.queueLimit, lastInBatch: c.lastInBatch };
      const built = buildFraudWitness(state, c.body, { chainId: CHAIN_ID, queueEntry: () => undefined, position });
      const [kind, reason] = await f.verifier.verify(c.body, built.packed, { preStateRoot: hex(state.root()), chainId: CHAIN_ID, bridge, ...position });
      const core = onChainVerdict(built.verdict);
      const expected = c.lastInBatch && c.consumed !== c.queueLimit ? QCM : 0;
      if (core.kind !== Number(kind) || core.reason !== Number(reason) || core.kind !== expected) mismatches++;
      // A replay leaves the state as it found it.
      expect(state.root().equals(stateAt(c.consumed).root())).to.equal(true);
    }
    expect(mismatches, `${mismatches} of ${cases.length} verdicts differ`).to.equal(0);

    // A run of no blocks: MALFORMED on both sides (the review found the verifier judging it as any
    // run) — and the Rollup refuses it wherever it stands, so no proof meets it.
    const now = await time.latest();
    const zero = rawRun(0, now);
    for (const lastInBatch of [false, true]) {
      const state = stateAt(3n);
      const position = { queueLimit: 3n, lastInBatch };
      const built = buildFraudWitness(state, zero, { chainId: CHAIN_ID, queueEntry: () => undefined, position });
      const [kind] = await f.verifier.verify(zero, built.packed, { preStateRoot: hex(state.root()), chainId: CHAIN_ID, bridge, ...position });
      expect([onChainVerdict(built.verdict).kind, Number(kind)]).to.deep.equal([1, 1]);
    }
    for (const bodies of [[zero], [zero, stampedBody(1, now)], [stampedBody(1, now), zero], [stampedBody(1, now), zero, stampedBody(2, now)]]) {
      await expect(f.rollup.submitBatch(0, f.genesisStateRoot, 0, encodeBatch(bodies), { gasLimit: 10_000_000 })).to.be.revertedWithCustomError(f.rollup, "EmptyRunOfNoBlocks");
    }
  });

  it("the Rollup bounds a run's timestamp as a commitment's, anywhere in a batch, and the floor carries across batches of runs alone", async () => {
    const f = await loadFixture(bondedFixture);
    const { rollup } = f;
    /** Submits bodies built for the L1 time T of the block that carries them (each attempt is mined, landed or reverted). */
    const attempt = async (index: number, pre: string, bodiesAt: (t: number) => Buffer[]) => {
      const t = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(t);
      return rollup.submitBatch(index, pre, 0, encodeBatch(bodiesAt(t)), { gasLimit: 10_000_000 });
    };
    const genesis = f.genesisStateRoot;
    // One second past the L1 block's time: refused, alone, first, between or last.
    for (const at of [(t: number) => [rawRun(1, t + 1)], (t: number) => [stampedBody(1, t), rawRun(1, t + 1)], (t: number) => [rawRun(1, t + 1), stampedBody(1, t + 1)], (t: number) => [rawRun(1, t), rawRun(1, t + 1), stampedBody(1, t)]]) {
      await expect(attempt(0, genesis, at)).to.be.revertedWithCustomError(rollup, "CommitmentTimestampInFuture");
    }
    // At it exactly: taken, with the runs' blocks counted apart from the commitments.
    let t0 = 0;
    await expect(attempt(0, genesis, (t) => ((t0 = t), [stampedBody(1, t - 5), rawRun(3, t - 5), rawRun(2, t)]))).to.emit(rollup, "BatchSubmitted");
    const h0 = await rollup.getBatch(0);
    expect([h0.commitmentCount, h0.blockCount, h0.firstBlock, h0.l2Timestamp, h0.timestamp]).to.deep.equal([3n, 6n, 1n, BigInt(t0), BigInt(t0)]);
    const tip = await rollup.tipStateRoot();
    expect(tip).to.equal(hex(Buffer.alloc(32, 1)));
    // The floor is the previous batch's last run: a run a second before it is refused, one at it taken.
    await expect(attempt(1, tip, () => [rawRun(1, t0 - 1)])).to.be.revertedWithCustomError(rollup, "CommitmentTimestampDecreasing");
    await expect(attempt(1, tip, () => [rawRun(4, t0)]))
      .to.emit(rollup, "BatchSubmitted")
      .withArgs(1, f.deployer.address, tip, tip, hex(commitmentLeaf(Buffer.from(tip.slice(2), "hex"), rawRun(4, t0))), ethers.ZeroHash, 0, 7, 1, 4);
    // A run stamped later moves the floor: a commitment after it, in the next batch, cannot go back.
    let t2 = 0;
    await expect(attempt(2, tip, (t) => ((t2 = t), [rawRun(1, t)]))).to.emit(rollup, "BatchSubmitted");
    expect((await rollup.getBatch(2)).l2Timestamp).to.equal(BigInt(t2));
    await expect(attempt(3, tip, () => [stampedBody(9, t2 - 1)])).to.be.revertedWithCustomError(rollup, "CommitmentTimestampDecreasing");
    await expect(attempt(3, tip, () => [stampedBody(9, t2)]))
      .to.emit(rollup, "BatchSubmitted")
      .withArgs(3, f.deployer.address, tip, hex(Buffer.alloc(32, 9)), (r: string) => r.length === 66, ethers.ZeroHash, 0, 12, 1, 1);
    // The body lengths next to a run's stay refused; 38 is the shortest commitment.
    for (const length of [0, 1, 6, 8, 37]) await expect(attempt(4, hex(Buffer.alloc(32, 9)), () => [Buffer.alloc(length, 1)])).to.be.revertedWithCustomError(rollup, "CommitmentTooShort");
  });

  it("a batch adds at most 4,096 L2 blocks: 4,096 runs of 65,535 (268M blocks for every follower to build, from 36 kB of calldata) are refused, as is one block more than 4,096", async () => {
    const f = await loadFixture(bondedFixture);
    const { rollup } = f;
    const now = await time.latest();
    const submit = (bodies: Buffer[]) => rollup.submitBatch(0, f.genesisStateRoot, 0, envelope(bodies), { gasLimit: TX_GAS_CAP });
    const huge = Array.from({ length: MAX_COMMITMENTS_PER_BATCH }, () => encodeEmptyRun({ blocks: 0xffff, timestamp: now }));
    await expect(submit(huge)).to.be.revertedWithCustomError(rollup, "BatchTooManyBlocks").withArgs(4096 * 0xffff, MAX_BLOCKS_PER_BATCH);
    await expect(submit([encodeEmptyRun({ blocks: 0xffff, timestamp: now })])).to.be.revertedWithCustomError(rollup, "BatchTooManyBlocks");
    await expect(submit([encodeEmptyRun({ blocks: 4096, timestamp: now }), stampedBody(1, now)])).to.be.revertedWithCustomError(rollup, "BatchTooManyBlocks").withArgs(4097, 4096);
    // src/core's encoder refuses what the Rollup refuses.
    expect(() => encodeBatch([encodeEmptyRun({ blocks: 4096, timestamp: now }), stampedBody(1, now)])).to.throw(OutOfRangeError);
    // Exactly 4,096 blocks: accepted, and the next batch starts after them.
    await expect(submit([encodeEmptyRun({ blocks: 4000, timestamp: now }), stampedBody(1, now), encodeEmptyRun({ blocks: 95, timestamp: now })]))
      .to.emit(rollup, "BatchSubmitted")
      .withArgs(0, f.deployer.address, f.genesisStateRoot, hex(Buffer.alloc(32, 1)), (r: string) => r.length === 66, ethers.ZeroHash, 0, 1, 3, 4096);
    const tip = await rollup.tipStateRoot();
    // Runs of 15 between commitments: 512 bodies, 4,096 blocks.
    const mixed = Array.from({ length: 512 }, (_, i) => (i % 2 === 0 ? encodeEmptyRun({ blocks: 15, timestamp: now }) : stampedBody(2, now)));
    await expect(rollup.submitBatch(1, tip, 0, encodeBatch(mixed), { gasLimit: TX_GAS_CAP }))
      .to.emit(rollup, "BatchSubmitted")
      .withArgs(1, f.deployer.address, tip, hex(Buffer.alloc(32, 2)), (r: string) => r.length === 66, ethers.ZeroHash, 0, 4097, 512, 4096);
    const h = await rollup.getBatch(1);
    expect([h.commitmentCount, h.blockCount, h.firstBlock]).to.deep.equal([512n, 4096n, 4097n]);

    // What the refused batch would have cost each follower: every empty block is an object in
    // its chain and an entry in its hash index (V8 Maps stop at 2^24 entries).
    const chain = new ChainState(CHAIN_ID);
    const started = Date.now();
    const r = replayCommitment(chain.state, encodeEmptyRun({ blocks: 0xffff, timestamp: now }), { chainId: CHAIN_ID, queueEntry: () => undefined });
    chain.appendReplayed(r, encodeEmptyRun({ blocks: 0xffff, timestamp: now }), chain.state.root(), 0n);
    const ms = Date.now() - started;
    expect(chain.chain.latest.number).to.equal(0xffff);
    console.log(`      a follower builds 65,535 empty blocks in ${ms} ms: 4,096 runs of them would take ~${Math.round((ms * 4096) / 60_000)} min, and pass V8's 2^24-entry Map limit after 257 runs`);
  });

  it("the header's narrower fields: finality, finalBatchCount, slashing, the fallback clock and the O(1) revert, through a proven batch of runs", async () => {
    const f = await loadFixture(fraudFixture);
    const { rollup, chain, deployer, params } = f;
    const proposer = new MaliciousProposer(deployer, f.addresses.rollup, chain);
    const consumed = chain.state.queueIndex;
    await f.bridge.connect(f.proposer2).depositETH(Wallet.createRandom().address, { value: 1n }); // left pending
    await chain.syncQueue();
    const now = await time.latest();
    // An honest batch of runs, then one that ends in a run short of its queue count.
    const honest = await proposer.submitBodies([encodeEmptyRun({ blocks: 10, timestamp: now }), encodeEmptyRun({ blocks: 5, timestamp: now })], consumed);
    if (!honest.ok) expect.fail(honest.revert.message);
    const before = { opensAt: await rollup.proposingOpensAt(), next: (await rollup.getBatch(1)).firstBlock + (await rollup.getBatch(1)).blockCount };
    expect(before.next).to.equal(2n + 15n); // batch 0 holds block 1
    const short = await proposer.submitBodies([encodeEmptyRun({ blocks: 3, timestamp: now })], consumed + 1n);
    if (!short.ok) expect.fail(short.revert.message);
    expect((await rollup.getBatch(2)).firstBlock).to.equal(before.next);
    // Not final inside the window (batch 0 of the fixture is older, but not by a window).
    expect([await rollup.isFinal(1), await rollup.isFinal(2)]).to.deep.equal([false, false]);
    const proof = proposer.proof(short.batch, 0);
    expect(onChainVerdict(proof.verdict).kind).to.equal(QCM);
    // Every honest body of the batches before says so.
    for (let c = 0; c < 2; c++) await expect(rollup.proveFraud(...proposer.proof(honest.batch, c).args)).to.be.revertedWithCustomError(rollup, "RollupNotFraudulent");
    await expect(rollup.connect(f.proposer2).proveFraud(...proof.args))
      .to.emit(rollup, "FraudProven")
      .withArgs(2, 0, f.proposer2.address, deployer.address, QCM, 0, 0, 1, params.bondSize / 2n, params.bondSize - params.bondSize / 2n);
    // O(1) revert: the count falls, the clock and the next block number come back from the tip.
    expect(await rollup.batchCount()).to.equal(2n);
    expect(await rollup.proposingOpensAt()).to.equal(before.opensAt);
    await rollup.postBond({ value: params.bondSize });
    const reposted = await proposer.submitBodies([encodeEmptyRun({ blocks: 3, timestamp: now })], consumed);
    if (!reposted.ok) expect.fail(reposted.revert.message);
    const h = await rollup.getBatch(2);
    expect([h.firstBlock, h.blockCount, h.commitmentCount, h.queueCount]).to.deep.equal([before.next, 3n, 1n, consumed]);
    // Final after the window, in order; uint48 holds the submission time as it was.
    expect(h.timestamp).to.equal(BigInt((await ethers.provider.getBlock(reposted.receipt.blockNumber))!.timestamp));
    await time.increase(params.challengeWindow);
    expect([await rollup.isFinal(2), await rollup.finalBatchCount()]).to.deep.equal([true, 3n]);
    await expect(rollup.proveFraud(...proposer.proof(reposted.batch, 0).args)).to.be.revertedWithCustomError(rollup, "RollupBatchFinal");
  });

  it("the runs family of the property test: for every batch of runs the Rollup takes, src/core rejects a body iff proveFraud proves it", async () => {
    const runner = await PropertyRunner.create("runs-review");
    const report = await runner.run({ seed: "empty-runs-review-3", cases: 100, family: "runs" });
    console.log(`      ${JSON.stringify({ ...counts(report), byFamily: report.byFamily.runs })}`);
    expect(report.disagreements, report.failures.map(formatDisagreement).join("\n\n")).to.equal(0);
    expect(report.mismatches).to.deep.equal([]);
    expect(report.honest, "honest batches with runs").to.be.at.least(10);
    expect(report.verdicts["queue-count-mismatch"] ?? 0, "short queue counts proven").to.be.at.least(3);
    for (const refusal of ["EmptyRunOfNoBlocks", "CommitmentTimestampInFuture", "BatchTooManyBlocks"]) expect(report.refusals, refusal).to.have.property(refusal);

    // Hand-made layouts on the same world: [run] honest and short; a commitment then a short run;
    // runs around commitments; 4,096 bodies ending in a short run.
    const w = runner.world;
    const consumed = w.consumedQueue;
    const run = (n: number, t = CASE_TIMESTAMP) => encodeEmptyRun({ blocks: n, timestamp: t });
    const drain = w.chain.craft((b) => b.addQueueEntry());
    const layouts: Array<[string, Buffer[], bigint, string]> = [
      ["a run alone", [run(7)], consumed, "honest"],
      ["a run alone, short", [run(7)], consumed + 1n, "proven"],
      ["a run at the floor", [run(1, GENESIS_TIMESTAMP), run(2)], consumed, "honest"],
      ["a run before the floor", [run(1, GENESIS_TIMESTAMP - 1)], consumed, "refused"],
      ["a queue commitment, then a short run", [drain, run(3)], consumed + 2n, "proven"],
      ["runs around a queue commitment", [run(1), drain, run(3)], consumed + 1n, "honest"],
      ["a run, then a commitment that stops short", [run(2), drain], consumed + 2n, "proven"],
    ];
    for (const [what, bodies, queueCount, expected] of layouts) {
      const outcome = await runner.check(encodeBatch(bodies), queueCount);
      expect(outcome.kind, `${what}: ${JSON.stringify(outcome, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`).to.equal(expected);
      if (outcome.kind !== "refused") expect(outcome.problems, what).to.deep.equal([]);
      if (outcome.kind === "proven") expect(outcome.verdict, what).to.include({ kind: "queue-count-mismatch" });
    }

    // 4,096 bodies ending in a short run (the last layout was reverted: the tip is batch 0's).
    const big = [...Array.from({ length: 4094 }, () => run(1)), drain, run(1)];
    await w.rollup.postBond({ value: DEVNET_PARAMS.bondSize });
    const sub = await runner.proposer.submitBodies(big, consumed + 2n);
    if (!sub.ok) expect.fail(sub.revert.message);
    const middle = runner.proposer.proof(sub.batch, 2000);
    await expect(w.rollup.proveFraud.staticCall(...middle.args)).to.be.revertedWithCustomError(w.rollup, "RollupNotFraudulent");
    const last = runner.proposer.proof(sub.batch, 4095);
    expect(last.verdict).to.include({ kind: "queue-count-mismatch" });
    expect(last.args[4]).to.have.length(12);
    await expect(w.rollup.proveFraud(...last.args)).to.emit(w.rollup, "FraudProven").withArgs(sub.batch.index, 4095, w.deployer.address, w.deployer.address, QCM, 0, 0, 1, (x: bigint) => x > 0n, (x: bigint) => x > 0n);
  });

  it("a hostile L1 showing a genuine batch of runs with other runs in its calldata: a refusal to follow, never a batch read wrong", async () => {
    const f = await loadFixture(fraudFixture);
    const now = await time.latest();
    const posted = await f.chain.post([encodeEmptyRun({ blocks: 3, timestamp: now }), encodeEmptyRun({ blocks: 2, timestamp: now })]);
    let forged: Buffer[] | null = null;
    const provider = new Proxy(ethers.provider, {
      get(target, prop) {
        if (prop === "getTransaction")
          return async (hash: string) => {
            const tx = await target.getTransaction(hash);
            if (!tx || !forged) return tx;
            return new TransactionResponse({ ...tx, data: submitBatchCalldata(posted.index, hex(posted.pre), posted.queueCount, envelope(forged)) }, tx.provider);
          };
        const value: unknown = Reflect.get(target, prop);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const l1 = new L1Contracts(provider, f.addresses);
    const claim = (await batchClaims(l1, 0, await ethers.provider.getBlockNumber())).find((c) => c.index === posted.index)!;
    expect((await readBatch(l1, claim)).bodies.map((b) => emptyRunOf(b)!.blocks)).to.deep.equal([3, 2]);
    const cases: Array<[Buffer[], string]> = [
      [[rawRun(0, now), encodeEmptyRun({ blocks: 2, timestamp: now })], "malformed-commitments"],
      [[encodeEmptyRun({ blocks: 5, timestamp: now })], "commitments-root"],
      [[encodeEmptyRun({ blocks: 2, timestamp: now }), encodeEmptyRun({ blocks: 3, timestamp: now })], "commitments-root"],
      [[encodeEmptyRun({ blocks: 3, timestamp: now + 1 }), encodeEmptyRun({ blocks: 2, timestamp: now })], "commitments-root"],
    ];
    for (const [bodies, disagreement] of cases) {
      forged = bodies;
      const e = await readBatch(l1, claim).then(
        () => expect.fail("a forged batch was read"),
        (x: unknown) => x,
      );
      expect(e, String(e)).to.be.instanceOf(BatchAuthenticationError);
      expect((e as BatchAuthenticationError).disagreement).to.equal(disagreement);
    }
  });

  it("mergeEmptyRuns never merges across a commitment, a timestamp or 65,535 blocks, and blockBodies undoes it", () => {
    const rng = new Rng("empty-runs-review:merge");
    const commitment = (i: number) => Buffer.concat([Buffer.alloc(38, i & 0xff), Buffer.of(i >> 8)]);
    for (let round = 0; round < 203; round++) {
      const perBlock: Buffer[] = [];
      let t = rng.range(0, 5);
      // Three rounds long enough to fill a run (65,535 blocks at one timestamp), the rest short.
      const n = round < 3 ? 65_535 + [0, 1, 40][round] : rng.range(1, 60);
      for (let i = 0; i < n; i++) {
        if (round >= 3 && rng.chance(0.05)) t += rng.range(1, 3);
        perBlock.push(round >= 3 && rng.chance(0.1) ? commitment(i) : encodeEmptyRun({ blocks: 1, timestamp: t }));
      }
      const merged = mergeEmptyRuns(perBlock);
      expect(blockBodies(merged).length).to.equal(perBlock.length);
      expect(blockBodies(merged).every((b, i) => b.equals(perBlock[i]))).to.equal(true);
      // Every run is as long as it may be: the next body is a commitment, another timestamp, or the run is full.
      merged.forEach((b, i) => {
        const r = emptyRunOf(b);
        const next = merged[i + 1] && emptyRunOf(merged[i + 1]);
        if (r && next) expect(r.timestamp !== next.timestamp || r.blocks === 0xffff, `round ${round}: runs ${i} and ${i + 1} could be one`).to.equal(true);
      });
      // Merging what is merged changes nothing.
      expect(mergeEmptyRuns(merged).every((b, i) => b.equals(merged[i]))).to.equal(true);
      if (round < 3) expect(merged.map((b) => emptyRunOf(b)!.blocks)).to.deep.equal([[0xffff], [0xffff, 1], [0xffff, 40]][round]);
    }
  });

  it("the batch submitter posts a backlog of empty blocks 4,096 blocks a batch at most, each batch one the Rollup takes", async () => {
    const local = new ChainState(CHAIN_ID);
    for (let i = 0; i < 10_000; i++) local.appendEmpty(1_700_000_000 + Math.floor(i / 3000));
    const posted: Buffer[][] = [];
    const port: BatchPort = {
      async post(batch) {
        posted.push(batch.bodies);
        encodeBatch(batch.bodies); // what the real port sends: refused above 4,096 blocks
        return { hash: "0x" + "00".repeat(32), blockNumber: 1, gasUsed: 0n, asGiven: true };
      },
    };
    const l1 = { rollup: { batchCount: async () => BigInt(posted.length) } } as unknown as L1Contracts;
    const submitter = new BatchSubmitter(l1, local.chain, { maxBatchBytes: 100_000, maxBatchAgeMs: 0, logger: silentLogger, port });
    for (let i = 0; i < 4; i++) await submitter.tick(true);
    const blocks = posted.map((bodies) => bodies.reduce((n, b) => n + emptyRunOf(b)!.blocks, 0));
    expect(blocks).to.deep.equal([4096, 4096, 1808]);
    expect(posted.map((bodies) => bodies.map((b) => emptyRunOf(b)!.blocks))).to.deep.equal([[3000, 1096], [1904, 2192], [808, 1000]]);
    expect(local.chain.batches.map((r) => [r.firstBlock, r.lastBlock])).to.deep.equal([[1, 4096], [4097, 8192], [8193, 10_000]]);
  });

  it("empty block hashes: unique by parent and height, never a commitment leaf or the genesis hash, and the same on every node", () => {
    const t = 1_700_000_000;
    const a = new ChainState(CHAIN_ID);
    for (let i = 0; i < 2000; i++) a.appendEmpty(t + Math.floor(i / 500));
    const hashes = a.chain.blocks.map((b) => b.hash);
    expect(new Set(hashes).size).to.equal(hashes.length);
    // Preimages: genesis 13 + 32 bytes, a run's leaf 32 + 7, an empty block 17 + 32 + 13, a commitment's leaf at least 32 + 38.
    expect(emptyBlockHash(Buffer.alloc(32), 1, t).equals(commitmentLeaf(Buffer.alloc(32), encodeEmptyRun({ blocks: 1, timestamp: t })))).to.equal(false);
    // Another node that adopts the same blocks from the runs they were posted as: the same hashes.
    const b = new ChainState(CHAIN_ID);
    for (const body of mergeEmptyRuns(a.chain.blocks.slice(1).map((x) => x.body))) b.adoptPostedBlock(body);
    expect(b.chain.blocks.map((x) => x.hash)).to.deep.equal(hashes);
  });
});

// -------------------------------------------------------------------------------------------------
// End to end: a sequencer that seals its blocks, the real batch submitter, a replica, the
// challenger, a fresh sequencer lining up with L1, and a fallback proposer.
// -------------------------------------------------------------------------------------------------

interface BlockView {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  stateRoot: string;
  baseFee: string;
  feeRecipient: string;
  queueIndex: string;
  body: string;
  batchIndex: number | null;
}

const view = (chain: ChainStore, upTo = chain.latest.number): BlockView[] =>
  chain.blocks.slice(1, upTo + 1).map((b) => ({
    number: b.number,
    hash: b.hash,
    parentHash: b.parentHash,
    timestamp: b.timestamp,
    stateRoot: b.stateRoot,
    baseFee: b.baseFee.toString(),
    feeRecipient: b.feeRecipient,
    queueIndex: b.queueIndex.toString(),
    body: b.body.toString("hex"),
    batchIndex: b.batchIndex,
  }));
const records = (chain: ChainStore) => chain.batches.map((r) => ({ index: r.index, firstBlock: r.firstBlock, lastBlock: r.lastBlock }));

describe("adversarial review: empty runs end to end (sequencer, submitter, replica, challenger, lineUp, fallback proposer)", function () {
  this.timeout(180_000);

  it("every node builds the same blocks through runs in the middle and at the end of batches, a proven batch of runs re-posted, and a fallback proposer's batch", async () => {
    const [deployer, funder, fallbackSigner, challengerSigner] = await ethers.getSigners();
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize });
    const l1 = new L1Contracts(ethers.provider, d.addresses, deployer);
    const alice = Wallet.createRandom();
    const bob = Wallet.createRandom();
    await d.bridge.connect(funder).depositETH(alice.address, { value: parseEther("10") });
    await d.bridge.connect(funder).depositETH(bob.address, { value: parseEther("1") });
    const queue = async () => l1.queueEntries(d.deployBlock, await ethers.provider.getBlockNumber());

    let l1Time = await time.latest();
    const seq = new Sequencer({ chainId: CHAIN_ID, fees: { minBaseFee: DEFAULT_BASE_FEE, l1GasPerByte: 0n }, l1BaseFee: () => 0n, feeRecipient: deployer.address, logger: silentLogger, now: () => l1Time, emptyBlockMs: 1 });
    const sealEmpty = async (n = 1) => {
      for (let i = 0; i < n; i++) {
        await new Promise((r) => setTimeout(r, 3));
        const b = seq.sealBlock();
        expect(b && emptyRunOf(b.body)?.blocks, "an empty block").to.equal(1);
      }
    };
    const send = async (from: Wallet | HDNodeWallet, tx: { to: string; value?: bigint; data?: string }) => {
      const nonce = Number(seq.nonce(from.address, "pending"));
      seq.sendRawTransaction(await from.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, gasLimit: 100_000n, maxFeePerGas: 2n * seq.baseFee, maxPriorityFeePerGas: 0n, ...tx }));
      const block = seq.sealBlock()!;
      expect(block.transactions.length).to.equal(1);
      return block;
    };
    let lieAbout: ((queueCount: bigint) => bigint) | null = null;
    const port: BatchPort = {
      async post(batch) {
        const queueCount = lieAbout ? lieAbout(batch.queueCount) : batch.queueCount;
        lieAbout = null;
        const receipt = (await (await d.rollup.submitBatch(batch.index, batch.preStateRoot, queueCount, encodeBatch(batch.bodies))).wait())!;
        return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, asGiven: queueCount === batch.queueCount };
      },
    };
    const submitter = new BatchSubmitter(l1, seq.chain, { maxBatchBytes: 100_000, maxBatchAgeMs: 0, logger: silentLogger, port });
    const postedBodies = async (index: number) => (await readCurrentBatches(l1, d.deployBlock, await ethers.provider.getBlockNumber(), index))[0].bodies.map((b) => emptyRunOf(b) ?? "commitment");

    const tick = async (seconds: number) => {
      await time.increase(seconds);
      return (l1Time = await time.latest());
    };

    // Batch 0: the deposits, then runs at two timestamps: it ends in a run.
    const t0 = l1Time;
    seq.addQueueEntries(await queue());
    seq.sealBlock();
    await sealEmpty(2);
    const t1 = await tick(5);
    await sealEmpty(2);
    await submitter.tick(true);
    expect(await postedBodies(0)).to.deep.equal(["commitment", { blocks: 2, timestamp: t0 }, { blocks: 2, timestamp: t1 }]);

    // Batch 1: runs between a transfer and a withdrawal, and after them.
    await sealEmpty();
    await send(alice, { to: bob.address, value: 1000n });
    await sealEmpty();
    const t2 = await tick(3);
    await sealEmpty();
    const l1Recipient = Wallet.createRandom().address;
    const withdrawing = await send(bob, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [l1Recipient, ZERO_ADDRESS, 12345n]) });
    await sealEmpty(2);
    await submitter.tick(true);
    expect(await postedBodies(1)).to.deep.equal([{ blocks: 1, timestamp: t1 }, "commitment", { blocks: 1, timestamp: t1 }, { blocks: 1, timestamp: t2 }, "commitment", { blocks: 2, timestamp: t2 }]);

    // A replica and the challenger follow from L1.
    const replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: d.addresses, startBlock: d.deployBlock, confirmations: 0, chainId: CHAIN_ID, pollMs: 100, logger: silentLogger });
    const challenger = new Challenger(testChallengerOptions(d, challengerSigner));
    const fallback = new FallbackProposer({ ...testChallengerOptions(d, fallbackSigner), autoBond: true });
    try {
      await replica.sync();
      await challenger.poll();
      expect(view(replica.chain)).to.deep.equal(view(seq.chain));
      expect(challenger.stats).to.include({ batchesChecked: 2, fraudsFound: 0 });

      // Batch 2 lies: a deposit is on L1, the sequencer has not applied it, and the batch — two runs
      // — claims it consumed. The replica stops there; the challenger proves it at the last run.
      await d.bridge.connect(funder).depositETH(Wallet.createRandom().address, { value: 5n });
      const t3 = await tick(4);
      await sealEmpty(3);
      const t4 = await tick(2);
      await sealEmpty(1);
      lieAbout = (q) => q + 1n;
      await submitter.tick(true);
      expect(await postedBodies(2)).to.deep.equal([{ blocks: 3, timestamp: t3 }, { blocks: 1, timestamp: t4 }]);
      await replica.sync();
      expect(replica.stuckAt).to.equal(2);
      expect(replica.chain.latest.number).to.equal(seq.chain.batches[1].lastBlock);
      for (let poll = 0; poll < 3 && challenger.stats.fraudsProven === 0; poll++) await challenger.poll();
      expect(challenger.stats.fraudsProven).to.equal(1);
      const [proven] = await d.rollup.queryFilter(d.rollup.filters.FraudProven());
      expect([proven.args.batchIndex, proven.args.commitmentIndex, Number(proven.args.kind)]).to.deep.equal([2n, 1n, QCM]);

      // The submitter notices, posts the same blocks honestly; everyone follows.
      await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize });
      await submitter.tick(true);
      expect(submitter.revertedSeen).to.equal(1);
      expect(seq.chain.batches.map((b) => b.index)).to.deep.equal([0, 1, 2]);
      // Batch 3: the deposit, then runs.
      seq.addQueueEntries(await queue());
      seq.sealBlock();
      await sealEmpty(2);
      await submitter.tick(true);
      await replica.sync();
      expect(replica.stuckAt).to.equal(null);
      await challenger.poll();
      expect(view(replica.chain)).to.deep.equal(view(seq.chain));
      expect(records(replica.chain)).to.deep.equal(records(seq.chain));
      expect(hex(challenger.state.root())).to.equal(seq.chain.latest.stateRoot);

      // The sequencer falls silent; a queue entry waits; a fallback proposer posts it.
      await d.bridge.connect(funder).depositETH(Wallet.createRandom().address, { value: 9n });
      await time.increase(DEVNET_PARAMS.sequencerTimeout + 1);
      await fallback.tick();
      expect(fallback.batchesPosted).to.equal(1);
      const header = await d.rollup.getBatch(4);
      expect([header.firstBlock, header.blockCount]).to.deep.equal([BigInt(seq.chain.latest.number + 1), 1n]);

      // The withdrawal made between runs is paid on L1, with the proof the node serves (runs hold no withdrawal root).
      const batch1 = seq.chain.batches[1];
      const [w] = withdrawing.withdrawals;
      const proof = proveWithdrawal(seq.chain.blocks.slice(batch1.firstBlock, batch1.lastBlock + 1), withdrawing.number, w.id);
      await d.bridge.finalizeWithdrawal(w, 1, proof);
      expect(await ethers.provider.getBalance(l1Recipient)).to.equal(12345n);

      // The sequencer lines up with L1 (its own blocks checked body by body, the fallback's adopted);
      // a fresh sequencer builds the whole chain from L1 alone.
      const head = await ethers.provider.getBlockNumber();
      const batches = await readCurrentBatches(l1, d.deployBlock, head);
      seq.local.queue.learn(await queue());
      expect(await lineUpWithL1(seq, batches, 0)).to.equal(1);
      const fresh = new Sequencer({ chainId: CHAIN_ID, fees: { minBaseFee: DEFAULT_BASE_FEE, l1GasPerByte: 0n }, feeRecipient: deployer.address, logger: silentLogger, now: () => l1Time });
      fresh.local.queue.learn(await queue());
      expect(await lineUpWithL1(fresh, batches, 0)).to.equal(seq.chain.latest.number);
      await replica.sync();
      const all = view(seq.chain);
      expect(view(fresh.chain)).to.deep.equal(all);
      expect(view(replica.chain)).to.deep.equal(all);
      expect(records(fresh.chain)).to.deep.equal(records(seq.chain));
      expect(records(replica.chain)).to.deep.equal(records(seq.chain));
      // L1's headers count the same blocks.
      for (const r of seq.chain.batches) {
        const h = await d.rollup.getBatch(r.index);
        expect([Number(h.firstBlock), Number(h.firstBlock + h.blockCount) - 1], `batch ${r.index}`).to.deep.equal([r.firstBlock, r.lastBlock]);
      }
      // Every block has a hash of its own, and each names its parent.
      expect(new Set(seq.chain.blocks.map((b) => b.hash)).size).to.equal(seq.chain.blocks.length);
      for (const b of seq.chain.blocks.slice(1)) expect(b.parentHash).to.equal(seq.chain.block(b.number - 1)!.hash);
      // An empty block keeps its parent's state root, queue position, base fee and fee recipient.
      for (const b of seq.chain.blocks.slice(1).filter((x) => emptyRunOf(x.body))) {
        const p = seq.chain.block(b.number - 1)!;
        expect([b.stateRoot, b.queueIndex, b.baseFee, b.feeRecipient]).to.deep.equal([p.stateRoot, p.queueIndex, p.baseFee, p.feeRecipient]);
      }
      await challenger.poll();
      expect(hex(challenger.state.root())).to.equal(seq.chain.latest.stateRoot);
    } finally {
      await fallback.stop();
      await challenger.stop();
      await replica.stop();
    }
  });
});
