import { expect } from "chai";
import { JsonRpcProvider, NonceManager, Wallet, parseEther } from "ethers";
import { createPublicClient, createWalletClient, defineChain, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startTestNode } from "../helpers/nodeFixture";
import { DEVNET_PARAMS } from "../../deploy/params";

/**
 * ethers' tx.wait() looks for the receipt once, then only at its next block poll (every 4 s by
 * default); viem's waitForTransactionReceipt likewise. On a chain that answers null while the
 * transaction sits in the block being built, a wallet's default wait is seconds, or forever
 * when no further block comes. Cairn answers a receipt request for such a transaction once its
 * block is sealed, so the first look finds it.
 */
describe("receipts: every tx.wait() with the libraries' defaults resolves at once, on an idle chain", function () {
  this.timeout(300_000);

  it("100 ETH transfers sent one at a time with ethers' default JsonRpcProvider: every wait() within 2 s, and the gas Ethereum reports", async () => {
    const t = await startTestNode(1, { blockTimeMs: 50 });
    try {
      const provider = new JsonRpcProvider(t.url, undefined, { staticNetwork: true });
      // The provider caches identical requests for 250 ms, nonce queries included: a script
      // sending back to back keeps its own nonce, as ethers' NonceManager does.
      const sender = new NonceManager(new Wallet(t.wallets[0].privateKey, provider));
      const to = Wallet.createRandom().address;
      let slowest = 0;
      for (let i = 0; i < 100; i++) {
        const tx = await sender.sendTransaction({ to, value: 1n, gasLimit: 21_000n });
        const started = performance.now();
        const receipt = await tx.wait();
        slowest = Math.max(slowest, performance.now() - started);
        expect(receipt?.status).to.equal(1);
        expect(receipt?.gasUsed).to.equal(21_000n);
      }
      expect(slowest, `slowest wait ${slowest.toFixed(0)} ms`).to.be.below(2_000);
      expect(await provider.getBalance(to)).to.equal(100n);
      provider.destroy();
    } finally {
      await t.stop();
    }
  });

  it("50 transfers with viem's default waitForTransactionReceipt: each within 2 s", async () => {
    const t = await startTestNode(1, { blockTimeMs: 50 });
    try {
      const chain = defineChain({ id: Number(DEVNET_PARAMS.l2ChainId), name: "cairn", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [t.url] } } });
      const account = privateKeyToAccount(t.wallets[0].privateKey as `0x${string}`);
      const wallet = createWalletClient({ account, chain, transport: http(t.url) });
      const client = createPublicClient({ chain, transport: http(t.url) });
      const to = privateKeyToAccount(Wallet.createRandom().privateKey as `0x${string}`).address;
      let slowest = 0;
      for (let i = 0; i < 50; i++) {
        const hash = await wallet.sendTransaction({ to, value: parseEther("0.001") });
        const started = performance.now();
        const receipt = await client.waitForTransactionReceipt({ hash });
        slowest = Math.max(slowest, performance.now() - started);
        expect(receipt.status).to.equal("success");
        expect(receipt.gasUsed).to.equal(21_000n);
      }
      expect(slowest, `slowest wait ${slowest.toFixed(0)} ms`).to.be.below(2_000);
    } finally {
      await t.stop();
    }
  });

  it("a receipt asked for while its block is open comes back once the block is sealed, not null", async () => {
    const t = await startTestNode(1, { blockTimeMs: 300 });
    try {
      const provider = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
      const wallet = new Wallet(t.wallets[0].privateKey, provider);
      const tx = await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 1n });
      // Asked at once: the transaction is in the open block, which seals within 300 ms.
      const receipt = await provider.send("eth_getTransactionReceipt", [tx.hash]);
      expect(receipt?.transactionHash).to.equal(tx.hash);
      // An unknown hash is null at once.
      const started = performance.now();
      expect(await provider.send("eth_getTransactionReceipt", ["0x" + "ab".repeat(32)])).to.equal(null);
      expect(performance.now() - started).to.be.below(250);
      provider.destroy();
    } finally {
      await t.stop();
    }
  });
});
