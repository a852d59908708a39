import { expect } from "chai";
import hre from "hardhat";
import { createPublicClient, createWalletClient, custom, http, parseEther, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Wallet } from "ethers";
import { hardhat } from "viem/chains";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { startTestNode } from "../helpers/nodeFixture";
import { CairnClientError, SignerRequiredError, WithdrawalNotPostedError, cairnL1Actions, cairnL2Actions, cairnL2WalletActions } from "../../src/sdk";
import { DEVNET_PARAMS } from "../../deploy/params";

describe("sdk: viem actions", function () {
  this.timeout(120_000);

  it("deposit on L1, a forced and an L2 withdrawal, their proofs by id and by hash, token balances, finalization — all through viem clients", async () => {
    const t = await startTestNode(1);
    try {
      const account = privateKeyToAccount(Wallet.createRandom().privateKey as Hex);
      await (await t.funder.sendTransaction({ to: account.address, value: parseEther("5") })).wait();
      const l1 = createWalletClient({ account, chain: hardhat, transport: custom(hre.network.provider) }).extend(cairnL1Actions(t.addresses));
      const l1Public = createPublicClient({ chain: hardhat, transport: custom(hre.network.provider) });
      const l2 = createPublicClient({ transport: http(t.url) }).extend(cairnL2Actions());

      await l1Public.waitForTransactionReceipt({ hash: await l1.depositETH({ amount: parseEther("2") }) });
      await l1Public.waitForTransactionReceipt({ hash: await l1.forceWithdrawal({ amount: parseEther("1.5") }) });
      const l2Wallet = createWalletClient({ account: privateKeyToAccount(t.wallets[0].privateKey as Hex), transport: http(t.url) }).extend(cairnL2WalletActions());
      const withdrawal = await l2Wallet.withdraw({ amount: parseEther("1"), l1Recipient: account.address });
      await l2.waitForTransactionReceipt({ hash: withdrawal });
      expect((await l2.getTokenBalances({ address: t.wallets[0].address as Hex })).map((b) => [b.l1Token, b.balance])).to.deep.equal([[(await t.token.getAddress()).toLowerCase(), parseEther("1000")]]);
      await t.node.pollL1();
      await t.node.flush();
      const status = await l2.getRollupStatus();
      expect(status.queueConsumed).to.be.greaterThan(0);

      // The forced withdrawal's: its L2 sender is the L1 caller (the L2 one pays the same recipient,
      // and may be sealed first).
      const id = t.node.chain.blocks.flatMap((b) => b.withdrawals).find((w) => w.l2Sender === account.address.toLowerCase())!.id;
      const proof = await l2.getWithdrawalProof({ id });
      expect(proof.batchIndex).to.be.a("bigint");
      expect(await l1.isBatchFinal({ index: proof.batchIndex! })).to.equal(false);
      await time.increase(DEVNET_PARAMS.challengeWindow);
      const before = await l1Public.getBalance({ address: account.address });
      const receipt = await l1Public.waitForTransactionReceipt({ hash: await l1.finalizeWithdrawal({ proof }) });
      expect(await l1Public.getBalance({ address: account.address })).to.equal(before + parseEther("1.5") - receipt.gasUsed * receipt.effectiveGasPrice);

      const byHash = await l2.getWithdrawalProof({ hash: withdrawal });
      expect(byHash.withdrawal.amount).to.equal(parseEther("1"));
      const second = await l1Public.waitForTransactionReceipt({ hash: await l1.finalizeWithdrawal({ proof: byHash }) });
      const paid = before + parseEther("2.5") - (receipt.gasUsed * receipt.effectiveGasPrice + second.gasUsed * second.effectiveGasPrice);
      expect(await l1Public.getBalance({ address: account.address })).to.equal(paid);
    } finally {
      await t.stop();
    }
  });

  it("refuses to finalize a withdrawal not yet posted with the SDK's typed error, before sending anything", async () => {
    const account = privateKeyToAccount(Wallet.createRandom().privateKey as Hex);
    const l1 = createWalletClient({ account, chain: hardhat, transport: custom(hre.network.provider) }).extend(cairnL1Actions({ bridge: Wallet.createRandom().address, rollup: Wallet.createRandom().address }));
    const zero = "0x0000000000000000000000000000000000000000";
    const proof = { withdrawal: { id: 7n, l2Sender: zero, l1Recipient: zero, l1Token: zero, amount: 1n }, l2BlockNumber: 3n, batchIndex: null, proof: null } as const;
    const error = await l1.finalizeWithdrawal({ proof }).then(
      () => expect.fail("finalizing should fail"),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(WithdrawalNotPostedError).and.instanceOf(CairnClientError);
    expect((error as WithdrawalNotPostedError).code).to.equal("WITHDRAWAL_NOT_POSTED");
    expect((error as Error).message).to.match(/withdrawal 7 is not in a posted batch yet/);
  });

  it("asks for an account, in the SDK's typed error, when neither the client nor the call names one", async () => {
    const l1 = createWalletClient({ chain: hardhat, transport: custom(hre.network.provider) }).extend(cairnL1Actions({ bridge: Wallet.createRandom().address, rollup: Wallet.createRandom().address }));
    const error = await l1.depositETH({ amount: 1n }).then(
      () => expect.fail("depositing should fail"),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(SignerRequiredError);
    expect((error as Error).message).to.match(/depositETH needs an account/);
  });
});
