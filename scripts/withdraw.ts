/**
 * Withdraw ETH from Cairn to L1 and finalize it once the challenge window has passed — a flow
 * to copy into a dapp. On the devnet, `advanceL1Time` skips the wait (evm_increaseTime).
 *
 *   npx ts-node --transpile-only scripts/withdraw.ts 0.2
 */
import fs from "node:fs";
import { JsonRpcProvider, Wallet, formatEther, parseEther } from "ethers";
import { CairnClient, type CairnAddresses } from "../src/sdk";

export async function withdrawFlow(
  l1Url: string,
  l2Url: string,
  addresses: CairnAddresses,
  privateKey: string,
  amount: string,
  advanceL1Time?: (seconds: number) => Promise<void>,
) {
  const l1 = new JsonRpcProvider(l1Url, undefined, { cacheTimeout: -1 });
  const l2 = new JsonRpcProvider(l2Url, undefined, { cacheTimeout: -1, pollingInterval: 200 });
  try {
    const cairn = new CairnClient({ l1: new Wallet(privateKey, l1), l2, addresses, pollMs: 200 });
    const { l2Tx, withdrawalId } = await cairn.withdraw(new Wallet(privateKey, l2), { amount: parseEther(amount) });
    console.log(`withdrawal ${withdrawalId} sent on L2 (${l2Tx}); waiting for its batch on L1…`);
    const posted = await cairn.waitForWithdrawal(withdrawalId, "posted");
    console.log(`in batch ${posted.batchIndex}, challengeable until ${new Date(posted.challengeableUntil! * 1000).toISOString()}`);
    if (advanceL1Time) await advanceL1Time(Number(await cairn.rollup.challengeWindow()));
    await cairn.waitForWithdrawal(withdrawalId, "ready");
    const receipt = await cairn.finalizeWithdrawal(withdrawalId);
    console.log(`paid out ${amount} ETH on L1 (${receipt.hash}); L1 balance ${formatEther(await l1.getBalance(receipt.from))}`);
    return receipt;
  } finally {
    l1.destroy();
    l2.destroy();
  }
}

if (require.main === module) {
  const info = JSON.parse(fs.readFileSync(".cairn/devnet.json", "utf8"));
  const l1 = new JsonRpcProvider(info.l1.rpcUrl);
  const advance = async (s: number) => {
    await l1.send("evm_increaseTime", [s]);
    await l1.send("evm_mine", []);
  };
  withdrawFlow(info.l1.rpcUrl, info.l2.rpcUrl, info.contracts, info.accounts[0].privateKey, process.argv[2] ?? "0.1", advance)
    .then(() => l1.destroy())
    .catch((e: unknown) => {
      console.error((e as Error).message);
      process.exit(1);
    });
}
