/**
 * The methods dapp tooling asks for beyond the basics — net_listening, eth_getStorageAt,
 * eth_getBlockReceipts, eth_createAccessList and debug_traceTransaction — through ethers and
 * viem, with the answers an Ethereum node gives for the same transactions.
 */
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther, ZeroHash } from "ethers";
import { createPublicClient, defineChain, http, type Hex } from "viem";
import { startTestNode } from "../helpers/nodeFixture";
import { l2TokenAddress } from "../../src/core/hashing";
import { transferCalldata, withdrawCalldata } from "../../src/core/calldata";
import { WITHDRAWAL_PREDEPLOY } from "../../src/core/constants";

type Started = Awaited<ReturnType<typeof startTestNode>>;
type Frame = { type: string; from: string; to: string; value: string; gas: string; gasUsed: string; input: string; output: string };

describe("rpc: net_listening, storage, block receipts, access lists and call traces", function () {
  this.timeout(60_000);
  let t: Started;
  let provider: JsonRpcProvider;
  let alice: Wallet;
  let l2Token: string;
  const hashes: Record<"eth" | "token" | "withdrawal", string> = { eth: "", token: "", withdrawal: "" };
  const viem = () =>
    createPublicClient({ chain: defineChain({ id: 51730, name: "Cairn", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [t.url] } } }), transport: http(t.url) });

  before(async () => {
    // Blocks sealed by hand only: the three transactions below share one.
    t = await startTestNode(1, { blockTimeMs: 600_000 });
    provider = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    alice = (t.wallets[0] as unknown as Wallet).connect(provider);
    l2Token = l2TokenAddress((await t.token.getAddress()).toLowerCase());
    const fees = { maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n, gasLimit: 100_000n, type: 2 };
    const bob = Wallet.createRandom().address;
    // Three kinds in one block: sent back to back, sealed together.
    hashes.eth = (await alice.sendTransaction({ to: bob, value: 5n, nonce: 0, ...fees })).hash;
    hashes.token = (await alice.sendTransaction({ to: l2Token, data: "0x" + transferCalldata(bob, parseEther("2")).toString("hex"), nonce: 1, ...fees })).hash;
    hashes.withdrawal = (await alice.sendTransaction({ to: WITHDRAWAL_PREDEPLOY, data: "0x" + withdrawCalldata(alice.address, "0x" + "00".repeat(20), parseEther("1")).toString("hex"), nonce: 2, ...fees })).hash;
    t.node.sequencer.sealBlock();
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
  });

  it("rollup_getTokenBalances lists the tokens an account holds, with their registration's symbol and decimals, and none for an account without", async () => {
    const balances = (await provider.send("rollup_getTokenBalances", [alice.address, "latest"])) as Array<Record<string, unknown>>;
    const l1Token = (await t.token.getAddress()).toLowerCase();
    expect(balances).to.deep.equal([{ tokenId: 0, l1Token, l2Token, symbol: "TEST", decimals: 18, balance: "0x" + (parseEther("1000") - parseEther("2")).toString(16) }]);
    expect(await provider.send("rollup_getTokenBalances", [Wallet.createRandom().address])).to.deep.equal([]);
  });

  it("net_listening is true, through ethers and viem", async () => {
    expect(await provider.send("net_listening", [])).to.equal(true);
    expect(await viem().request({ method: "net_listening" })).to.equal(true);
  });

  it("eth_getStorageAt reads zero at every slot of every account and block the node has, and refuses a block it does not", async () => {
    expect(await provider.getStorage(alice.address, 0)).to.equal(ZeroHash);
    expect(await provider.getStorage(l2Token, 5n, 0)).to.equal(ZeroHash);
    expect(await viem().getStorageAt({ address: l2Token as Hex, slot: ("0x" + "ff".repeat(32)) as Hex })).to.equal(ZeroHash);
    const error = await provider.send("eth_getStorageAt", [alice.address, "0x0", "0x99999"]).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(error).to.match(/header not found/);
  });

  it("eth_getBlockReceipts answers, by number and by hash, each receipt eth_getTransactionReceipt gives, in order, with log indices running across the block", async () => {
    const receipt = await provider.getTransactionReceipt(hashes.eth);
    const byNumber = (await provider.send("eth_getBlockReceipts", ["0x" + receipt!.blockNumber.toString(16)])) as Array<Record<string, unknown>>;
    const byHash = (await viem().request({ method: "eth_getBlockReceipts" as "eth_getBlockByHash", params: [receipt!.blockHash as Hex] as never })) as unknown as Array<Record<string, unknown>>;
    expect(byHash).to.deep.equal(byNumber);
    expect(byNumber.map((r) => r.transactionHash)).to.deep.equal([hashes.eth, hashes.token, hashes.withdrawal]);
    for (const r of byNumber) expect(r).to.deep.equal(await provider.send("eth_getTransactionReceipt", [r.transactionHash]));
    expect(await provider.send("eth_getBlockReceipts", ["0x99999"])).to.equal(null);
  });

  it("eth_createAccessList answers an empty list and eth_estimateGas's gas, through viem and ethers", async () => {
    const request = { from: alice.address as Hex, to: l2Token as Hex, data: ("0x" + transferCalldata(Wallet.createRandom().address, 1n).toString("hex")) as Hex };
    const estimate = await provider.estimateGas(request);
    // viem names the sender `account` (it sends no `from` otherwise: the zero address, holding no tokens).
    const viaViem = await viem().createAccessList({ to: request.to, data: request.data, account: request.from });
    expect(viaViem.accessList).to.deep.equal([]);
    expect(viaViem.gasUsed).to.equal(estimate);
    expect(await provider.send("eth_createAccessList", [request, "latest"])).to.deep.equal({ accessList: [], gasUsed: "0x" + estimate.toString(16) });
  });

  it("debug_traceTransaction with callTracer gives one CALL frame for each kind: value, input, gas and the output a token's transfer returns", async () => {
    const trace = async (hash: string) => (await provider.send("debug_traceTransaction", [hash, { tracer: "callTracer" }])) as Frame;
    for (const kind of ["eth", "token", "withdrawal"] as const) {
      const [frame, tx, receipt] = await Promise.all([trace(hashes[kind]), provider.getTransaction(hashes[kind]), provider.getTransactionReceipt(hashes[kind])]);
      expect(frame).to.deep.equal({
        type: "CALL",
        from: alice.address.toLowerCase(),
        to: tx!.to!.toLowerCase(),
        value: "0x" + tx!.value.toString(16),
        gas: "0x" + tx!.gasLimit.toString(16),
        gasUsed: "0x" + receipt!.gasUsed.toString(16),
        input: tx!.data,
        output: kind === "token" ? "0x" + "00".repeat(31) + "01" : "0x",
      });
    }
    const plain = (await viem().request({ method: "debug_traceTransaction" as "eth_chainId", params: [hashes.eth] as never })) as unknown as { failed: boolean; structLogs: unknown[] };
    expect(plain).to.include({ failed: false });
    expect(plain.structLogs).to.deep.equal([]);
    const unknown = await provider.send("debug_traceTransaction", ["0x" + "ab".repeat(32), { tracer: "callTracer" }]).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(unknown).to.match(/transaction not found/);
  });
});
