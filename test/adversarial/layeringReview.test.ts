import { expect } from "chai";
import { ethers, network } from "hardhat";
import { TransactionResponse, Wallet, type HDNodeWallet, type Filter, type Log, type Provider, type TransactionRequest } from "ethers";
import { BASE_FEE, CHAIN_ID, fraudFixture } from "../helpers/fraudFixture";
import { rpc, startTestNode, testChallengerOptions, testNodeConfig } from "../helpers/nodeFixture";
import { CoreChain, ETH, QueueKind, erc20, predeploy } from "../helpers/coreFixture";
import { encodeBatch, encodeCommitment } from "../../src/core/commitment";
import { submitBatchCalldata } from "../../src/node/l1/contracts";
import { BatchAuthenticationError } from "../../src/node/l1/batchReader";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { Challenger } from "../../src/node/challenger/challenger";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { QueueGapError } from "../../src/chain/l1Queue";
import { QueueIncompleteError } from "../../src/node/l1/follower";
import type { L2Block } from "../../src/chain/chainStore";
import { silentLogger } from "../../src/shared/logger";
import { jsonRpc } from "../../src/app/jsonRpc";
import type { L2State } from "../../src/core/state";
import { decodeRawTransaction, parseRawTransaction, toSignedOp } from "../../src/core/intake";
import { gasUsedOn } from "../../src/core/gas";
import { intendedGas, type IntendedOp } from "../../src/core/estimate";
import { l2TokenAddress } from "../../src/core/hashing";
import { WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { InvalidOperationError } from "../../src/core/errors";
import { Bridge__factory } from "../../typechain-types";

/**
 * Review of the layering refactor (7cea618 .. af49497: one L1 follower for every role, the
 * replica on its own ChainState reading each batch only right before applying it, the
 * challenger as a FollowerRole, the L1Queue throwing QueueGapError, core split) as a malicious
 * proposer, a malicious or flaky L1 RPC, or a hostile user. Every test passes when the system
 * behaves as its name says; the few named "as before the refactor" hold limits that predate it.
 */

type Fixture = Awaited<ReturnType<typeof fraudFixture>>;
type Posted = Awaited<ReturnType<Fixture["chain"]["post"]>>;

const hex = (b: Buffer) => "0x" + b.toString("hex");
/** Mines `blocks` L1 blocks without moving L1's clock on (interval 0): batches stay challengeable. */
const mine = (blocks: number) => network.provider.send("hardhat_mine", ["0x" + blocks.toString(16), "0x0"]);
/** More L1 blocks than one follower span (5,000) holds. */
const PAST_A_SPAN = 6_000;
const QUEUE_ENTRY_ADDED = Bridge__factory.createInterface().getEvent("QueueEntryAdded").topicHash;

/** What a hooked L1 does differently from the in-process one. */
interface Hooks {
  /** Rewrites what eth_getLogs answers. */
  logs?: (filter: Filter, logs: Log[]) => Log[];
  /** eth_getLogs queries that fail as if L1 were unreachable. */
  logsUnreachable?: (filter: Filter) => boolean;
  /** Transaction hashes whose lookup fails as if L1 were unreachable. */
  unreachable?: Set<string>;
  /** Rewrites what getTransaction answers (null: L1 does not know it). */
  forge?: (tx: TransactionResponse) => TransactionResponse | null;
  /** Every transaction looked up, in order. */
  reads?: string[];
}

/**
 * The in-process L1 seen through an RPC that may lie or fail. `provider` answers the proxy
 * itself, so contracts connected to it (the Bridge's and Rollup's event queries) go through the
 * hooks too.
 */
function hookedProvider(hooks: Hooks): Provider {
  const real = ethers.provider;
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === "provider") return receiver;
      if (prop === "getLogs") {
        return async (filter: Filter) => {
          if (hooks.logsUnreachable?.(filter)) throw new Error(`L1 RPC unreachable (getLogs from ${String(filter.fromBlock)})`);
          const logs = await target.getLogs(filter);
          return hooks.logs ? hooks.logs(filter, logs) : logs;
        };
      }
      if (prop === "getTransaction") {
        return async (hash: string) => {
          hooks.reads?.push(hash);
          if (hooks.unreachable?.has(hash)) throw new Error(`L1 RPC unreachable (getTransaction ${hash})`);
          const tx = await target.getTransaction(hash);
          return tx && hooks.forge ? hooks.forge(tx) : tx;
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** An L1 account with ETH (and the fixture's test token, approved to the Bridge). */
const l1User = async () => (await ethers.getSigners())[1];

async function submissionOf(f: Fixture, index: number): Promise<string> {
  const events = await f.rollup.queryFilter(f.rollup.filters.BatchSubmitted(index));
  return events[events.length - 1].transactionHash;
}

/** An empty commitment on the L2 tip, stamped `timestamp`, claiming `postStateRoot` (by default the true one). */
function emptyCommitment(f: Fixture, timestamp: number, postStateRoot = f.chain.state.root()): Buffer {
  return encodeCommitment({ postStateRoot, withdrawalRoot: null, timestamp, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] });
}

/** Posts the next batch: one empty commitment, honest unless `lie`; with the hash of its L1 transaction. */
async function postNext(f: Fixture, timestamp: number, lie = false): Promise<Posted & { txHash: string }> {
  const posted = await f.chain.post([emptyCommitment(f, timestamp, lie ? Buffer.alloc(32, 7) : undefined)]);
  return { ...posted, txHash: await submissionOf(f, posted.index) };
}

/** Someone else (signer 9) proves `batch` fraudulent; the slashed sequencer bonds again so it can post. */
async function proveByAnother(f: Fixture, batch: Posted): Promise<void> {
  const prover = (await ethers.getSigners())[9];
  await (await f.rollup.connect(prover).proveFraud(...f.chain.proof(batch).args)).wait();
  await (await f.rollup.connect(f.deployer).postBond({ value: f.params.bondSize })).wait();
}

function replicaOn(f: Fixture, l1Provider: Provider = ethers.provider): ReplicaNode {
  return new ReplicaNode({ l1Provider, addresses: f.addresses, startBlock: f.deployBlock, confirmations: 0, chainId: CHAIN_ID, pollMs: 60_000, logger: silentLogger });
}

async function challengerOn(f: Fixture, l1Provider: Provider = ethers.provider): Promise<Challenger> {
  // The signer reaches L1 through the same RPC: the node's contracts read events through it.
  const signer = (await ethers.getSigners())[6].connect(l1Provider as typeof ethers.provider);
  return new Challenger({ ...testChallengerOptions(f, (await ethers.getSigners())[6]), l1Provider, l1Signer: signer });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

/** What L1 holds now: its batch count and the tip's post-state root. */
async function l1Tip(f: Fixture): Promise<{ batches: number; root: string }> {
  const batches = Number(await f.rollup.batchCount());
  return { batches, root: (await f.rollup.getBatch(batches - 1)).postStateRoot };
}

describe("layering review: a batch posted, reverted and posted again before a node first syncs", function () {
  this.timeout(300_000);

  for (const spread of [false, true]) {
    const where = spread ? "each step more than a follower span (5,000 L1 blocks) after the last" : "all in one follower span";
    it(`the replica ends on L1's tip, and never reads the reverted batch (${where})`, async () => {
      const f = await fraudFixture();
      const reads: string[] = [];
      const replica = replicaOn(f, hookedProvider({ reads }));
      try {
        const bad = await postNext(f, 1_700_000_100, true);
        if (spread) await mine(PAST_A_SPAN);
        await proveByAnother(f, bad);
        if (spread) await mine(PAST_A_SPAN);
        const good = await postNext(f, 1_700_000_200);
        if (spread) await mine(PAST_A_SPAN);
        await replica.sync();
        const tip = await l1Tip(f);
        expect(tip.batches).to.equal(2);
        expect(replica.chain.batches.length).to.equal(2);
        expect(replica.chain.latest.stateRoot).to.equal(tip.root);
        expect(replica.chain.batches[1].l1TxHash).to.equal(good.txHash);
        expect(replica.stuckAt).to.equal(null);
        expect(reads, "the reverted batch is never read").to.not.include(bad.txHash);
        expect(reads, "each standing batch read once").to.deep.equal([await submissionOf(f, 0), good.txHash]);
      } finally {
        await replica.stop();
      }
    });

    it(`the challenger ends on L1's tip, proves nothing and checks each standing batch once (${where})`, async () => {
      const f = await fraudFixture();
      const challenger = await challengerOn(f);
      try {
        const bad = await postNext(f, 1_700_000_100, true);
        if (spread) await mine(PAST_A_SPAN);
        await proveByAnother(f, bad);
        if (spread) await mine(PAST_A_SPAN);
        await postNext(f, 1_700_000_200);
        if (spread) await mine(PAST_A_SPAN);
        await challenger.poll();
        const tip = await l1Tip(f);
        expect(challenger.batchCount).to.equal(2);
        expect(hex(challenger.state.root())).to.equal(tip.root);
        expect(challenger.stats.fraudsProven).to.equal(0);
        expect(challenger.stats.batchesChecked).to.equal(2);
        expect(challenger.stats.batchesRolledBack).to.equal(0);
        expect(await f.rollup.revertedBatchCount()).to.equal(1n);
      } finally {
        await challenger.stop();
      }
    });
  }

  it("a replica following step by step across spans waits at the fraudulent batch, drops it at the proof, and applies the one posted again", async () => {
    const f = await fraudFixture();
    const replica = replicaOn(f);
    try {
      await replica.sync();
      const bad = await postNext(f, 1_700_000_100, true);
      await mine(PAST_A_SPAN);
      await replica.sync();
      expect(replica.stuckAt).to.equal(1);
      expect(replica.chain.batches.length).to.equal(1);
      await proveByAnother(f, bad);
      await mine(PAST_A_SPAN);
      await replica.sync();
      expect(replica.stuckAt, "cleared by the proof").to.equal(null);
      expect(replica.chain.batches.length).to.equal(1);
      await postNext(f, 1_700_000_200);
      await mine(PAST_A_SPAN);
      await replica.sync();
      const tip = await l1Tip(f);
      expect(replica.chain.batches.length).to.equal(2);
      expect(replica.chain.latest.stateRoot).to.equal(tip.root);
    } finally {
      await replica.stop();
    }
  });
});

describe("layering review: a batch that cannot be authenticated, later reverted", function () {
  this.timeout(300_000);

  /** A fraudulent batch 1 that L1 shows (for as long as the test runs) with honest-looking decoy calldata. */
  async function decoyed(f: Fixture) {
    const bad = await postNext(f, 1_700_000_100, true);
    const decoy = submitBatchCalldata(1, hex(bad.pre), bad.queueCount, encodeBatch([emptyCommitment(f, 1_700_000_100)]));
    const hooks: Hooks = { reads: [], forge: (tx) => (tx.hash === bad.txHash ? new TransactionResponse({ ...tx, data: decoy }, tx.provider) : tx) };
    return { bad, provider: hookedProvider(hooks), hooks };
  }

  it("the replica stops at it without applying the decoy, and gets past it once it is reverted and another batch 1 is posted", async () => {
    const f = await fraudFixture();
    const { bad, provider } = await decoyed(f);
    const replica = replicaOn(f, provider);
    try {
      const e = await rejection(replica.sync());
      expect(e).to.be.instanceOf(BatchAuthenticationError);
      expect((e as BatchAuthenticationError).disagreement).to.equal("commitments-root");
      expect(replica.chain.batches.length, "nothing applied from the unauthenticated batch").to.equal(1);
      await rejection(replica.sync());
      expect(replica.chain.batches.length).to.equal(1);
      await proveByAnother(f, bad);
      const good = await postNext(f, 1_700_000_200);
      await replica.sync();
      const tip = await l1Tip(f);
      expect(replica.chain.batches.length).to.equal(2);
      expect(replica.chain.batches[1].l1TxHash).to.equal(good.txHash);
      expect(replica.chain.latest.stateRoot).to.equal(tip.root);
    } finally {
      await replica.stop();
    }
  });

  it("the challenger stops at it without judging the decoy; reverted by someone else, it is still read at every poll while L1 shows the decoy, and passed once L1 reads back right", async () => {
    const f = await fraudFixture();
    const { bad, provider, hooks } = await decoyed(f);
    const challenger = await challengerOn(f, provider);
    try {
      expect(await rejection(challenger.poll())).to.be.instanceOf(BatchAuthenticationError);
      expect(challenger.batchCount).to.equal(1);
      await proveByAnother(f, bad);
      await postNext(f, 1_700_000_200);
      const again = await rejection(challenger.poll());
      expect(again, "the reverted batch is read first, in L1 order, before the proof that reverted it").to.be.instanceOf(BatchAuthenticationError);
      expect(challenger.batchCount).to.equal(1);
      expect(challenger.stats.fraudsFound, "the decoy was never judged").to.equal(0);
      hooks.forge = undefined;
      await challenger.poll();
      const tip = await l1Tip(f);
      expect(challenger.batchCount).to.equal(2);
      expect(hex(challenger.state.root())).to.equal(tip.root);
      expect(challenger.stats.fraudsProven).to.equal(0);
    } finally {
      await challenger.stop();
    }
  });
});

describe("layering review: a replica rebuilding after L1 reverted a batch it applied", function () {
  this.timeout(300_000);

  /**
   * The replica applies an honest batch 1; then L1 reorganises deeper than its confirmation
   * depth (0 here): in the new history batch 1 is a fraudulent one, proven and reverted, and
   * another batch 1 (stamped differently, so its block hash differs) is posted. The FraudProven
   * of a batch the replica applied makes it rebuild from genesis.
   */
  async function appliedThenReverted(f: Fixture, replica: ReplicaNode) {
    const snapshot = await network.provider.send("evm_snapshot", []);
    await postNext(f, 1_700_000_100);
    await replica.sync();
    expect(replica.chain.batches.length).to.equal(2);
    const applied = { tip: replica.chain.latest.hash, root: replica.chain.latest.stateRoot, l1Head: await ethers.provider.getBlockNumber() };
    await network.provider.send("evm_revert", [snapshot]);
    // The new history grows past where the replica read up to, so it reads what comes next.
    await mine(applied.l1Head - (await ethers.provider.getBlockNumber()));
    const bad = await postNext(f, 1_700_000_100, true);
    await proveByAnother(f, bad);
    const good = await postNext(f, 1_700_000_300);
    return { applied, bad, good };
  }

  for (const failing of ["the calldata of the batch 1 posted again", "the logs from the start block again"] as const) {
    it(`an L1 read failing midway through the rebuild (${failing}) leaves it serving the old chain and announcing nothing; the next sync serves the rebuilt chain and announces it from where it departs`, async () => {
      const f = await fraudFixture();
      const hooks: Hooks = { reads: [], unreachable: new Set() };
      const replica = replicaOn(f, hookedProvider(hooks));
      // What a newHeads subscriber hears, and what the replica served at that moment.
      const heard: Array<{ number: number; hash: string; servedTip: number; servedHash: string | undefined }> = [];
      replica.onBlock((b: L2Block) => heard.push({ number: b.number, hash: b.hash, servedTip: replica.chain.latest.number, servedHash: replica.chain.block(b.number)?.hash }));
      try {
        await replica.sync();
        const { applied, bad, good } = await appliedThenReverted(f, replica);
        expect(heard.map((h) => h.number), "blocks 1 (batch 0) and 2 (batch 1) announced as applied").to.deep.equal([1, 2]);
        heard.length = 0;

        if (failing === "the logs from the start block again") hooks.logsUnreachable = (filter) => Number(filter.fromBlock) === f.deployBlock;
        else hooks.unreachable!.add(good.txHash);
        await rejection(replica.sync());
        expect(replica.chain.latest.hash, "still serving the chain it had").to.equal(applied.tip);
        expect(replica.chain.batches.length).to.equal(2);
        expect(heard, "nothing announced of a chain not served").to.deep.equal([]);

        hooks.unreachable!.clear();
        hooks.logsUnreachable = undefined;
        await replica.sync();
        const tip = await l1Tip(f);
        expect(replica.chain.batches.length).to.equal(2);
        expect(replica.chain.batches[1].l1TxHash).to.equal(good.txHash);
        expect(replica.chain.latest.stateRoot).to.equal(tip.root);
        expect(replica.chain.latest.hash, "the batch 1 posted in the new history").to.not.equal(applied.tip);
        expect(replica.stuckAt).to.equal(null);
        expect(hooks.reads, "the fraudulent batch of the new history is never read").to.not.include(bad.txHash);
        for (const h of heard) {
          expect(h.servedHash, `announced block ${h.number} is the one served`).to.equal(h.hash);
        }
        expect(heard.map((h) => h.number), "the rebuilt chain announced from its first new block").to.deep.equal([2]);
        expect(heard.at(-1)!.hash).to.equal(replica.chain.latest.hash);
      } finally {
        await replica.stop();
      }
    });
  }

  it("a block filter installed over the replica's JSON-RPC before the rebuild still reports new blocks after it", async () => {
    const f = await fraudFixture();
    const replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: f.addresses, startBlock: f.deployBlock, confirmations: 0, chainId: CHAIN_ID, pollMs: 600_000, serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }), logger: silentLogger });
    try {
      await replica.start();
      const url = replica.rpcUrl!;
      const filter = (await rpc(url, "eth_newBlockFilter")).result as string;
      const logFilter = (await rpc(url, "eth_newFilter", [{}])).result as string;
      await appliedThenReverted(f, replica);
      expect((await rpc(url, "eth_getFilterChanges", [filter])).result, "block 2 of batch 1, applied").to.deep.equal([replica.chain.latest.hash]);
      await replica.sync(); // the rebuild
      expect(replica.chain.batches.length).to.equal(2);
      await postNext(f, 1_700_000_400);
      await replica.sync();
      expect(replica.chain.latest.number).to.equal(3);
      expect((await rpc(url, "eth_blockNumber")).result).to.equal("0x3");
      expect((await rpc(url, "eth_getFilterChanges", [filter])).result, "block 3, applied after the rebuild").to.deep.equal([replica.chain.latest.hash]);
      expect((await rpc(url, "eth_getFilterChanges", [logFilter])).error, "the log filter still answers").to.equal(undefined);
    } finally {
      await replica.stop();
    }
  });
});

