/**
 * Deposit ETH to Cairn and wait until it is spendable on L2 — a flow to copy into a dapp.
 *
 *   npx ts-node --transpile-only scripts/deposit.ts 0.5     # with .cairn/devnet.json's first key
 */
import fs from "node:fs";
import { JsonRpcProvider, Wallet, formatEther, parseEther } from "ethers";
import { CairnClient, type CairnAddresses } from "../src/sdk";

export async function depositFlow(l1Url: string, l2Url: string, addresses: CairnAddresses, privateKey: string, amount: string) {
  const l1 = new JsonRpcProvider(l1Url, undefined, { cacheTimeout: -1 });
  const l2 = new JsonRpcProvider(l2Url, undefined, { cacheTimeout: -1 });
  try {
    const wallet = new Wallet(privateKey, l1);
    const cairn = new CairnClient({ l1: wallet, l2, addresses, pollMs: 200 });
    const deposit = await cairn.depositETH(parseEther(amount));
    console.log(`deposited ${amount} ETH on L1 (${deposit.l1Tx}); waiting for the L2 credit…`);
    await deposit.credited;
    const balance = await l2.getBalance(wallet.address);
    console.log(`credited: ${formatEther(balance)} ETH on Cairn`);
    return balance;
  } finally {
    l1.destroy();
    l2.destroy();
  }
}

if (require.main === module) {
  const info = JSON.parse(fs.readFileSync(".cairn/devnet.json", "utf8"));
  depositFlow(info.l1.rpcUrl, info.l2.rpcUrl, info.contracts, info.accounts[0].privateKey, process.argv[2] ?? "0.1").catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
