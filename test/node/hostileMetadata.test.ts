import { expect } from "chai";
import { ethers } from "hardhat";
import { AbiCoder, Wallet } from "ethers";
import fc from "fast-check";
import { startTestNode, testNodeConfig, rpc } from "../helpers/nodeFixture";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { silentLogger } from "../../src/shared/logger";
import { decodeTokenRegistered, type TokenMetadata } from "../../src/chain/tokens";
import { displayText, viewText } from "../../src/chain/untrustedText";
import { RollupHistory } from "../../src/sdk/history";
import { l2TokenAddress } from "../../src/core/hashing";
import { Bridge__factory, type TestToken } from "../../typechain-types";
import { until } from "../helpers/until";

/** Control characters, DEL, C1 controls and the direction overrides a display must not carry. */
const UNDISPLAYABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const abi = AbiCoder.defaultAbiCoder();
const TOKEN_REGISTERED = Bridge__factory.createInterface().getEvent("TokenRegistered").topicHash;

describe("node: followers keep following whatever a token's metadata is", function () {
  this.timeout(180_000);

  it("the sequencer, a restarted sequencer and a replica apply every hostile registration and credit the deposits after them", async () => {
    const t = await startTestNode(1);
    const user = Wallet.createRandom().address;
    const hostile: Array<{ token: TestToken; address: string }> = [];
    let stopped = false;
    let restarted: SequencerNode | null = null;
    let replica: ReplicaNode | null = null;
    try {
      for (const [name, args] of [["InvalidUtf8Token", []], ["HugeMetadataToken", [20_000]], ["RevertingDecimalsToken", []], ["GarbageMetadataToken", []], ["Bytes32MetadataToken", []]] as const) {
        // Working balances (mint, approve, transferFrom) under hostile views: typed as the test token.
        const token = (await ethers.deployContract(name, [...args], t.funder)) as unknown as TestToken;
        await t.bridge.registerToken(token);
        hostile.push({ token, address: (await token.getAddress()).toLowerCase() });
      }
      for (const { token } of hostile) {
        await token.mint(t.funder.address, 1_000n);
        await token.approve(t.addresses.bridge, 1_000n);
        await t.bridge.connect(t.funder).depositERC20(token, user, 1_000n);
      }
      await t.bridge.connect(t.funder).depositETH(user, { value: 4_242n });

      // The sequencer's L1 poll goes through every registration and applies what follows them.
      await t.node.pollL1();
      await until("the deposits to be applied", () => t.node.state.accountOf(user.toLowerCase())?.balance === 4_242n);
      const index = t.node.state.indexOf(user.toLowerCase())!;
      for (let id = 1; id <= hostile.length; id++) expect(t.node.state.tokenBalance(index, id), `token ${id}`).to.equal(1_000n);

      // Its L2 views serve the metadata as display text: bounded, valid UTF-8, no control characters.
      const views = await Promise.all(hostile.map(({ address }) => l2Views(t.url, l2TokenAddress(address))));
      for (const v of views) {
        for (const text of [v.name, v.symbol]) {
          expect(Buffer.byteLength(text)).to.be.at.most(64);
          expect(text).not.to.match(UNDISPLAYABLE);
        }
      }
      // ff fe c0 af 80 ed a0 80 41: eight bytes no UTF-8 sequence starts or completes, then "A".
      expect(views[0]).to.deep.equal({ name: "\ufffd".repeat(8) + "A", symbol: "[31mEVILDSU", decimals: 6 });
      expect(views[1]).to.deep.equal({ name: "€".repeat(21), symbol: "", decimals: 18 });
      expect(views[2]).to.deep.equal({ name: "Reverting Decimals", symbol: "RDEC", decimals: 18 });
      expect(views[3]).to.deep.equal({ name: "", symbol: "", decimals: 18 });
      expect(views[4]).to.deep.equal({ name: "Maker", symbol: "MKR", decimals: 18 });

      // Batches after the registrations land, and a replica rebuilds the same chain from L1.
      await t.node.flush();
      expect(await t.rollup.batchCount()).to.be.greaterThan(0n);
      replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, logger: silentLogger });
      await replica.start();
      expect(replica.chain.latest.stateRoot).to.equal(t.node.chain.latest.stateRoot);

      // A restarted sequencer syncs past the registrations and credits a later deposit.
      const root = t.node.chain.latest.stateRoot;
      await t.stop();
      stopped = true;
      restarted = new SequencerNode(testNodeConfig(t, t.deployer));
      await restarted.start();
      expect(restarted.chain.latest.stateRoot).to.equal(root);
      expect(restarted.tokenMetadata(1)?.name).to.equal(views[0].name);
      await t.bridge.connect(t.funder).depositETH(user, { value: 1n });
      await restarted.pollL1();
      await until("the later deposit to be credited", () => restarted!.state.accountOf(user.toLowerCase())?.balance === 4_243n);
      await restarted.flush();
      await until("the replica to follow the restarted sequencer", () => replica!.chain.latest.stateRoot === restarted!.chain.latest.stateRoot);
    } finally {
      await replica?.stop();
      await restarted?.stop();
      if (!stopped) await t.stop();
    }
  });

  it("the explorer's L1 history reads hostile registrations as display text", async () => {
    const t = await startTestNode(0);
    try {
      const bad = await ethers.deployContract("InvalidUtf8Token");
      await t.bridge.registerToken(bad);
      const history = new RollupHistory(ethers.provider, t.addresses, t.deployBlock);
      await history.update();
      expect(history.tokens.get(1)).to.deep.include({ l1Token: (await bad.getAddress()).toLowerCase(), symbol: "[31mEVILDSU", decimals: 6 });
    } finally {
      await t.stop();
    }
  });
});