describe("layering review: queue entries from an RPC that leaves one out or answers them out of order", function () {
  this.timeout(300_000);

  const isQueueLog = (log: Log) => log.topics[0] === QUEUE_ENTRY_ADDED;
  const queueIndexOf = (log: Log) => BigInt(log.topics[1]);

  /** Two ETH deposits, each in its own L1 block; their queue indices. */
  async function twoDeposits(f: Fixture): Promise<[bigint, bigint]> {
    const first = await f.bridge.queueLength();
    await (await f.bridge.connect(await l1User()).depositETH(Wallet.createRandom().address, { value: 1_000n })).wait();
    await (await f.bridge.connect(await l1User()).depositETH(Wallet.createRandom().address, { value: 2_000n })).wait();
    return [first, first + 1n];
  }

  /** Batch 1: one commitment consuming every queue entry L1 holds now, honest. */
  async function postQueueBatch(f: Fixture): Promise<Posted> {
    await f.chain.syncQueue();
    const b = f.chain.builder();
    while (f.chain.state.queueIndex < BigInt(f.chain.queue.length)) b.addQueueEntry();
    return f.chain.post([b.seal(1_700_000_100).body]);
  }

  const faults = {
    "leaves out the first of two entries": (logs: Log[], [first]: [bigint, bigint]) => logs.filter((l) => !(isQueueLog(l) && queueIndexOf(l) === first)),
    "answers the two entries in reverse order": (logs: Log[]) => [...logs.filter((l) => !isQueueLog(l)), ...logs.filter(isQueueLog).reverse()],
  };

  for (const [fault, rewrite] of Object.entries(faults)) {
    it(`the replica's sync fails with QueueGapError, applies nothing, and the next sync recovers, when the RPC ${fault}`, async () => {
      const f = await fraudFixture();
      const hooks: Hooks = {};
      const replica = replicaOn(f, hookedProvider(hooks));
      try {
        await replica.sync();
        const deposits = await twoDeposits(f);
        await postQueueBatch(f);
        hooks.logs = (_filter, logs) => rewrite(logs, deposits);
        expect(await rejection(replica.sync())).to.be.instanceOf(QueueGapError);
        expect(replica.chain.batches.length).to.equal(1);
        expect(replica.stuckAt, "the honest batch is not taken for fraud").to.equal(null);
        hooks.logs = undefined;
        await replica.sync();
        expect(replica.chain.batches.length).to.equal(2);
        expect(replica.chain.latest.stateRoot).to.equal((await l1Tip(f)).root);
        expect(replica.state.queueIndex).to.equal(deposits[1] + 1n);
      } finally {
        await replica.stop();
      }
    });

    it(`the challenger's poll fails with QueueGapError without judging the batch, and the next poll recovers, when the RPC ${fault}`, async () => {
      const f = await fraudFixture();
      const hooks: Hooks = {};
      const challenger = await challengerOn(f, hookedProvider(hooks));
      try {
        await challenger.poll();
        const deposits = await twoDeposits(f);
        await postQueueBatch(f);
        hooks.logs = (_filter, logs) => rewrite(logs, deposits);
        expect(await rejection(challenger.poll())).to.be.instanceOf(QueueGapError);
        expect(challenger.batchCount).to.equal(1);
        expect(challenger.stats.fraudsFound, "the honest batch is not judged on a partial queue").to.equal(0);
        hooks.logs = undefined;
        await challenger.poll();
        expect(challenger.batchCount).to.equal(2);
        expect(hex(challenger.state.root())).to.equal((await l1Tip(f)).root);
        expect(challenger.stats.fraudsFound).to.equal(0);
      } finally {
        await challenger.stop();
      }
    });

    it(`the sequencer's L1 poll fails with QueueGapError, credits nothing, and the next poll credits both, when the RPC ${fault}`, async () => {
      const f = await fraudFixture();
      const hooks: Hooks = {};
      const l1Provider = hookedProvider(hooks);
      const node = new SequencerNode(testNodeConfig(f, f.deployer, { l1Provider, l1Signer: f.deployer.connect(l1Provider as typeof ethers.provider), recoveryWorker: false, autoBond: false, serve: undefined, l1PollMs: 600_000, blockTimeMs: 600_000, maxBatchAgeMs: 600_000 }));
      try {
        await node.start();
        const before = node.state.queueIndex;
        const deposits = await twoDeposits(f);
        expect(before).to.equal(deposits[0]);
        hooks.logs = (_filter, logs) => rewrite(logs, deposits);
        expect(await rejection(node.pollL1())).to.be.instanceOf(QueueGapError);
        expect(node.state.queueIndex, "nothing credited").to.equal(before);
        expect(node.sequencer.pendingQueueEntries).to.equal(0);
        hooks.logs = undefined;
        await node.pollL1();
        expect(node.state.queueIndex).to.equal(deposits[1] + 1n);
      } finally {
        await node.stop();
      }
    });
  }

  it("an entry the RPC leaves out at the end of a span fails the replica's sync with QueueIncompleteError (the Bridge's length at the head says so), and the next honest sync reads it and applies the batch consuming it", async () => {
    const f = await fraudFixture();
    const hooks: Hooks = {};
    const replica = replicaOn(f, hookedProvider(hooks));
    try {
      await replica.sync();
      const [, last] = await twoDeposits(f);
      hooks.logs = (_filter, logs) => logs.filter((l) => !(isQueueLog(l) && queueIndexOf(l) === last));
      expect(await rejection(replica.sync()), "no gap is visible: the missing entry is the span's last").to.be.instanceOf(QueueIncompleteError);
      hooks.logs = undefined;
      await mine(PAST_A_SPAN);
      await postQueueBatch(f);
      await replica.sync();
      expect(replica.stuckAt, "the honest batch is not refused").to.equal(null);
      expect(replica.chain.batches.length).to.equal(2);
      expect(replica.chain.latest.stateRoot).to.equal((await l1Tip(f)).root);
      expect(replica.state.queueIndex).to.equal(last + 1n);
    } finally {
      await replica.stop();
    }
  });

  it("an entry the RPC leaves out at the end of a span fails the challenger's poll with QueueIncompleteError, and the next honest poll checks the batch consuming it as honest: no proof, nothing skipped", async () => {
    const f = await fraudFixture();
    const hooks: Hooks = {};
    const challenger = await challengerOn(f, hookedProvider(hooks));
    const prover = (await ethers.getSigners())[6].address;
    try {
      await challenger.poll();
      const sentBefore = await ethers.provider.getTransactionCount(prover);
      const [, last] = await twoDeposits(f);
      hooks.logs = (_filter, logs) => logs.filter((l) => !(isQueueLog(l) && queueIndexOf(l) === last));
      expect(await rejection(challenger.poll())).to.be.instanceOf(QueueIncompleteError);
      hooks.logs = undefined;
      await mine(PAST_A_SPAN);
      await postQueueBatch(f);
      await challenger.poll();
      expect(challenger.stats.fraudsFound, "the honest batch is not judged fraudulent").to.equal(0);
      expect(challenger.batchCount).to.equal(2);
      expect(hex(challenger.state.root())).to.equal((await l1Tip(f)).root);
      expect(await ethers.provider.getTransactionCount(prover), "no proof transaction").to.equal(sentBefore);
    } finally {
      await challenger.stop();
    }
  });

  it("the sequencer's poll fails with QueueIncompleteError when the RPC leaves out a span's last entry, credits nothing past the gap, and the next poll credits it", async () => {
    const f = await fraudFixture();
    const hooks: Hooks = {};
    const l1Provider = hookedProvider(hooks);
    const node = new SequencerNode(testNodeConfig(f, f.deployer, { l1Provider, l1Signer: f.deployer.connect(l1Provider as typeof ethers.provider), recoveryWorker: false, autoBond: false, serve: undefined, l1PollMs: 600_000, blockTimeMs: 600_000, maxBatchAgeMs: 600_000 }));
    try {
      await node.start();
      const [first, last] = await twoDeposits(f);
      hooks.logs = (_filter, logs) => logs.filter((l) => !(isQueueLog(l) && queueIndexOf(l) === last));
      expect(await rejection(node.pollL1())).to.be.instanceOf(QueueIncompleteError);
      expect(node.state.queueIndex, "the entry before the missing one is credited").to.equal(first + 1n);
      hooks.logs = undefined;
      await node.pollL1();
      expect(node.state.queueIndex).to.equal(last + 1n);
    } finally {
      await node.stop();
    }
  });
});

