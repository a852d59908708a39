/**
 * JSON-RPC 2.0 and EIP-1474, as the specifications word them: what is not a request is -32600
 * (with a null id when its own id is not one), named params -32602, no body at all makes the
 * server answer anything but HTTP 200 or 204, and a transaction asking for more gas than a block
 * holds is refused as geth refuses it — over HTTP, WebSocket, ethers and viem.
 */
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import WebSocket from "ws";
import { createWalletClient, defineChain, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startTestNode, postRaw } from "../helpers/nodeFixture";
import { BLOCK_GAS_LIMIT } from "../../src/core/constants";
import { createMethods } from "../../src/rpc/methods";
import { MAX_PARAMS } from "../../src/rpc/methods/arity";

type Started = Awaited<ReturnType<typeof startTestNode>>;
type Response = { id?: unknown; result?: unknown; error?: { code: number; message: string } };

const deep = (depth: number, inner = "1") => "[".repeat(depth) + inner + "]".repeat(depth);

describe("rpc: JSON-RPC 2.0 and EIP-1474 conformance", function () {
  this.timeout(60_000);
  let t: Started;
  before(async () => {
    t = await startTestNode(1);
  });
  after(async () => t?.stop());

  const post = async (body: string) => {
    const { status, json } = await postRaw(t.url, body);
    return { status, response: json as Response };
  };

  const refusals: Array<[string, unknown, number, unknown]> = [
    ["an id that is an array", { jsonrpc: "2.0", id: [1], method: "eth_chainId" }, -32600, null],
    ["an id that is an object", { jsonrpc: "2.0", id: { a: 1 }, method: "eth_chainId" }, -32600, null],
    ["an id that is a boolean", { jsonrpc: "2.0", id: true, method: "eth_chainId" }, -32600, null],
    ["no jsonrpc member", { id: 7, method: "eth_chainId" }, -32600, 7],
    ['jsonrpc "1.0"', { jsonrpc: "1.0", id: 7, method: "eth_chainId" }, -32600, 7],
    ["a method that is a number", { jsonrpc: "2.0", id: 7, method: 5 }, -32600, 7],
    ["no method", { jsonrpc: "2.0", id: "x" }, -32600, "x"],
    ["a response's result member", { jsonrpc: "2.0", id: 7, method: "eth_chainId", result: "0x1" }, -32600, 7],
    ["params that are a string", { jsonrpc: "2.0", id: 7, method: "eth_chainId", params: "x" }, -32600, 7],
    ["params that are a number", { jsonrpc: "2.0", id: 7, method: "eth_chainId", params: 3 }, -32600, 7],
    ["named params (an object)", { jsonrpc: "2.0", id: 7, method: "eth_getBalance", params: { address: "0x" + "11".repeat(20) } }, -32602, 7],
    ["an unknown method", { jsonrpc: "2.0", id: 7, method: "eth_nope", params: [] }, -32601, 7],
  ];

  for (const [what, request, code, id] of refusals) {
    it(`answers ${what} with ${code} under id ${JSON.stringify(id)}, and no result`, async () => {
      const { status, response } = await post(JSON.stringify(request));
      expect(status).to.equal(200);
      expect(response.error?.code).to.equal(code);
      expect(response.id).to.deep.equal(id);
      expect(response).to.not.have.property("result");
    });
  }

  it("knows how many params every method takes, and refuses more with geth's -32602 'too many arguments' (trailing nulls aside)", async () => {
    expect(Object.keys(createMethods(t.node)).sort()).to.deep.equal(Object.keys(MAX_PARAMS).sort());
    const call = async (method: string, params: unknown[]) => (await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }))).response;
    expect((await call("eth_chainId", [1])).error).to.deep.equal({ code: -32602, message: "too many arguments, want at most 0" });
    expect((await call("eth_call", [{ to: "0x" + "11".repeat(20) }, "latest", { ["0x" + "11".repeat(20)]: { balance: "0x1" } }])).error?.code, "a state override is refused, not ignored").to.equal(-32602);
    expect((await call("eth_getBalance", ["0x" + "11".repeat(20), "latest", null])).result).to.equal("0x0");
    expect((await call("eth_chainId", [])).result).to.equal("0xca12");
  });

  it("answers each refused request of a batch in place, and runs the good ones", async () => {
    const { response } = await post(JSON.stringify([{ jsonrpc: "2.0", id: [2], method: "eth_chainId" }, { jsonrpc: "2.0", id: 3, method: "eth_chainId" }]));
    const answers = response as unknown as Response[];
    expect(answers.map((a) => a.error?.code ?? a.result)).to.deep.equal([-32600, "0xca12"]);
    expect(answers.map((a) => a.id)).to.deep.equal([null, 3]);
  });

  const nested = [
    ["a body nested 10,000 deep", deep(10_000), -32600],
    ["an id nested 10,000 deep", `{"jsonrpc":"2.0","id":${deep(10_000)},"method":"eth_chainId"}`, -32600],
    ["params nested 10,000 deep", `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":${deep(10_000)}}`, -32602],
    ["a body nested 100,000 deep inside an object", `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":${deep(100_000, '"x"')}}]}`, -32602],
  ] as const;
  for (const [what, body, code] of nested) {
    it(`answers ${what} with HTTP 200 and ${code}, and keeps answering`, async () => {
      const { status, response } = await post(body);
      expect(status).to.equal(200);
      const first = Array.isArray(response) ? (response as Response[])[0] : response;
      expect(first.error?.code).to.equal(code);
      expect((await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }))).response.result).to.equal("0xca12");
    });
  }

  it("answers calldata too short for a token view's or Multicall3's arguments as a contract's ABI decoder does: -32000 execution reverted, no data", async () => {
    const token = (t.node.state.token(0)!.l2Address);
    const short = [
      { to: token, data: "0x70a08231" + "00".repeat(12) }, // balanceOf(address), 20 bytes short
      { to: "0xca11bde05977b3631167028862be2a173976ca11", data: "0x82ad56cb" + "00".repeat(10) }, // aggregate3, short of its offset
    ];
    for (const call of short) {
      const { status, response } = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [call, "latest"] }));
      expect(status).to.equal(200);
      expect(response.error, call.data).to.deep.equal({ code: -32000, message: "execution reverted" });
    }
  });

  it("answers an eth_subscribe whose id is not a JSON-RPC id with -32600 over WebSocket, subscribing nothing", async () => {
    const socket = new WebSocket(t.url.replace("http", "ws"));
    try {
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      const answer = new Promise<Response>((resolve) => socket.once("message", (d) => resolve(JSON.parse(d.toString()) as Response)));
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: [1], method: "eth_subscribe", params: ["newHeads"] }));
      const response = await answer;
      expect(response.error?.code).to.equal(-32600);
      expect(response.id).to.equal(null);
    } finally {
      socket.close();
    }
  });

  it("refuses a transaction whose gas limit is above the block gas limit with geth's 'exceeds block gas limit', through ethers and viem, and takes one at the limit", async () => {
    const wallet = (t.wallets[0] as unknown as Wallet).connect(new JsonRpcProvider(t.url, undefined, { staticNetwork: true, cacheTimeout: -1 }));
    const to = Wallet.createRandom().address;
    const fees = { maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n };
    const viaEthers = await wallet.sendTransaction({ to, value: 1n, gasLimit: BLOCK_GAS_LIMIT + 1n, ...fees }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(viaEthers).to.match(/exceeds block gas limit/);
    const chain = defineChain({ id: 51730, name: "Cairn", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [t.url] } } });
    const client = createWalletClient({ account: privateKeyToAccount((t.wallets[0] as unknown as Wallet).privateKey as `0x${string}`), chain, transport: http(t.url) });
    const viaViem = await client.sendTransaction({ to: to as `0x${string}`, value: 1n, gas: BLOCK_GAS_LIMIT + 1n, ...fees }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(viaViem).to.match(/exceeds block gas limit/);
    const atLimit = await wallet.sendTransaction({ to, value: 1n, gasLimit: BLOCK_GAS_LIMIT, ...fees });
    expect(atLimit.hash).to.match(/^0x[0-9a-f]{64}$/);
  });
});
