import { expect } from "chai";
import { Contract, JsonRpcProvider, WebSocketProvider, Wallet, parseEther, isError, type HDNodeWallet } from "ethers";
import { createPublicClient, createWalletClient, defineChain, http, webSocket, parseAbi, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startTestNode } from "../helpers/nodeFixture";
import { l2TokenAddress } from "../../src/core/hashing";
import { WITHDRAWAL_PREDEPLOY } from "../../src/core/constants";

const ERC20 = [
  "function name() view returns (string)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function totalSupply() view returns (uint256)",
  "function balanceOf(address) view returns (uint256)",
  "function transfer(address to, uint256 amount) returns (bool)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
];

describe("rpc: a dapp uses Cairn's L2 through ethers and viem, unchanged", function () {
  this.timeout(120_000);
  let t: Awaited<ReturnType<typeof startTestNode>>;
  let l2: JsonRpcProvider;
  let l2Token: string;

  before(async () => {
    t = await startTestNode(3, { blockTimeMs: 30 });
    l2 = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    l2Token = l2TokenAddress((await t.token.getAddress()).toLowerCase());
  });
  after(async () => {
    l2?.destroy();
    await t?.stop();
  });

  const wallet = (i: number) => new Wallet((t.wallets[i] as HDNodeWallet).privateKey, l2);

  describe("ethers v6", () => {
    it("sends ETH and waits for the receipt; the balance drops by value + gasUsed × gasPrice exactly", async () => {
      const alice = wallet(0);
      const before = await l2.getBalance(alice.address);
      const tx = await alice.sendTransaction({ to: Wallet.createRandom().address, value: parseEther("0.25") });
      const receipt = (await tx.wait())!;
      expect(receipt.status).to.equal(1);
      expect(await l2.getBalance(alice.address)).to.equal(before - parseEther("0.25") - receipt.gasUsed * receipt.gasPrice);
      const block = (await l2.getBlock(receipt.blockNumber, true))!;
      expect(block.transactions).to.include(tx.hash);
      expect(block.baseFeePerGas).to.be.greaterThan(0n);
      expect((await l2.getTransaction(tx.hash))!.blockNumber).to.equal(receipt.blockNumber);
    });

    it("reads and transfers a bridged token through an ERC-20 Contract, with Transfer logs", async () => {
      const alice = wallet(0);
      const token = new Contract(l2Token, ERC20, alice);
      expect(await token.name()).to.equal("Test Token");
      expect(await token.symbol()).to.equal("TEST");
      expect(await token.decimals()).to.equal(18n);
      expect(await token.totalSupply()).to.equal(parseEther("3000"));
      const bob = Wallet.createRandom().address;
      const tx = await token.transfer(bob, parseEther("5"));
      const receipt = await tx.wait();
      const [event] = receipt.logs.map((l: { topics: string[]; data: string }) => token.interface.parseLog(l));
      expect(event.name).to.equal("Transfer");
      expect(event.args.to).to.equal(bob);
      expect(await token.balanceOf(bob)).to.equal(parseEther("5"));
      const logs = await token.queryFilter(token.filters.Transfer(null, bob), 0, "latest");
      expect(logs).to.have.length(1);
    });

    it("delivers contract events to contract.on (polled filters)", async () => {
      const alice = wallet(1);
      const token = new Contract(l2Token, ERC20, alice);
      const bob = Wallet.createRandom().address;
      const seen = new Promise<bigint>((resolve) =>
        token.on("Transfer", (_from: string, to: string, value: bigint) => {
          if (to === bob) resolve(value);
        }),
      );
      await new Promise((r) => setTimeout(r, 300)); // let the filter install
      await (await token.transfer(bob, 7n)).wait();
      expect(await seen).to.equal(7n);
      await token.removeAllListeners();
    });

    it("subscribes to new heads over WebSocket", async () => {
      const ws = new WebSocketProvider(t.url.replace("http", "ws"), undefined, { staticNetwork: true });
      try {
        const heads = new Promise<number>((resolve) => ws.once("block", (n: number) => resolve(n)));
        await new Promise((r) => setTimeout(r, 200));
        const tx = await wallet(2).sendTransaction({ to: Wallet.createRandom().address, value: 1n });
        await tx.wait();
        expect(await heads).to.be.greaterThan(0);
      } finally {
        await ws.destroy();
      }
    });

    it("maps geth's error words to ethers' error codes", async () => {
      const alice = wallet(0);
      const nonce = await l2.getTransactionCount(alice.address, "pending");
      try {
        await alice.sendTransaction({ to: alice.address, value: 1n, nonce: nonce - 1 });
        expect.fail("sent a stale nonce");
      } catch (e) {
        expect(isError(e, "NONCE_EXPIRED")).to.equal(true);
      }
      const poor = Wallet.createRandom().connect(l2);
      try {
        await poor.sendTransaction({ to: alice.address, value: 1n, gasLimit: 30_000n });
        expect.fail("sent without funds");
      } catch (e) {
        expect(isError(e, "INSUFFICIENT_FUNDS")).to.equal(true);
      }
    });
  });

  describe("viem", () => {
    const chain = () =>
      defineChain({ id: 51730, name: "Cairn devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [t.url] } }, contracts: { multicall3: { address: "0xca11bde05977b3631167028862be2a173976ca11" } } });

    it("reads balances and token views, batched through Multicall3", async () => {
      const client = createPublicClient({ chain: chain(), transport: http(t.url) });
      const abi = parseAbi(ERC20);
      const alice = t.wallets[0].address as Hex;
      const [balance, symbol] = await client.multicall({
        contracts: [
          { address: l2Token as Hex, abi, functionName: "balanceOf", args: [alice] },
          { address: l2Token as Hex, abi, functionName: "symbol" },
        ],
        allowFailure: false,
      });
      expect(balance).to.equal(await new Contract(l2Token, ERC20, l2).balanceOf(alice));
      expect(symbol).to.equal("TEST");
      expect(await client.getBalance({ address: alice })).to.equal(await l2.getBalance(alice));
      expect(await client.getChainId()).to.equal(51730);
    });

    it("sends a transaction with a wallet client and waits for its receipt", async () => {
      const account = privateKeyToAccount((t.wallets[1] as HDNodeWallet).privateKey as Hex);
      const walletClient = createWalletClient({ account, chain: chain(), transport: http(t.url) });
      const client = createPublicClient({ chain: chain(), transport: http(t.url), pollingInterval: 50 });
      const to = Wallet.createRandom().address as Hex;
      const hash = await walletClient.sendTransaction({ to, value: 12345n });
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      expect(receipt.status).to.equal("success");
      expect(await client.getBalance({ address: to })).to.equal(12345n);
      const fees = await client.estimateFeesPerGas();
      expect(fees.maxFeePerGas).to.be.greaterThan(0n);
    });

    it("withdraws through the predeploy and gets the proof finalizeWithdrawal needs", async () => {
      const account = privateKeyToAccount((t.wallets[2] as HDNodeWallet).privateKey as Hex);
      const walletClient = createWalletClient({ account, chain: chain(), transport: http(t.url) });
      const client = createPublicClient({ chain: chain(), transport: http(t.url) });
      const hash = await walletClient.writeContract({
        address: WITHDRAWAL_PREDEPLOY as Hex,
        abi: parseAbi(["function withdraw(address l1Recipient, address token, uint256 amount)"]),
        functionName: "withdraw",
        args: [account.address, "0x0000000000000000000000000000000000000000", 1000n],
      });
      await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      await t.node.flush();
      const proof = (await client.request({ method: "rollup_getWithdrawalProof" as never, params: [hash] as never })) as { batchIndex: string; proof: string[] };
      expect(proof.batchIndex).to.match(/^0x/);
      expect(proof.proof).to.be.an("array");
    });

    it("watches blocks over a WebSocket transport", async () => {
      const client = createPublicClient({ chain: chain(), transport: webSocket(t.url.replace("http", "ws")) });
      const got = new Promise<bigint>((resolve) => {
        const unwatch = client.watchBlockNumber({ onBlockNumber: (n) => (unwatch(), resolve(n)), emitOnBegin: false });
      });
      await new Promise((r) => setTimeout(r, 200));
      await (await wallet(0).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
      expect(await got).to.be.greaterThan(0n);
      await (client.transport as { getRpcClient?: () => Promise<{ close(): void }> }).getRpcClient?.().then((c) => c.close());
    });
  });
});
