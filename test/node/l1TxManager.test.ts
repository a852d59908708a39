import { expect } from "chai";
import { ethers, network } from "hardhat";
import { Wallet } from "ethers";
import { L1TransactionTimeoutError, L1TxManager } from "../../src/node/l1/txManager";
import { silentLogger } from "../../src/shared/logger";
import { startTestNode } from "../helpers/nodeFixture";
import { until } from "../helpers/until";

/** Hashes of the transactions waiting in the in-process L1's mempool. */
async function mempool(): Promise<string[]> {
  const block = (await network.provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] };
  return block.transactions;
}

async function withManualMining<T>(body: () => Promise<T>): Promise<T> {
  await network.provider.send("evm_setAutomine", [false]);
  try {
    return await body();
  } finally {
    for (const h of await mempool()) await network.provider.send("hardhat_dropTransaction", [h]);
    await network.provider.send("evm_setAutomine", [true]);
  }
}

describe("L1TxManager: every L1 transaction of a node gets mined or fails loudly", function () {
  this.timeout(60_000);
  const fast = { logger: silentLogger, resendAfterMs: 300, pollMs: 25 };

  it("sends a transaction dropped from the mempool again, and it is mined", async () => {
    const [, sender] = await ethers.getSigners();
    const to = Wallet.createRandom().address;
    const txs = new L1TxManager(sender, fast);
    await withManualMining(async () => {
      const sent = txs.send({ to, value: 5n }, "payment");
      await until("the transaction in the mempool", async () => (await mempool()).length === 1);
      const [first] = await mempool();
      await network.provider.send("hardhat_dropTransaction", [first]);
      await until("a second copy", async () => (await mempool()).length === 1 && (await mempool())[0] !== first);
      await network.provider.send("evm_mine", []);
      const receipt = await sent;
      expect(receipt.status).to.equal(1);
      expect(receipt.hash).to.not.equal(first);
      expect(txs.resends).to.be.greaterThan(0);
    });
    expect(await ethers.provider.getBalance(to)).to.equal(5n);
  });

  it("replaces a transaction left unmined with one at the same nonce and higher fees", async () => {
    const [, sender] = await ethers.getSigners();
    const to = Wallet.createRandom().address;
    const txs = new L1TxManager(sender, fast);
    const nonce = await ethers.provider.getTransactionCount(sender.address, "latest");
    await withManualMining(async () => {
      const sent = txs.send({ to, value: 7n }, "payment");
      await until("the transaction in the mempool", async () => (await mempool()).length === 1);
      const first = await ethers.provider.getTransaction((await mempool())[0]);
      await until("a replacement", async () => (await mempool())[0] !== first!.hash);
      const replacement = await ethers.provider.getTransaction((await mempool())[0]);
      expect(replacement!.nonce).to.equal(nonce);
      expect(replacement!.maxFeePerGas! > first!.maxFeePerGas!).to.equal(true);
      expect(replacement!.maxPriorityFeePerGas! > first!.maxPriorityFeePerGas!).to.equal(true);
      await network.provider.send("evm_mine", []);
      expect((await ethers.provider.getTransaction((await sent).hash))!.nonce).to.equal(nonce);
    });
    expect(await ethers.provider.getBalance(to)).to.equal(7n);
  });

  it("notices its nonce taken by another transaction of the account and sends at the next one", async () => {
    const [, sender] = await ethers.getSigners();
    const to = Wallet.createRandom().address;
    const txs = new L1TxManager(sender, { ...fast, resendAfterMs: 60_000 });
    const nonce = await ethers.provider.getTransactionCount(sender.address, "latest");
    await withManualMining(async () => {
      const sent = txs.send({ to, value: 9n }, "payment");
      await until("the transaction in the mempool", async () => (await mempool()).length === 1);
      await network.provider.send("hardhat_dropTransaction", [(await mempool())[0]]);
      // Another process of the same account spends the nonce.
      await sender.sendTransaction({ to: sender.address, value: 1n, nonce });
      await network.provider.send("evm_mine", []);
      await until("the transaction at the next nonce", async () => (await mempool()).length === 1);
      await network.provider.send("evm_mine", []);
      expect((await ethers.provider.getTransaction((await sent).hash))!.nonce).to.equal(nonce + 1);
    });
    expect(await ethers.provider.getBalance(to)).to.equal(9n);
  });

  it("fails at once, sending nothing, when the transaction would revert", async () => {
    const t = await startTestNode(1);
    try {
      const [, , , , , stranger] = await ethers.getSigners();
      const txs = new L1TxManager(stranger, fast);
      const before = await ethers.provider.getTransactionCount(stranger.address);
      // Not bonded: submitBatch reverts in the gas estimate.
      const data = t.rollup.interface.encodeFunctionData("submitBatch", [0, ethers.ZeroHash, 0, "0x00"]);
      await txs.send({ to: t.addresses.rollup, data }, "batch").then(
        () => expect.fail("sent a reverting transaction"),
        (e: unknown) => expect((e as Error).message).to.match(/RollupProposerNotBonded|reverted/),
      );
      expect(await ethers.provider.getTransactionCount(stranger.address)).to.equal(before);
    } finally {
      await t.stop();
    }
  });

  it("gives up with L1TransactionTimeoutError when no copy is mined in time", async () => {
    const [, sender] = await ethers.getSigners();
    const txs = new L1TxManager(sender, { ...fast, timeoutMs: 700 });
    await withManualMining(async () => {
      await txs.send({ to: Wallet.createRandom().address, value: 1n }, "payment").then(
        () => expect.fail("mined without mining"),
        (e: unknown) => {
          expect(e).to.be.instanceOf(L1TransactionTimeoutError);
          expect((e as L1TransactionTimeoutError).hashes.length).to.be.greaterThan(1);
        },
      );
    });
  });

  it("lands the sequencer's batch although its submission was dropped from the L1 mempool", async () => {
    const t = await startTestNode(1, { l1Tx: { resendAfterMs: 300, pollMs: 25 }, maxBatchAgeMs: 3_600_000 });
    try {
      const alice = t.wallets[0];
      const raw = await alice.signTransaction({ type: 2, chainId: 51730n, to: Wallet.createRandom().address, value: 1n, nonce: Number(t.node.nonce(alice.address, "pending")), gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
      await t.node.sendRawTransaction(raw);
      t.node.sequencer.sealBlock();
      const batches = Number(await t.rollup.batchCount());
      await withManualMining(async () => {
        const posting = t.node.submitter.tick(true);
        await until("the batch in the mempool", async () => (await mempool()).length === 1);
        await network.provider.send("hardhat_dropTransaction", [(await mempool())[0]]);
        await until("the batch sent again", async () => (await mempool()).length === 1);
        await network.provider.send("evm_mine", []);
        await posting;
      });
      expect(await t.rollup.batchCount()).to.equal(BigInt(batches + 1));
      expect(t.node.chain.unbatched()).to.deep.equal([]);
      expect(t.node.txs.resends).to.be.greaterThan(0);
    } finally {
      await t.stop();
    }
  });
});
