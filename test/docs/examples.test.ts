import { expect } from "chai";
import { Wallet, parseEther, type HDNodeWallet } from "ethers";
import type { Hex } from "viem";
import { startTestNode } from "../helpers/nodeFixture";
import { l2TokenAddress } from "../../src/core/hashing";
import { ethersExample } from "../../docs/examples/ethers";
import { viemExample } from "../../docs/examples/viem";
import { expectInlined } from "../helpers/docs";

describe("docs: the integration examples run as written", function () {
  this.timeout(60_000);
  let t: Awaited<ReturnType<typeof startTestNode>>;
  let l2Token: string;
  const quiet = console.log;

  before(async () => {
    t = await startTestNode(2, { blockTimeMs: 30 });
    l2Token = l2TokenAddress((await t.token.getAddress()).toLowerCase());
    console.log = () => {};
  });
  after(async () => {
    console.log = quiet;
    await t?.stop();
  });

  it("docs/integrate-ethers.md: sends ETH and a token with ethers", async () => {
    expectInlined("docs/integrate-ethers.md", "docs/examples/ethers.ts");
    const to = Wallet.createRandom().address;
    const r = await ethersExample(t.url, (t.wallets[0] as HDNodeWallet).privateKey, l2Token, to);
    expect(r.ethBalance).to.equal(parseEther("0.1"));
    expect(r.transfers).to.equal(1);
  });

  it("docs/integrate-viem.md: sends ETH and reads a token through Multicall3 with viem", async () => {
    expectInlined("docs/integrate-viem.md", "docs/examples/viem.ts");
    const to = Wallet.createRandom().address as Hex;
    const r = await viemExample(t.url, (t.wallets[1] as HDNodeWallet).privateKey as Hex, l2Token as Hex, to);
    expect(r.ethBalance).to.equal(parseEther("0.1"));
    expect(r.tokenBalance).to.equal(0n);
  });
});