describe("node/untrustedText: any bytes have a display form", () => {
  it("replaces invalid UTF-8 with U+FFFD, drops control and direction characters, and keeps at most 64 bytes", () => {
    expect(displayText(Buffer.from("ff41", "hex"))).to.equal("\ufffdA");
    expect(displayText(Buffer.concat([Buffer.from("\u001b[2J\u0000 USD\u202e\u0085 ")]))).to.equal("[2J USD");
    expect(displayText(Buffer.from("€".repeat(30)))).to.equal("€".repeat(21));
    expect(displayText(Buffer.alloc(300_000, 0x61))).to.equal("a".repeat(64));
  });

  it("reads a view's answer as the Bridge does: ABI string, bytes32, or nothing", () => {
    expect(viewText(Buffer.from(abi.encode(["string"], ["Token"]).slice(2), "hex"))).to.equal("Token");
    expect(viewText(Buffer.from("4d4b52".padEnd(64, "0"), "hex"))).to.equal("MKR");
    const lying = Buffer.from(abi.encode(["uint256", "uint256"], [32, 300_000]).slice(2), "hex");
    expect(viewText(lying)).to.equal(null);
    expect(viewText(Buffer.alloc(5))).to.equal(null);
  });

  it("decodes any TokenRegistered log data without throwing, and its strings always display", () => {
    const topics = [TOKEN_REGISTERED, "0x" + "11".repeat(32), "0x" + "00".repeat(31) + "07"];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, wellFormedHead) => {
        // Half the cases start with a plausible head (offsets 128 and 160) to reach the strings.
        const head = wellFormedHead ? abi.encode(["address", "uint256", "uint256", "uint256"], ["0x" + "22".repeat(20), 128, 160, 9]).slice(2) : "";
        const m = decodeTokenRegistered({ topics, data: "0x" + head + Buffer.from(bytes).toString("hex") });
        if (m === null) return;
        expect(m.tokenId).to.equal(7);
        for (const s of [m.name, m.symbol]) {
          expect(Buffer.byteLength(s)).to.be.at.most(64 * 3); // U+FFFD is 3 bytes; at most 65 source bytes
          expect(s).not.to.match(UNDISPLAYABLE);
        }
      }),
      { numRuns: 500 },
    );
    expect(decodeTokenRegistered({ topics, data: "0x1234" })).to.equal(null);
    expect(decodeTokenRegistered({ topics: topics.slice(0, 2), data: "0x" })).to.equal(null);
  });

  it("decodes a registration's name and symbol as bytes with their display form", () => {
    const data = abi.encode(["address", "bytes", "bytes", "uint8"], ["0x" + "22".repeat(20), "0xff41", "0x1b4f4b", 6]);
    const m = decodeTokenRegistered({ topics: [TOKEN_REGISTERED, "0x" + "0".repeat(24) + "33".repeat(20), "0x" + "00".repeat(31) + "02"], data }) as TokenMetadata;
    expect(m).to.deep.equal({ tokenId: 2, l1Token: "0x" + "33".repeat(20), l2Token: "0x" + "22".repeat(20), name: "\ufffdA", symbol: "OK", nameBytes: "0xff41", symbolBytes: "0x1b4f4b", decimals: 6 });
  });
});

/** name(), symbol() and decimals() of an L2 token, through the node's eth_call. */
async function l2Views(url: string, l2Token: string): Promise<{ name: string; symbol: string; decimals: number }> {
  const call = async (selector: string) => {
    const res = await rpc(url, "eth_call", [{ to: l2Token, data: selector }, "latest"]);
    if (res.error) throw new Error(res.error.message);
    return res.result as string;
  };
  const [name] = abi.decode(["string"], await call("0x06fdde03"));
  const [symbol] = abi.decode(["string"], await call("0x95d89b41"));
  const [decimals] = abi.decode(["uint8"], await call("0x313ce567"));
  return { name, symbol, decimals: Number(decimals) };
}