describe("layering review: token registrations and queue entries on either side of a span boundary", function () {
  this.timeout(300_000);

  it("a token registered, deposited and bridged more than a span apart each reaches the replica, the challenger and the sequencer", async () => {
    const f = await fraudFixture();
    const replica = replicaOn(f);
    const challenger = await challengerOn(f);
    const node = new SequencerNode(testNodeConfig(f, f.deployer, { recoveryWorker: false, autoBond: false, serve: undefined, l1PollMs: 600_000, blockTimeMs: 600_000, maxBatchAgeMs: 600_000 }));
    try {
      await replica.sync();
      await challenger.poll();
      const token = await ethers.deployContract("TestToken", ["Far Token", "FAR", 6], await l1User());
      await (await token.mint((await l1User()).address, 10n ** 12n)).wait();
      await (await token.approve(f.addresses.bridge, ethers.MaxUint256)).wait();
      await (await f.bridge.registerToken(token)).wait();
      const tokenId = Number(await f.bridge.tokenCount()) - 1;
      await mine(PAST_A_SPAN);
      const holder = Wallet.createRandom().address.toLowerCase();
      await (await f.bridge.connect(await l1User()).depositERC20(token, holder, 12_345n)).wait();
      await mine(PAST_A_SPAN);
      await node.start();
      expect(node.tokenMetadata(tokenId)?.symbol).to.equal("FAR");
      expect(node.state.accountOf(holder)?.tokens.get(tokenId)).to.equal(12_345n);
      const posted = await (async () => {
        await f.chain.syncQueue();
        const b = f.chain.builder();
        while (f.chain.state.queueIndex < BigInt(f.chain.queue.length)) b.addQueueEntry();
        return f.chain.post([b.seal(1_700_000_100).body]);
      })();
      await mine(PAST_A_SPAN);
      await replica.sync();
      await challenger.poll();
      const tip = await l1Tip(f);
      expect(posted.index).to.equal(1);
      expect(replica.chain.latest.stateRoot).to.equal(tip.root);
      expect(replica.tokenMetadata(tokenId)?.symbol).to.equal("FAR");
      expect(replica.state.accountOf(holder)?.tokens.get(tokenId)).to.equal(12_345n);
      expect(hex(challenger.state.root())).to.equal(tip.root);
      expect(challenger.stats.fraudsFound).to.equal(0);
    } finally {
      await node.stop();
      await challenger.stop();
      await replica.stop();
    }
  });
});

