import { expect } from "chai";
import { ethers } from "hardhat";
import { parseEther } from "ethers";
import { startTestNode } from "../helpers/nodeFixture";
import { randomAddress } from "../helpers/randomWallet";
import { readPostedBatches } from "../../src/node/l1/batchReader";
import { L2State } from "../../src/core/state";
import { replayCommitment } from "../../src/core/replay";
import { MAX_OPS_PER_COMMITMENT } from "../../src/core/constants";
import { expectEscrowMatches } from "../helpers/invariants";

describe("node: the sequencer", function () {
  this.timeout(120_000);

  async function sendTransfers(t: Awaited<ReturnType<typeof startTestNode>>, count: number) {
    const hashes: string[] = [];
    const nonces = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const w = t.wallets[i % t.wallets.length];
      const nonce = nonces.get(w.address) ?? Number(t.node.nonce(w.address, "pending"));
      nonces.set(w.address, nonce + 1);
      const raw = await w.signTransaction({ type: 2, chainId: 51730n, to: randomAddress(), value: parseEther("0.01"), nonce, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
      hashes.push(await t.node.sendRawTransaction(raw));
    }
    return hashes;
  }

  it(`seals a block when it reaches ${MAX_OPS_PER_COMMITMENT} operations and keeps accepting`, async () => {
    const t = await startTestNode(3, { blockTimeMs: 60_000 });
    try {
      const before = t.node.chain.latest.number;
      const hashes = await sendTransfers(t, MAX_OPS_PER_COMMITMENT + 6);
      t.node.sequencer.sealBlock();
      expect(t.node.chain.latest.number).to.equal(before + 2);
      expect(t.node.chain.block(before + 1)!.transactions).to.have.length(MAX_OPS_PER_COMMITMENT);
      for (const h of hashes) expect(t.node.chain.tx(h), h).to.not.equal(undefined);
    } finally {
      await t.stop();
    }
  });

  it("answers a transaction it already holds with 'already known', and a stale nonce with 'nonce too low'", async () => {
    const t = await startTestNode(1, { blockTimeMs: 60_000 });
    try {
      const w = t.wallets[0];
      const sign = (nonce: number, value: bigint) => w.signTransaction({ type: 2, chainId: 51730n, to: randomAddress(), value, nonce, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
      const nonce = Number(t.node.nonce(w.address, "pending"));
      const raw = await sign(nonce, 1n);
      await t.node.sendRawTransaction(raw);
      t.node.sequencer.sealBlock();
      const message = (p: Promise<unknown>) => p.then(() => "accepted", (e: Error) => e.message);
      expect(await message(t.node.sendRawTransaction(raw))).to.match(/already known/);
      const stale = await message(t.node.sendRawTransaction(await sign(nonce, 2n)));
      expect(stale).to.match(/nonce-too-low/).and.not.match(/already known/);
    } finally {
      await t.stop();
    }
  });

  it("splits a backlog into batches of at most maxBatchBytes and posts them in order", async () => {
    const t = await startTestNode(3, { blockTimeMs: 60_000, maxBatchBytes: 3_000 });
    try {
      for (let round = 0; round < 6; round++) {
        await sendTransfers(t, 20);
        t.node.sequencer.sealBlock();
      }
      await t.node.flush();
      const batches = t.node.chain.batches;
      expect(batches.length).to.be.greaterThan(2);
      const posted = await readPostedBatches(t.node.l1, 0, await ethers.provider.getBlockNumber());
      expect(posted.map((b) => b.index)).to.deep.equal(batches.map((b) => b.index));
      for (const b of posted) {
        if (b.bodies.length > 1) expect(b.bodies.reduce((n, x) => n + x.length + 2, 0)).to.be.at.most(3_000);
      }
      expect(await t.rollup.tipStateRoot()).to.equal(t.node.chain.latest.stateRoot);
    } finally {
      await t.stop();
    }
  });

  it("posts data from which a replica rebuilds the same state, from L1 alone", async () => {
    const t = await startTestNode(3, { blockTimeMs: 60_000, maxBatchBytes: 2_000 });
    try {
      await sendTransfers(t, 25);
      t.node.sequencer.sealBlock();
      await t.funder.sendTransaction({ to: t.deployer.address, value: 1n }); // unrelated L1 traffic
      await t.bridge.connect(t.funder).depositETH(t.wallets[0].address, { value: 12345n });
      await t.node.pollL1();
      await sendTransfers(t, 10);
      await t.node.flush();

      const head = await ethers.provider.getBlockNumber();
      const queue = await t.node.l1.queueEntries(0, head);
      const replica = L2State.genesis();
      for (const batch of await readPostedBatches(t.node.l1, 0, head)) {
        expect("0x" + replica.root().toString("hex")).to.equal(batch.preStateRoot);
        for (const body of batch.bodies) {
          const r = replayCommitment(replica, body, { chainId: 51730n, queueEntry: (i) => queue[Number(i)] });
          expect(r.verdict).to.deep.equal({ ok: true });
        }
        expect("0x" + replica.root().toString("hex")).to.equal(batch.postStateRoot);
        expect(replica.queueIndex).to.equal(batch.queueCount);
      }
      expect(replica.root().equals(t.node.state.root())).to.equal(true);
      await expectEscrowMatches(t.node, t.bridge, ethers.provider);
    } finally {
      await t.stop();
    }
  });
});

describe("node: accepted transactions are durable", function () {
  this.timeout(120_000);

  it("survives a restart: the journal re-applies every acknowledged transaction not yet on L1", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-journal-"));
    const { testNodeConfig } = await import("../helpers/nodeFixture");
    const { SequencerNode } = await import("../../src/node/sequencer/sequencerNode");
    const t = await startTestNode(2, { dataDir, blockTimeMs: 60_000 });
    let restarted: InstanceType<typeof SequencerNode> | null = null;
    try {
      const send = async (nonce: number, value: bigint) => {
        const raw = await t.wallets[0].signTransaction({ type: 2, chainId: 51730n, to: t.wallets[1].address, value, nonce, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
        return t.node.sendRawTransaction(raw);
      };
      // One transaction posted on L1, then three acknowledged but never posted.
      await send(0, 1n);
      await t.node.flush();
      const hashes = [await send(1, 2n), await send(2, 3n), await send(3, 4n)];
      const expectedRoot = (t.node.sequencer.sealBlock(), t.node.state.root().toString("hex"));
      const tip = t.node.chain.latest;
      await t.stop(); // a crash, as far as L1 is concerned: nothing more was posted

      restarted = new SequencerNode(testNodeConfig(t, t.deployer, { dataDir, blockTimeMs: 60_000 }));
      await restarted.start();
      // The store gave back every block, the unposted ones included, exactly; nothing was replayed.
      expect(restarted.startup).to.deep.equal({ restoredBlocks: tip.number, replayedBlocks: 0, rebuiltFromL1: false });
      expect(restarted.chain.latest.hash).to.equal(tip.hash);
      expect(restarted.chain.unbatched().length).to.be.greaterThan(0);
      restarted.sequencer.sealBlock();
      for (const h of hashes) expect(restarted.chain.tx(h), h).to.not.equal(undefined);
      expect(restarted.state.root().toString("hex")).to.equal(expectedRoot);
      expect(restarted.nonce(t.wallets[0].address, "latest")).to.equal(4n);
      await restarted.flush();
      expect(await t.rollup.tipStateRoot()).to.equal("0x" + expectedRoot);
      expect(fs.readFileSync(path.join(dataDir, "accepted-txs.log"), "utf8")).to.equal("");
    } finally {
      await restarted?.stop();
    }

    // A data directory is one rollup's: another deployment refuses it rather than mixing chains.
    const { deployCairn } = await import("../../deploy/cairn");
    const { DEVNET_PARAMS } = await import("../../deploy/params");
    const other = await deployCairn(t.deployer, DEVNET_PARAMS);
    const stranger = new SequencerNode(testNodeConfig(other, t.deployer, { dataDir }));
    await stranger.start().then(
      () => expect.fail("a store of another rollup must be refused"),
      (e: Error) => expect(e.message).to.match(/belongs to rollup/),
    );
    await stranger.stop();
  });
});
