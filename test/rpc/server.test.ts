import { expect } from "chai";
import { JsonRpcProvider, Transaction, Wallet, parseEther } from "ethers";
import fc from "fast-check";
import { startTestNode, postRaw, rpc } from "../helpers/nodeFixture";
import { createMethods } from "../../src/rpc/methods";

type Started = Awaited<ReturnType<typeof startTestNode>>;

describe("rpc: the sequencer's JSON-RPC", function () {
  let t: Started;
  let alice: Wallet;

  before(async () => {
    t = await startTestNode(2);
    alice = t.wallets[0] as unknown as Wallet;
  });
  after(async () => t?.stop());

  const sign = (w: Wallet, overrides: Record<string, unknown> = {}) =>
    w.signTransaction({ type: 2, chainId: 51730n, to: Wallet.createRandom().address, value: 1n, nonce: 0, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n, ...overrides });

  const stateRoot = () => t.node.state.root().toString("hex");

  it("answers the basics ethers asks for", async () => {
    expect((await rpc(t.url, "eth_chainId")).result).to.equal("0xca12");
    expect((await rpc(t.url, "eth_getBalance", [alice.address, "latest"])).result).to.equal("0x" + parseEther("10").toString(16));
    expect((await rpc(t.url, "eth_getTransactionCount", [alice.address, "pending"])).result).to.equal("0x0");
    expect((await rpc(t.url, "eth_getTransactionReceipt", ["0x" + "ab".repeat(32)])).result).to.equal(null);
    const status = (await rpc(t.url, "rollup_status")).result as Record<string, unknown>;
    expect(status).to.include.keys("l2BlockNumber", "stateRoot", "batches", "pendingDeposits");
    expect(status.batches).to.deep.equal({ posted: 0, final: 0, reverted: 0 });
  });

  it("accepts a signed transfer, returns its hash and receipts it once sealed", async () => {
    const raw = await sign(alice, { nonce: 0 });
    const res = await rpc(t.url, "eth_sendRawTransaction", [raw]);
    expect(res.result).to.equal(Transaction.from(raw).hash);
    t.node.sequencer.sealBlock();
    const receipt = (await rpc(t.url, "eth_getTransactionReceipt", [res.result])).result as Record<string, string>;
    expect(receipt.status).to.equal("0x1");
    expect(BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice)).to.be.greaterThan(0n);
  });

  it("refuses malformed bytes with a clear error and changes no state", async () => {
    const root = stateRoot();
    for (const raw of ["0x", "0x02", "0xdeadbeef", "not hex", "0x" + "ff".repeat(300)]) {
      const res = await rpc(t.url, "eth_sendRawTransaction", [raw]);
      expect(res.error?.code, raw).to.equal(-32000);
      expect(res.error?.message, raw).to.match(/invalid transaction/);
    }
    expect((await rpc(t.url, "eth_sendRawTransaction", [42])).error?.code).to.equal(-32602);
    expect(stateRoot()).to.equal(root);
  });

  it("refuses a wrongly signed transaction: the tampered signature names an account with no funds", async () => {
    const root = stateRoot();
    const tx = Transaction.from(await sign(alice, { nonce: 1 }));
    const sig = tx.signature!.clone();
    tx.signature = { r: sig.r, s: "0x" + (BigInt(sig.s) - 1n).toString(16).padStart(64, "0"), yParity: sig.yParity } as never;
    const res = await rpc(t.url, "eth_sendRawTransaction", [tx.serialized]);
    expect(res.error?.message).to.match(/insufficient funds|invalid sender/);
    expect(stateRoot()).to.equal(root);
  });

  it("words nonce, chain and fee errors as geth does", async () => {
    const root = stateRoot();
    expect((await rpc(t.url, "eth_sendRawTransaction", [await sign(alice, { nonce: 0 })])).error?.message).to.match(/^nonce too low/);
    expect((await rpc(t.url, "eth_sendRawTransaction", [await sign(alice, { nonce: 9 })])).error?.message).to.match(/^nonce too high/);
    expect((await rpc(t.url, "eth_sendRawTransaction", [await sign(alice, { nonce: 1, chainId: 1n })])).error?.message).to.match(/^invalid chain id for signer/);
    expect((await rpc(t.url, "eth_sendRawTransaction", [await sign(alice, { nonce: 1, maxFeePerGas: 1n })])).error?.message).to.match(/^max fee per gas less than block base fee/);
    expect((await rpc(t.url, "eth_sendRawTransaction", [await sign(alice, { nonce: 1, value: parseEther("100") })])).error?.message).to.match(/^insufficient funds for gas \* price \+ value/);
    expect((await rpc(t.url, "eth_sendRawTransaction", [await sign(alice, { nonce: 1, data: "0x1234" })])).error?.message).to.match(/^unsupported call/);
    expect(stateRoot()).to.equal(root);
  });

  it("answers transport-level garbage with JSON-RPC errors and stays up", async () => {
    expect((await postRaw(t.url, "{not json")).json).to.deep.include({ error: { code: -32700, message: "parse error" } });
    expect(((await postRaw(t.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_nope" }))).json as { error: { code: number } }).error.code).to.equal(-32601);
    expect(((await postRaw(t.url, "[]")).json as { error: { code: number } }).error.code).to.equal(-32600);
    expect(((await postRaw(t.url, "null")).json as { error: { code: number } }).error.code).to.equal(-32600);
    expect(((await postRaw(t.url, JSON.stringify([1, "x"]))).json as unknown[]).length).to.equal(2);
    expect((await rpc(t.url, "eth_getBalance", ["0x1234", "latest"])).error?.code).to.equal(-32602);
    expect((await rpc(t.url, "eth_getBlockByNumber", ["tomorrow", false])).error?.code).to.equal(-32602);
    const big = await postRaw(t.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: ["x".repeat(6 * 1024 * 1024)] }));
    expect(big.status).to.equal(413);
    const batch = (await postRaw(t.url, JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "eth_chainId" }]))).json;
    expect(batch).to.be.an("array").with.length(1);
    expect((await rpc(t.url, "eth_blockNumber")).result).to.match(/^0x/);
  });

  it("lets an ethers Wallet send ETH and read the exact balance change", async () => {
    const l2 = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    try {
      const bob = t.wallets[1].connect(l2);
      const before = await l2.getBalance(bob.address);
      const tx = await bob.sendTransaction({ to: alice.address, value: parseEther("1") });
      const receipt = (await tx.wait())!;
      expect(await l2.getBalance(bob.address)).to.equal(before - parseEther("1") - receipt.gasUsed * receipt.gasPrice);
      expect(tx.gasLimit % 1000n).to.equal(0n); // estimates are quantized so fee tuples compress
    } finally {
      l2.destroy();
    }
  });

  describe("conformance", () => {
    const TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

    it("answers the node and fee basics in Ethereum's formats", async () => {
      const l2Token = (await import("../../src/core/hashing")).l2TokenAddress((await t.token.getAddress()).toLowerCase());
      expect((await rpc(t.url, "web3_clientVersion")).result).to.match(/^cairn\//);
      expect((await rpc(t.url, "net_version")).result).to.equal("51730");
      expect((await rpc(t.url, "eth_syncing")).result).to.equal(false);
      expect((await rpc(t.url, "eth_accounts")).result).to.deep.equal([]);
      expect((await rpc(t.url, "eth_gasPrice")).result).to.equal("0x989680");
      expect((await rpc(t.url, "eth_maxPriorityFeePerGas")).result).to.equal("0x0");
      expect((await rpc(t.url, "eth_getCode", [l2Token, "latest"])).result).to.equal("0xfe");
      expect((await rpc(t.url, "eth_getCode", ["0xca12000000000000000000000000000000000001", "latest"])).result).to.equal("0xfe");
      expect((await rpc(t.url, "eth_getCode", [alice.address, "latest"])).result).to.equal("0x");
      expect((await rpc(t.url, "eth_getBalance", [alice.address, "0x0"])).result, "state at genesis (test/rpc/history.test.ts)").to.equal("0x0");
      const earliest = (await rpc(t.url, "eth_getBlockByNumber", ["earliest", true])).result as Record<string, unknown>;
      expect(earliest.number).to.equal("0x0");
      const byHash = (await rpc(t.url, "eth_getBlockByHash", [earliest.hash, false])).result as Record<string, unknown>;
      expect(byHash.hash).to.equal(earliest.hash);
      expect((await rpc(t.url, "eth_getBlockByHash", ["0x" + "ee".repeat(32), false])).result).to.equal(null);
      expect((await rpc(t.url, "eth_getTransactionByHash", ["0x" + "ee".repeat(32)])).result).to.equal(null);
    });

    it("numbers the pending block latest + 1 and resolves safe and finalized", async () => {
      const latest = Number((await rpc(t.url, "eth_blockNumber")).result);
      const pending = (await rpc(t.url, "eth_getBlockByNumber", ["pending", false])).result as Record<string, unknown>;
      expect(pending.number).to.equal("0x" + (latest + 1).toString(16));
      expect(pending.hash).to.equal(null);
      const safe = (await rpc(t.url, "eth_getBlockByNumber", ["safe", false])).result as Record<string, string>;
      const finalized = (await rpc(t.url, "eth_getBlockByNumber", ["finalized", false])).result as Record<string, string>;
      expect(Number(safe.number)).to.be.at.most(latest);
      expect(Number(finalized.number)).to.be.at.most(Number(safe.number));
    });

    it("serves logs by range, block hash and topic OR-lists", async () => {
      const all = (await rpc(t.url, "eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }])).result as unknown[];
      const transfers = (await rpc(t.url, "eth_getLogs", [{ fromBlock: "0x0", topics: [[TRANSFER, "0x" + "11".repeat(32)]] }])).result as unknown[];
      expect(transfers.length).to.be.at.most(all.length);
      expect((await rpc(t.url, "eth_getLogs", [{ fromBlock: "0x0", address: ["0x" + "22".repeat(20)] }])).result).to.deep.equal([]);
      const block = (await rpc(t.url, "eth_getBlockByNumber", ["latest", false])).result as { hash: string };
      expect((await rpc(t.url, "eth_getLogs", [{ blockHash: block.hash }])).result).to.be.an("array");
      expect((await rpc(t.url, "eth_getLogs", [{ blockHash: block.hash, fromBlock: "0x0" }])).error?.code).to.equal(-32602);
      expect((await rpc(t.url, "eth_getLogs", [{ topics: "nope" }])).error?.code).to.equal(-32602);
    });

    it("estimates token views and transfers, and refuses what Cairn cannot run", async () => {
      const l2Token = (await import("../../src/core/hashing")).l2TokenAddress((await t.token.getAddress()).toLowerCase());
      const balanceOf = "0x70a08231" + "00".repeat(12) + alice.address.slice(2).toLowerCase();
      expect((await rpc(t.url, "eth_estimateGas", [{ to: l2Token, data: balanceOf }])).result).to.match(/^0x/);
      const transfer = "0xa9059cbb" + "00".repeat(12) + "11".repeat(20) + "00".repeat(31) + "05";
      // To an address holding none of the token: an OpenZeppelin ERC-20's figure for it.
      expect(Number((await rpc(t.url, "eth_estimateGas", [{ from: alice.address, to: l2Token, data: transfer }])).result)).to.equal(51_411);
      expect((await rpc(t.url, "eth_estimateGas", [{ to: l2Token, data: "0xdeadbeef" }])).error?.code).to.equal(3);
      expect((await rpc(t.url, "eth_estimateGas", [{ data: "0x6000" }])).error?.message).to.match(/contract creation is not supported/);
      expect((await rpc(t.url, "eth_call", [{ to: alice.address, data: "0x1234" }, "latest"])).error?.message).to.match(/not a contract on Cairn/);
    });

    it("refuses transaction types other than 2 and legacy, naming what Cairn supports", async () => {
      const raw = await alice.signTransaction({ type: 1, chainId: 51730n, to: alice.address, value: 1n, nonce: 0, gasLimit: 30_000n, gasPrice: 20_000_000n, accessList: [] });
      const res = await rpc(t.url, "eth_sendRawTransaction", [raw]);
      expect(res.error?.message).to.match(/^transaction type not supported: transaction type 1 not supported \(Cairn accepts type 2 and legacy EIP-155\)/);
    });

    it("pushes matching logs to eth_subscribe(\"logs\") over WebSocket", async () => {
      const { WebSocket } = await import("ws");
      const socket = new WebSocket(t.url.replace("http", "ws"));
      await new Promise((r) => socket.once("open", r));
      const messages: Array<{ id?: number; result?: unknown; params?: { subscription: string; result: { topics: string[] } } }> = [];
      socket.on("message", (d) => messages.push(JSON.parse(d.toString())));
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["logs", { topics: [TRANSFER] }] }));
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "eth_subscribe", params: ["newPendingTransactions"] }));
      await new Promise((r) => setTimeout(r, 100));
      const l2Token = (await import("../../src/core/hashing")).l2TokenAddress((await t.token.getAddress()).toLowerCase());
      const nonce = Number((await rpc(t.url, "eth_getTransactionCount", [alice.address, "pending"])).result);
      const data = "0xa9059cbb" + "00".repeat(12) + "33".repeat(20) + "00".repeat(31) + "09";
      await rpc(t.url, "eth_sendRawTransaction", [await sign(alice, { nonce, to: l2Token, value: 0n, data, gasLimit: 100_000n })]);
      t.node.sequencer.sealBlock();
      await new Promise((r) => setTimeout(r, 100));
      socket.close();
      const subId = messages.find((m) => m.id === 1)?.result;
      expect(messages.find((m) => m.id === 2)).to.have.nested.property("error.code", -32602);
      const pushed = messages.filter((m) => m.params?.subscription === subId);
      expect(pushed).to.have.length(1);
      expect(pushed[0].params!.result.topics[0]).to.equal(TRANSFER);
    });

    it("installs, polls and uninstalls filters", async () => {
      const id = (await rpc(t.url, "eth_newBlockFilter")).result as string;
      const raw = await sign(alice, { nonce: Number((await rpc(t.url, "eth_getTransactionCount", [alice.address, "pending"])).result) });
      await rpc(t.url, "eth_sendRawTransaction", [raw]);
      t.node.sequencer.sealBlock();
      const changes = (await rpc(t.url, "eth_getFilterChanges", [id])).result as string[];
      expect(changes).to.have.length.greaterThan(0);
      expect((await rpc(t.url, "eth_getFilterChanges", [id])).result).to.deep.equal([]);
      const logFilter = (await rpc(t.url, "eth_newFilter", [{ topics: [TRANSFER] }])).result as string;
      expect((await rpc(t.url, "eth_getFilterLogs", [logFilter])).result).to.be.an("array");
      expect((await rpc(t.url, "eth_uninstallFilter", [id])).result).to.equal(true);
      expect((await rpc(t.url, "eth_uninstallFilter", [id])).result).to.equal(false);
      expect((await rpc(t.url, "eth_getFilterChanges", [id])).error?.message).to.match(/filter not found/);
    });

    it("answers fee history, per-block transaction lookups and batches", async () => {
      const history = (await rpc(t.url, "eth_feeHistory", ["0x4", "latest", [50]])).result as { baseFeePerGas: string[]; gasUsedRatio: number[]; reward: string[][] };
      expect(history.baseFeePerGas.length).to.equal(history.gasUsedRatio.length + 1);
      expect(history.reward).to.have.length(history.gasUsedRatio.length);
      expect((await rpc(t.url, "eth_feeHistory", ["0x0", "latest", []])).error?.code).to.equal(-32602);
      const latest = (await rpc(t.url, "eth_getBlockByNumber", ["latest", false])).result as { number: string; hash: string; transactions: string[] };
      const count = (await rpc(t.url, "eth_getBlockTransactionCountByHash", [latest.hash])).result;
      expect(count).to.equal("0x" + latest.transactions.length.toString(16));
      if (latest.transactions.length) {
        const tx = (await rpc(t.url, "eth_getTransactionByBlockNumberAndIndex", [latest.number, "0x0"])).result as { hash: string };
        expect(tx.hash).to.equal(latest.transactions[0]);
      }
      expect((await rpc(t.url, "eth_getTransactionByBlockHashAndIndex", [latest.hash, "0x99"])).result).to.equal(null);
      await t.node.flush();
      const batch = (await rpc(t.url, "rollup_getBatch", ["0x0"])).result as { index: string; lastBlock: string };
      expect(batch.index).to.equal("0x0");
      expect((await rpc(t.url, "rollup_getBatch", ["0x999"])).result).to.equal(null);
    });

    it("answers every fuzzed body and parameter list with a JSON-RPC response and stays up", async () => {
      const methods = Object.keys(createMethods(t.node)).filter((m) => m !== "eth_sendRawTransaction");
      const junk = fc.oneof(fc.jsonValue(), fc.uint8Array({ maxLength: 40 }).map((b) => "0x" + Buffer.from(b).toString("hex")), fc.constantFrom("latest", "pending", "0x", "0x0", null));
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.record({ jsonrpc: fc.constant("2.0"), id: fc.nat(), method: fc.constantFrom(...methods), params: fc.array(junk, { maxLength: 4 }) }).map((r) => JSON.stringify(r)),
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.string({ maxLength: 200 }),
          ),
          async (body) => {
            const { status, json } = await postRaw(t.url, body);
            expect(status, body).to.be.oneOf([200, 204]);
            if (json !== null) {
              const responses = Array.isArray(json) ? json : [json];
              for (const r of responses) expect(r, body).to.satisfy((x: Record<string, unknown>) => "result" in x || "error" in x);
            }
          },
        ),
        { numRuns: 400 },
      );
      expect((await rpc(t.url, "eth_chainId")).result).to.equal("0xca12");
    });
  });
});