describe("layering review: the challenger reading a span again after a proof that failed", function () {
  this.timeout(300_000);

  /** Makes the challenger's next `times` L1 transactions fail before they are sent. */
  function failSends(challenger: Challenger, times: number): void {
    const send = challenger.txs.send.bind(challenger.txs);
    let left = times;
    challenger.txs.send = (async (...args: Parameters<typeof send>) => {
      if (left-- > 0) throw new Error("L1 RPC unreachable (sendTransaction)");
      return send(...args);
    }) as typeof send;
  }

  it("a proof that fails is sent again at the next poll and lands once: the batch is reverted once, nothing is applied twice", async () => {
    const f = await fraudFixture();
    const challenger = await challengerOn(f);
    failSends(challenger, 1);
    try {
      await postNext(f, 1_700_000_100, true);
      await challenger.poll();
      expect(challenger.stats.fraudsProven).to.equal(0);
      expect(await f.rollup.revertedBatchCount()).to.equal(0n);
      expect(challenger.batchCount).to.equal(1);
      await challenger.poll();
      expect(challenger.stats.fraudsProven).to.equal(1);
      expect(await f.rollup.revertedBatchCount()).to.equal(1n);
      await (await f.rollup.connect(f.deployer).postBond({ value: f.params.bondSize })).wait();
      await postNext(f, 1_700_000_200);
      await challenger.poll();
      await challenger.poll();
      expect(challenger.batchCount).to.equal(2);
      expect(hex(challenger.state.root())).to.equal((await l1Tip(f)).root);
      expect(challenger.stats.batchesChecked, "batch 0 and the batch 1 posted again, once each").to.equal(2);
      expect(challenger.stats.batchesRolledBack).to.equal(0);
      expect(challenger.stats.fraudsFound, "the fraud is judged at each poll that reads it: twice").to.equal(2);
    } finally {
      await challenger.stop();
    }
  });

  it("a span read again after a failed proof does not take in again a FraudProven it took in already: no batch rolled back and checked a second time, the stats counting each batch once", async () => {
    const f = await fraudFixture();
    const challenger = await challengerOn(f);
    try {
      // One span: a fraudulent batch 1 proven by someone else, an honest batch 1, a fraudulent batch 2.
      const bad1 = await postNext(f, 1_700_000_100, true);
      await proveByAnother(f, bad1);
      const good1 = await postNext(f, 1_700_000_200);
      await postNext(f, 1_700_000_300, true);
      failSends(challenger, 1);
      await challenger.poll(); // batch 2's proof fails: the span is read again at the next poll
      expect(challenger.batchCount).to.equal(2);
      expect(challenger.stats.batchesChecked).to.equal(2);
      expect(await f.rollup.batchCount()).to.equal(3n);

      await challenger.poll();
      expect(challenger.stats.fraudsProven).to.equal(1);
      expect(await f.rollup.batchCount(), "batch 2 reverted").to.equal(2n);
      await challenger.poll();
      expect(challenger.batchCount).to.equal(2);
      expect(hex(challenger.state.root())).to.equal((await l1Tip(f)).root);
      expect(await submissionOf(f, 1), "L1's batch 1 is the honest one").to.equal(good1.txHash);
      expect(challenger.stats.batchesRolledBack, "batch 1 was never reverted while the challenger held it").to.equal(0);
      expect(challenger.stats.batchesChecked, "batch 0 and batch 1, once each").to.equal(2);
    } finally {
      await challenger.stop();
    }
  });
});

