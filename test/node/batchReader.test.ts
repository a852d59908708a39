import { expect } from "chai";
import { ethers } from "hardhat";
import pino from "pino";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { TransactionResponse, Wallet, type Provider } from "ethers";
import { fraudFixture } from "../helpers/fraudFixture";
import { testChallengerOptions, testNodeConfig } from "../helpers/nodeFixture";
import { until } from "../helpers/until";
import { L1Contracts, submitBatchCalldata } from "../../src/node/l1/contracts";
import { BatchAuthenticationError, readBatch, readCurrentBatches, readPostedBatches, type BatchClaim, type BatchDisagreement } from "../../src/node/l1/batchReader";
import { Challenger } from "../../src/node/challenger/challenger";
import { ReplayDisagreesWithL1Error } from "../../src/node/challenger/replayDisagrees";
import { FallbackProposer } from "../../src/node/challenger/fallbackProposer";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { silentLogger } from "../../src/shared/logger";
import { encodeBatch } from "../../src/core/commitment";
import { DEVNET_PARAMS } from "../../deploy/params";

type Fixture = Awaited<ReturnType<typeof fraudFixture>>;
/** What L1's answer to getTransaction becomes; null: L1 does not know the transaction. */
type Forge = (real: TransactionResponse) => TransactionResponse | null;

const hex = (b: Buffer) => "0x" + b.toString("hex");

/**
 * The in-process L1, except that getTransaction answers what `forge()` makes of the real
 * transaction (when it returns a function). Events and views stay real: this is how a batch
 * whose event is genuine can be shown with other calldata, or as sent elsewhere, without a
 * contract proposer (which the Rollup refuses).
 */
