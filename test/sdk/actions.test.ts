/**
 * The SDK's actions called as functions — the form the package documents first, with a plain
 * object as the connection — in-process against a sequencer on the Hardhat L1. The client
 * object (client.test.ts) and the viem actions (viem.test.ts) bind these same functions.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { JsonRpcProvider, Wallet, parseEther, type HDNodeWallet } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { startTestNode } from "../helpers/nodeFixture";
import { DEVNET_PARAMS } from "../../deploy/params";
import {
  WaitTimeoutError,
  finalizeWithdrawal,
  forceWithdrawal,
  getRollupHistory,
  getRollupStatus,
  getTokenBalances,
  getWithdrawalProof,
  getWithdrawalStatus,
  l2TokenAddress,
  transfer,
  waitForBatch,
  waitForDeposit,
  waitForWithdrawal,
  withdraw,
} from "../../src/sdk";

describe("sdk: the actions as functions over a plain connection", function () {
  this.timeout(120_000);
  let t: Awaited<ReturnType<typeof startTestNode>>;
  let l2: JsonRpcProvider;

  beforeEach(async () => {
    t = await startTestNode(1);
    l2 = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  });
  afterEach(async () => {
    l2.destroy();
    await t.stop();
  });

  it("transfers ETH and a token, withdraws, finds the proof by the L2 transaction, waits for the batch, and reads it all back from L1's history", async () => {
    const key = (t.wallets[0] as HDNodeWallet).privateKey;
    const l2Signer = new Wallet(key, l2);
    // Anyone may finalize: the funded L1 account sends it, the withdrawal's recipient is paid.
    const cairn = { l1: t.funder, l2, addresses: t.addresses, pollMs: 50 };
    const l1Token = await t.token.getAddress();
    const friend = Wallet.createRandom().address;

    const eth = await transfer(l2Signer, { to: friend, amount: parseEther("1") });
    const tok = await transfer(l2Signer, { to: friend, amount: parseEther("7"), l1Token });
    expect(tok.l2Block).to.be.at.least(eth.l2Block);
    expect(await l2.getBalance(friend)).to.equal(parseEther("1"));
    const held = await getTokenBalances(cairn, { address: friend });
    expect(held.map((b) => [b.l1Token, b.l2Token, b.balance])).to.deep.equal([[l1Token.toLowerCase(), l2TokenAddress(l1Token), parseEther("7")]]);

    const { l2Tx, withdrawalId } = await withdraw(l2Signer, { amount: parseEther("2"), l1Recipient: friend });
    const unposted = await getWithdrawalProof(cairn, { hash: l2Tx });
    expect(unposted.withdrawal.id).to.equal(withdrawalId);
    expect([unposted.batchIndex, unposted.proof]).to.deep.equal([null, null]);
    await t.node.flush();
    const batch = await waitForBatch(cairn, { l2Tx });
    expect((await getWithdrawalProof(cairn, { id: withdrawalId })).batchIndex).to.equal(batch);
    await time.increase(DEVNET_PARAMS.challengeWindow);
    await waitForWithdrawal(cairn, { id: withdrawalId, state: "ready" });
    await finalizeWithdrawal(cairn, { proof: await getWithdrawalProof(cairn, { hash: l2Tx }) });
    expect(await ethers.provider.getBalance(friend)).to.equal(parseEther("2"));

    const history = await getRollupHistory(cairn, { fromBlock: t.deployBlock });
    expect(history.batches.map((b) => [b.index, b.state])).to.deep.include([Number(batch), "final"]);
    expect(history.queue.map((q) => q.kind)).to.include.members(["token-registration", "eth-deposit", "token-deposit"]);
    expect(history.payouts.map((p) => [p.id, p.l1Recipient, p.amount])).to.deep.equal([[Number(withdrawalId), friend, parseEther("2")]]);
    expect(history.tokens.map((tk) => tk.l1Token.toLowerCase())).to.deep.equal([l1Token.toLowerCase()]);
    expect(history.l1Time).to.be.at.least(history.batches[0].challengeableUntil);
  });

  it("queues a forced withdrawal on L1 that the L2 applies, and pays it out like any other", async () => {
    const owner = (t.wallets[0] as HDNodeWallet).connect(ethers.provider);
    await (await t.funder.sendTransaction({ to: owner.address, value: parseEther("1") })).wait();
    const cairn = { l1: owner, l2, addresses: t.addresses, pollMs: 50 };
    const queuedBefore = (await getRollupStatus(cairn)).queueConsumed;

    const entry = await forceWithdrawal(cairn, { amount: parseEther("3") });
    expect(entry.queueIndex).to.equal(BigInt(queuedBefore));
    await t.node.pollL1();
    await entry.applied;
    expect(await l2.getBalance(owner.address)).to.equal(parseEther("7"));

    // Sealed and posted; a forced withdrawal has no L2 transaction to find it by: its id is the chain's.
    await t.node.flush();
    const id = t.node.chain.blocks.flatMap((b) => b.withdrawals).find((w) => w.l1Recipient === owner.address.toLowerCase())!.id;
    expect((await waitForWithdrawal(cairn, { id, state: "posted" })).state).to.equal("posted");
    await time.increase(DEVNET_PARAMS.challengeWindow);
    const before = await ethers.provider.getBalance(owner.address);
    const receipt = await finalizeWithdrawal(cairn, { id });
    expect(await ethers.provider.getBalance(owner.address)).to.equal(before + parseEther("3") - receipt.gasUsed * receipt.gasPrice);
    expect((await getWithdrawalStatus(cairn, { id })).state).to.equal("finalized");
  });

  it("gives up a wait with WaitTimeoutError, naming what it waited for and for how long", async () => {
    const error = await waitForDeposit({ l2, pollMs: 20 }, { queueIndex: 1_000n, timeoutMs: 100 }).then(
      () => expect.fail("no such entry should be applied"),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(WaitTimeoutError);
    expect(error).to.include({ code: "WAIT_TIMEOUT", what: "L1 queue entry 1000 applied on L2", timeoutMs: 100 });
  });
});