describe("layering review: eth_estimateGas at the extremes never quotes below the gas used", function () {
  this.timeout(300_000);
  const MAX = 2n ** 256n - 1n;

  /** The gas core charges the operation `tx` signed by `wallet` is, on `state` (nonce and funds not checked). */
  async function gasOf(state: L2State, wallet: Wallet | HDNodeWallet, tx: TransactionRequest): Promise<bigint> {
    const raw = await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, gasLimit: 100_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx });
    return gasUsedOn(state, toSignedOp(state, parseRawTransaction(raw, CHAIN_ID), 0, { checkNonce: false }));
  }

  it("over the sequencer's RPC: value or amount 2^256 − 1, an unknown recipient, no sender, an unknown token; refusals are JSON-RPC errors; and a transaction sent with the quote as its gas limit is included", async () => {
    const t = await startTestNode(2, { blockTimeMs: 600_000, maxBatchAgeMs: 600_000 });
    try {
      const [alice] = t.wallets;
      const stranger = Wallet.createRandom().address;
      const l2Token = l2TokenAddress((await t.token.getAddress()).toLowerCase());
      const unknownToken = Wallet.createRandom().address;
      const cases: Array<{ name: string; req: Record<string, string>; tx: TransactionRequest }> = [
        { name: "ETH, 2^256 − 1, unknown recipient, no sender", req: { to: stranger, value: ethers.toQuantity(MAX) }, tx: { to: stranger, value: MAX } },
        { name: "ETH withdrawal of 2^256 − 1, no sender", req: { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [stranger, ZERO_ADDRESS, MAX]) }, tx: { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [stranger, ZERO_ADDRESS, MAX]) } },
        { name: "token withdrawal of 2^256 − 1, no sender", req: { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [stranger, l2Token, MAX]) }, tx: { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [stranger, l2Token, MAX]) } },
        { name: "nothing to an unknown recipient from an address with no account", req: { from: Wallet.createRandom().address, to: stranger, value: "0x0" }, tx: { to: stranger, value: 0n } },
      ];
      for (const c of cases) {
        const reply = await rpc(t.url, "eth_estimateGas", [c.req]);
        expect(reply.error, c.name).to.equal(undefined);
        expect(BigInt(reply.result as string) >= (await gasOf(t.node.state, alice, c.tx)), c.name).to.equal(true);
      }
      // An unknown token is quoted at the first token's width; sending it is refused at intake.
      const unknown = await rpc(t.url, "eth_estimateGas", [{ to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [stranger, unknownToken, MAX]) }]);
      expect(unknown.error).to.equal(undefined);
      for (const [req, code] of [
        [{ from: alice.address, to: stranger, value: ethers.toQuantity(MAX) }, -32000], // insufficient funds
        [{ to: stranger, value: "0x1" + "0".repeat(64) }, -32602], // 2^256: not a quantity
        [{ to: l2Token, data: "0xa9059cbb" }, 3], // malformed transfer: reverted
        // More than anyone holds: ERC20InsufficientBalance, as OpenZeppelin's ERC-20 reverts.
        [{ to: l2Token, data: erc20.encodeFunctionData("transfer", [stranger, MAX]) }, 3],
      ] as const) {
        const reply = await rpc(t.url, "eth_estimateGas", [req]);
        expect(reply.error?.code, JSON.stringify(req)).to.equal(code);
      }

      // Sent for real with the quote as its limit: ETH to a new account, then all of alice's tokens to another.
      const sends: Array<{ to: string; value?: bigint; data?: string }> = [
        { to: Wallet.createRandom().address, value: ethers.parseEther("9") },
        { to: l2Token, data: erc20.encodeFunctionData("transfer", [Wallet.createRandom().address, ethers.parseEther("1000")]) },
      ];
      for (const tx of sends) {
        const req = { from: alice.address, to: tx.to, ...(tx.value !== undefined ? { value: ethers.toQuantity(tx.value) } : { data: tx.data }) };
        const quote = BigInt((await rpc(t.url, "eth_estimateGas", [req])).result as string);
        const nonce = Number(t.node.nonce(alice.address, "pending"));
        const raw = await alice.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, gasLimit: quote, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx });
        const hash = await t.node.sendRawTransaction(raw);
        t.node.sequencer.sealBlock();
        const mined = t.node.chain.tx(hash)!;
        expect(mined.result.gasUsed <= quote).to.equal(true);
      }
    } finally {
      await t.stop();
    }
  });

  it("in core, with a token id past 255 and indices at the one-to-two-byte boundary: every extreme intent quotes at least what the signed operation uses", async () => {
    const chain = new CoreChain();
    for (let id = 0; id < 257; id++) chain.enqueue(QueueKind.TOKEN_REGISTRATION, "0x" + (id + 1).toString(16).padStart(40, "a"), 0n, id);
    for (let i = 0; i < 125; i++) chain.enqueue(QueueKind.ETH_DEPOSIT, "0x" + (i + 1).toString(16).padStart(40, "c"), 1n);
    const sender = Wallet.createRandom();
    chain.enqueue(QueueKind.ETH_DEPOSIT, sender.address, 5n * ETH);
    chain.enqueue(QueueKind.TOKEN_DEPOSIT, sender.address, 1000n, 256);
    while (chain.state.queueIndex < BigInt(chain.queue.length)) {
      const b = chain.builder();
      while (!b.isFull && chain.state.queueIndex < BigInt(chain.queue.length)) b.addQueueEntry();
      b.seal(1_700_000_000);
    }
    expect(chain.state.accountCount).to.equal(127); // the sender is index 126; the next new account 127, the one after 128
    const token = l2TokenAddress("0x" + (257).toString(16).padStart(40, "a"));
    const stranger = Wallet.createRandom().address.toLowerCase();
    const known = "0x" + (125).toString(16).padStart(40, "c");
    for (const from of [undefined, sender.address.toLowerCase()]) {
      for (const to of [stranger, known]) {
        for (const amount of [0n, 1n, MAX]) {
          const pairs: Array<[IntendedOp, TransactionRequest]> = [
            [{ kind: "eth-transfer", to }, { to, value: amount }],
            [{ kind: "token-transfer", tokenId: 256, to }, { to: token, data: erc20.encodeFunctionData("transfer", [to, amount]) }],
            [{ kind: "withdrawal", tokenId: null }, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [to, ZERO_ADDRESS, amount]) }],
            [{ kind: "withdrawal", tokenId: 256 }, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [to, token, amount]) }],
          ];
          for (const [intent, tx] of pairs) {
            const quoted = intendedGas(chain.state, intent);
            const used = await gasOf(chain.state, sender, tx);
            expect(quoted, `${intent.kind} of ${amount} from ${from ?? "nobody"} to ${to === known ? "a known" : "a new"} account`).to.equal(used);
          }
        }
      }
    }
  });
});