function forgingProvider(forge: () => Forge | null): Provider {
  const real = ethers.provider;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "getTransaction") {
        return async (hash: string) => {
          const tx = await target.getTransaction(hash);
          const f = forge();
          return tx && f ? f(tx) : tx;
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The real transaction with another destination or calldata. */
function altered(tx: TransactionResponse, change: { to?: string; data?: string }): TransactionResponse {
  return new TransactionResponse({ ...tx, ...change }, tx.provider);
}

/** Forges only the transaction `hash`. */
const onlyTx =
  (hash: string, forge: Forge): Forge =>
  (tx) =>
    tx.hash === hash ? forge(tx) : tx;

/** The hash of the transaction that submitted batch `index` (the last one, if it was posted again). */
async function submissionOf(f: Fixture, index: number): Promise<string> {
  const events = await f.rollup.queryFilter(f.rollup.filters.BatchSubmitted(index));
  return events[events.length - 1].transactionHash;
}

/** Posts an empty batch 1 claiming `postStateRoot` (by default the true one: an honest batch). */
async function postBatch1(f: Fixture, postStateRoot?: Buffer) {
  const posted = await f.chain.post([f.chain.handMade([], [], postStateRoot)]);
  return { ...posted, txHash: await submissionOf(f, posted.index) };
}

/** The error `p` rejects with; fails the test if it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

/** Checks that `e` refuses batch `index` of L1 tx `txHash` for `disagreement`. */
function expectRefusal(e: unknown, index: number, txHash: string, disagreement: BatchDisagreement): void {
  expect(e).to.be.instanceOf(BatchAuthenticationError);
  const err = e as BatchAuthenticationError;
  expect(err.disagreement, err.message).to.equal(disagreement);
  expect(err.batchIndex).to.equal(index);
  expect(err.l1TxHash).to.equal(txHash);
  expect(err.message).to.include(`batch ${index}`).and.include(txHash);
}

/** What readPostedBatches makes of L1 when getTransaction answers through `forge`. */
async function readForged(f: Fixture, forge: Forge) {
  const l1 = new L1Contracts(forgingProvider(() => forge), f.addresses);
  return readPostedBatches(l1, f.deployBlock, await ethers.provider.getBlockNumber());
}

describe("node/l1BatchReader: a batch is read only as the Rollup recorded it", function () {
  this.timeout(120_000);

  it("reads back a batch posted normally: the bodies, roots, index and queue count it was submitted with", async () => {
    const f = await fraudFixture();
    const batch1 = await postBatch1(f);
    const head = await ethers.provider.getBlockNumber();
    const posted = await readPostedBatches(f.l1, f.deployBlock, head);
    expect(posted.map((b) => b.index)).to.deep.equal([0, 1]);
    const [, read] = posted;
    expect(read.bodies.map(hex)).to.deep.equal(batch1.bodies.map(hex));
    expect(read.preStateRoot).to.equal(hex(batch1.pre));
    expect(read.queueCount).to.equal(batch1.queueCount);
    expect(read.postStateRoot).to.equal((await f.rollup.getBatch(1)).postStateRoot);
    expect(read.l1TxHash).to.equal(batch1.txHash);
    expect((await readCurrentBatches(f.l1, f.deployBlock, head)).map((b) => b.index), "every role's read of L1's current batches").to.deep.equal([0, 1]);
  });

  it("refuses a batch whose transaction is not sent to the Rollup, though its calldata is the batch", async () => {
    const f = await fraudFixture();
    const { txHash } = await postBatch1(f);
    const proposerContract = Wallet.createRandom().address;
    expectRefusal(await rejection(readForged(f, onlyTx(txHash, (tx) => altered(tx, { to: proposerContract })))), 1, txHash, "not-sent-to-rollup");
  });

  it("refuses calldata whose bodies do not rebuild the commitments root the Rollup stored: an honest-looking decoy for a fraudulent batch", async () => {
    const f = await fraudFixture();
    const fraudulent = await postBatch1(f, Buffer.alloc(32, 7));
    const decoy = submitBatchCalldata(1, hex(fraudulent.pre), fraudulent.queueCount, encodeBatch([f.chain.handMade([], [])]));
    const e = await rejection(readForged(f, onlyTx(fraudulent.txHash, (tx) => altered(tx, { data: decoy }))));
    expectRefusal(e, 1, fraudulent.txHash, "commitments-root");
    expect((e as Error).message).to.include((await f.rollup.getBatch(1)).commitmentsRoot);
  });

  for (const [field, disagreement] of [
    ["batch index", "batch-index"],
    ["pre-state root", "pre-state-root"],
    ["queue count", "queue-count"],
  ] as const) {
    it(`refuses calldata with the batch's bodies whose ${field} is not the event's`, async () => {
      const f = await fraudFixture();
      const b = await postBatch1(f);
      const commitments = encodeBatch(b.bodies);
      const data = {
        "batch-index": submitBatchCalldata(2, hex(b.pre), b.queueCount, commitments),
        "pre-state-root": submitBatchCalldata(1, hex(Buffer.alloc(32, 9)), b.queueCount, commitments),
        "queue-count": submitBatchCalldata(1, hex(b.pre), b.queueCount + 1n, commitments),
      }[disagreement];
      expectRefusal(await rejection(readForged(f, onlyTx(b.txHash, (tx) => altered(tx, { data })))), 1, b.txHash, disagreement);
    });
  }

  it("refuses an event whose post-state root the bodies do not end at", async () => {
    const f = await fraudFixture();
    const b = await postBatch1(f);
    const [event] = await f.rollup.queryFilter(f.rollup.filters.BatchSubmitted(1));
    const claim: BatchClaim = {
      index: 1,
      preStateRoot: event.args.preStateRoot,
      postStateRoot: hex(Buffer.alloc(32, 5)),
      queueCount: event.args.queueCount,
      firstBlock: Number(event.args.firstBlock),
      commitmentsRoot: event.args.commitmentsRoot,
      l1Block: event.blockNumber,
      l1TxHash: b.txHash,
    };
    expect((await readBatch(f.l1, { ...claim, postStateRoot: event.args.postStateRoot })).bodies.map(hex), "the event as emitted").to.deep.equal(b.bodies.map(hex));
    expectRefusal(await rejection(readBatch(f.l1, claim)), 1, b.txHash, "post-state-root");
  });

  it("refuses a transaction L1 does not know, calldata of another Rollup function, and commitments bytes that do not split", async () => {
    const f = await fraudFixture();
    const b = await postBatch1(f);
    const notSubmitBatch = f.rollup.interface.encodeFunctionData("batchCount");
    const truncated = submitBatchCalldata(1, hex(b.pre), b.queueCount, Buffer.of(0, 200, 1, 2));
    expectRefusal(await rejection(readForged(f, onlyTx(b.txHash, () => null))), 1, b.txHash, "transaction-missing");
    expectRefusal(await rejection(readForged(f, onlyTx(b.txHash, (tx) => altered(tx, { data: notSubmitBatch })))), 1, b.txHash, "not-submit-batch");
    expectRefusal(await rejection(readForged(f, onlyTx(b.txHash, (tx) => altered(tx, { data: "0xdeadbeef" })))), 1, b.txHash, "not-submit-batch");
    expectRefusal(await rejection(readForged(f, onlyTx(b.txHash, (tx) => altered(tx, { data: truncated })))), 1, b.txHash, "malformed-commitments");
  });
});

describe("node roles stop at a batch they cannot authenticate, and go on once it reads back right", function () {
  this.timeout(120_000);

  /** A fraudulent batch 1 whose transaction L1 shows (while `forging.on`) as a contract's call carrying an honest decoy. */
  async function decoyedFraud(f: Fixture) {
    const fraudulent = await postBatch1(f, Buffer.alloc(32, 7));
    const decoy = submitBatchCalldata(1, hex(fraudulent.pre), fraudulent.queueCount, encodeBatch([f.chain.handMade([], [])]));
    const forging = { on: true };
    const provider = forgingProvider(() => (forging.on ? onlyTx(fraudulent.txHash, (tx) => altered(tx, { to: Wallet.createRandom().address, data: decoy })) : null));
    return { fraudulent, forging, provider };
  }

  it("the challenger does not advance past the batch nor judge the decoy, and proves the real batch fraudulent once L1 shows it", async () => {
    const f = await fraudFixture();
    const { fraudulent, forging, provider } = await decoyedFraud(f);
    const signers = await ethers.getSigners();
    const challenger = new Challenger({ ...testChallengerOptions(f, signers[6]), l1Provider: provider });
    try {
      expectRefusal(await rejection(challenger.poll()), 1, fraudulent.txHash, "not-sent-to-rollup");
      expect(challenger.batchCount, "batch 0 checked, batch 1 not applied").to.equal(1);
      expect(challenger.stats.fraudsFound, "the decoy was not judged").to.equal(0);
      // Polled again, it reads batch 1 again: it did not move on past the L1 block holding it.
      expectRefusal(await rejection(challenger.poll()), 1, fraudulent.txHash, "not-sent-to-rollup");
      expect(challenger.batchCount).to.equal(1);

      forging.on = false;
      await challenger.poll();
      expect(challenger.stats.fraudsProven).to.equal(1);
      expect(await f.rollup.revertedBatchCount()).to.equal(1n);
      expect(challenger.batchCount).to.equal(1);
    } finally {
      await challenger.stop();
    }
  });

  it("the challenger's poll loop logs that it cannot authenticate the batch and has stopped following L1 there", async () => {
    const f = await fraudFixture();
    const { provider } = await decoyedFraud(f);
    const lines: Array<{ msg: string; err: string }> = [];
    const logger = pino({ level: "error" }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string; err: string }) });
    const signers = await ethers.getSigners();
    const challenger = new Challenger({ ...testChallengerOptions(f, signers[6]), l1Provider: provider, logger, pollMs: 50 });
    challenger.start();
    try {
      await until("two rounds of the poll loop to fail", () => lines.length >= 2);
      for (const line of lines) {
        expect(line.msg).to.match(/^stopped following L1 at batch 1: it cannot be authenticated/);
        expect(line.err).to.include("batch 1").and.include("not to the Rollup");
      }
      expect(challenger.batchCount).to.equal(1);
      expect(challenger.stats.fraudsFound).to.equal(0);
    } finally {
      await challenger.stop();
    }
  });

  it("the challenger stops, rather than judge a batch, when the batch does not build on the state it holds", async () => {
    const f = await fraudFixture();
    const signers = await ethers.getSigners();
    const challenger = new Challenger(testChallengerOptions(f, signers[6]));
    try {
      await challenger.poll();
      expect(challenger.batchCount).to.equal(1);
      // A state that has drifted from L1's (a bug, a damaged store): judged on it, an honest batch would look fraudulent.
      challenger.state.setBalance(1, 1n);
      await postBatch1(f);
      const e = await rejection(challenger.poll());
      expect(e).to.be.instanceOf(ReplayDisagreesWithL1Error);
      expect((e as ReplayDisagreesWithL1Error).batchIndex).to.equal(1);
      expect(challenger.batchCount).to.equal(1);
      expect(challenger.stats.fraudsFound, "the honest batch was not judged on the drifted state").to.equal(0);
    } finally {
      await challenger.stop();
    }
  });

  it("a fallback proposer posts nothing on an L1 it cannot authenticate, though the sequencer is silent and the queue waits", async () => {
    const f = await fraudFixture();
    const forging = { on: true };
    const batch0 = await submissionOf(f, 0);
    const provider = forgingProvider(() => (forging.on ? onlyTx(batch0, (tx) => altered(tx, { to: Wallet.createRandom().address })) : null));
    const signers = await ethers.getSigners();
    await f.bridge.connect(signers[12]).depositETH(signers[12].address, { value: 1n });
    await time.increase(DEVNET_PARAMS.sequencerTimeout);
    const fallback = new FallbackProposer({ ...testChallengerOptions(f, signers[13]), l1Provider: provider, autoBond: true });
    try {
      expectRefusal(await rejection(fallback.tick()), 0, batch0, "not-sent-to-rollup");
      expect(fallback.batchesPosted).to.equal(0);
      expect(await f.rollup.batchCount()).to.equal(1n);
      forging.on = false;
      await fallback.tick();
      expect(fallback.batchesPosted, "the same L1, read back right").to.equal(1);
    } finally {
      await fallback.stop();
    }
  });

  it("a replica applies nothing from the batch, at start or while following, until it reads back right", async () => {
    const f = await fraudFixture();
    const forging = { on: true };
    let target = await submissionOf(f, 0);
    const provider = forgingProvider(() => (forging.on ? onlyTx(target, (tx) => altered(tx, { to: Wallet.createRandom().address })) : null));
    const replica = new ReplicaNode({ l1Provider: provider, addresses: f.addresses, startBlock: f.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, logger: silentLogger });
    try {
      expectRefusal(await rejection(replica.start()), 0, target, "not-sent-to-rollup");
      expect(replica.chain.batches.length).to.equal(0);
      forging.on = false;
      await replica.sync();
      expect(replica.chain.batches.length).to.equal(1);

      // Following: an honest batch 1, shown as sent elsewhere.
      target = (await postBatch1(f)).txHash;
      forging.on = true;
      expectRefusal(await rejection(replica.sync()), 1, target, "not-sent-to-rollup");
      expectRefusal(await rejection(replica.sync()), 1, target, "not-sent-to-rollup");
      expect(replica.chain.batches.length).to.equal(1);
      forging.on = false;
      await replica.sync();
      expect(replica.chain.batches.length).to.equal(2);
      expect(replica.chain.latest.stateRoot).to.equal((await f.rollup.getBatch(1)).postStateRoot);
    } finally {
      await replica.stop();
    }
  });

  it("a sequencer does not start on an L1 batch it cannot authenticate", async () => {
    const f = await fraudFixture();
    const batch0 = await submissionOf(f, 0);
    const forging = { on: true };
    const provider = forgingProvider(() => (forging.on ? onlyTx(batch0, (tx) => altered(tx, { to: Wallet.createRandom().address })) : null));
    const config = testNodeConfig(f, f.deployer, { l1Provider: provider, recoveryWorker: false, autoBond: false });
    const refused = new SequencerNode(config);
    try {
      expectRefusal(await rejection(refused.start()), 0, batch0, "not-sent-to-rollup");
      expect(refused.chain.latest.number, "nothing adopted from L1").to.equal(0);
    } finally {
      await refused.stop();
    }
    forging.on = false;
    const node = new SequencerNode(config);
    try {
      await node.start();
      expect(node.chain.batches.length, "the same L1, read back right").to.equal(1);
    } finally {
      await node.stop();
    }
  });
});
