import { expect } from "chai";
import { ethers } from "hardhat";
import { JsonRpcProvider, Wallet, parseEther, type Provider } from "ethers";
import { createPublicClient, http, type Hex } from "viem";
import { startTestNode } from "../helpers/nodeFixture";
import { l2TokenAddress } from "../../src/core/hashing";
import { TestToken__factory } from "../../typechain-types";

/**
 * Dapps simulate before they send: `staticCall`, `estimateGas`, viem's `simulateContract`. A
 * token transfer above the balance must fail there exactly as an OpenZeppelin 5 ERC-20 fails on
 * L1 — the same custom error, the same arguments — not succeed and then be refused at sending.
 */
describe("token transfers simulate as an OpenZeppelin ERC-20 on L1 does", function () {
  this.timeout(120_000);

  /** The revert a transfer of `amount` from `from` gets through `provider`: its error name and arguments. */
  async function simulatedRevert(provider: Provider, token: string, from: string, to: string, amount: bigint, how: "staticCall" | "estimateGas") {
    const contract = TestToken__factory.connect(token, provider);
    try {
      if (how === "staticCall") await contract.transfer.staticCall(to, amount, { from });
      else await contract.transfer.estimateGas(to, amount, { from });
    } catch (e) {
      // ethers decodes a JSON-RPC revert itself; Hardhat's in-process provider leaves the data on the error.
      const err = e as { revert?: { name: string; args: unknown[] }; data?: string };
      const revert = err.revert ?? (typeof err.data === "string" ? contract.interface.parseError(err.data) : null);
      return revert ? { name: revert.name, args: [...revert.args].map((a) => (typeof a === "string" ? a.toLowerCase() : a)) } : { name: "none", args: [String(e)] };
    }
    return { name: "succeeded", args: [] };
  }

  it("staticCall and estimateGas of a transfer above the balance revert ERC20InsufficientBalance(sender, balance, needed) on Cairn and on the Hardhat L1 alike; a covered one returns true", async () => {
    const t = await startTestNode(1);
    const provider = new JsonRpcProvider(t.url, undefined, { staticNetwork: true });
    try {
      const holder = t.wallets[0].address;
      const l2Token = l2TokenAddress((await t.token.getAddress()).toLowerCase());
      const to = Wallet.createRandom().address;
      const held = parseEther("1000");
      // On L1: an account holding exactly `held` of the same token contract.
      const l1Holder = Wallet.createRandom().address;
      await (await t.token.connect(t.funder).transfer(l1Holder, held)).wait();
      const l1Token = await t.token.getAddress();
      for (const how of ["staticCall", "estimateGas"] as const) {
        const onL2 = await simulatedRevert(provider, l2Token, holder, to, held + 1n, how);
        const onL1 = await simulatedRevert(ethers.provider, l1Token, l1Holder, to, held + 1n, how);
        expect(onL2, how).to.deep.equal({ name: "ERC20InsufficientBalance", args: [holder.toLowerCase(), held, held + 1n] });
        expect(onL1, how).to.deep.equal({ name: "ERC20InsufficientBalance", args: [l1Holder.toLowerCase(), held, held + 1n] });
      }
      // An address with no account holds nothing.
      const stranger = Wallet.createRandom().address;
      expect(await simulatedRevert(provider, l2Token, stranger, to, 1n, "staticCall")).to.deep.equal({ name: "ERC20InsufficientBalance", args: [stranger.toLowerCase(), 0n, 1n] });
      // A transfer the balance covers: true, and the gas an OpenZeppelin transfer to an empty account uses.
      const token = TestToken__factory.connect(l2Token, provider);
      expect(await token.transfer.staticCall(to, held, { from: holder })).to.equal(true);
      expect(await token.transfer.estimateGas(to, held, { from: holder })).to.equal(51_411n);
    } finally {
      provider.destroy();
      await t.stop();
    }
  });

  it("viem's simulateContract decodes the same error", async () => {
    const t = await startTestNode(1);
    try {
      const client = createPublicClient({ transport: http(t.url) });
      const l2Token = l2TokenAddress((await t.token.getAddress()).toLowerCase()) as Hex;
      const holder = t.wallets[0].address as Hex;
      const error = await client
        .simulateContract({ address: l2Token, abi: TestToken__factory.abi, functionName: "transfer", args: [Wallet.createRandom().address as Hex, parseEther("1001")], account: holder })
        .then(() => null, (e: unknown) => e);
      const cause = (error as { cause?: { data?: { errorName?: string; args?: readonly unknown[] } } } | null)?.cause;
      expect(cause?.data?.errorName).to.equal("ERC20InsufficientBalance");
      expect(cause?.data?.args).to.deep.equal([holder, parseEther("1000"), parseEther("1001")]);
    } finally {
      await t.stop();
    }
  });
});