describe("layering review: deeply nested RLP in eth_sendRawTransaction", function () {
  this.timeout(300_000);

  /** A type-2 envelope around `depth` nested empty lists: [[[…[]…]]], each level's header as short as RLP allows. */
  function nested(depth: number): string {
    const lengths: number[] = [0]; // payload length of each level, innermost first
    const header = (len: number) => (len <= 55 ? 1 : 1 + Math.ceil(Math.log2(len + 1) / 8));
    for (let i = 1; i < depth; i++) lengths.push(lengths[i - 1] + header(lengths[i - 1]));
    const total = lengths[depth - 1] + header(lengths[depth - 1]);
    const out = Buffer.alloc(1 + total);
    out[0] = 0x02;
    let at = 1;
    for (let i = depth - 1; i >= 0; i--) {
      const len = lengths[i];
      if (len <= 55) out[at++] = 0xc0 + len;
      else {
        const bytes = Buffer.from(len.toString(16).padStart(2 * (header(len) - 1), "0"), "hex");
        out[at++] = 0xf7 + bytes.length;
        bytes.copy(out, at);
        at += bytes.length;
      }
    }
    expect(at).to.equal(out.length);
    return "0x" + out.toString("hex");
  }

  it("is refused as malformed — 15 kB of nesting and 100,000 levels of it (past the call stack, within the 1 MB body limit) — in core and over the sequencer's RPC, and the node answers on", async () => {
    for (const depth of [7_000, 100_000]) {
      const raw = nested(depth);
      let refused: unknown;
      try {
        decodeRawTransaction(raw, CHAIN_ID);
      } catch (e) {
        refused = e;
      }
      expect(refused, `depth ${depth}`).to.be.instanceOf(InvalidOperationError);
      expect((refused as InvalidOperationError).reason).to.equal("malformed");
      if (depth === 100_000) expect((refused as InvalidOperationError).message + (refused as InvalidOperationError).details, "past the call stack").to.match(/nested too deep/);
    }
    expect(nested(7_000).length / 2).to.be.greaterThan(15_000);
    const t = await startTestNode(1, { blockTimeMs: 600_000 });
    try {
      for (const depth of [7_000, 100_000]) {
        const reply = await rpc(t.url, "eth_sendRawTransaction", [nested(depth)]);
        expect(reply.error?.code, `depth ${depth}`).to.equal(-32000);
        expect(reply.error?.message).to.match(/decode|malformed|RLP/i);
      }
      const alive = await rpc(t.url, "eth_blockNumber");
      expect(alive.error).to.equal(undefined);
    } finally {
      await t.stop();
    }
  });
});
