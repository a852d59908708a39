/**
 * The explorer reads approve and transferFrom from their calldata and logs (src/explorer/decode.ts):
 * the kind by the function's name, the spender and allowance of an approve, the owner, recipient
 * and amount of a transferFrom, and an Approval log in words (an infinite one as unlimited).
 */
import { expect } from "chai";
import { Interface, MaxUint256, Wallet, parseEther, zeroPadValue } from "ethers";
import { describeLog, movementOf, type TokenLookup } from "../../src/explorer/decode";
import type { TokenRef } from "../../src/explorer/api";
import { TOPIC_APPROVAL, TOPIC_TRANSFER } from "../../src/core/constants";

const erc20 = new Interface(["function transfer(address to, uint256 amount)", "function approve(address spender, uint256 amount)", "function transferFrom(address from, address to, uint256 amount)"]);
const token: TokenRef = { id: 0, l1Token: "0x" + "11".repeat(20), l2Token: "0x" + "22".repeat(20), symbol: "CTT", decimals: 18 };
const tokenAt: TokenLookup = (a) => (a === token.l2Token ? token : null);
const word = (v: bigint) => "0x" + v.toString(16).padStart(64, "0");

describe("explorer/decode: approve and transferFrom", () => {
  const owner = Wallet.createRandom().address.toLowerCase();
  const spender = Wallet.createRandom().address.toLowerCase();
  const recipient = Wallet.createRandom().address.toLowerCase();

  it("shows a contract call whose calldata starts with a token selector but does not decode as a transfer of its value (experimental EVM mode)", () => {
    const contract = Wallet.createRandom().address.toLowerCase();
    const plain = { kind: "transfer", recipient: contract, amount: 5n, token: null, owner: null };
    expect(movementOf({ to: contract, value: "0x5", input: "0xa9059cbb1234" }, tokenAt)).to.deep.equal(plain);
    expect(movementOf({ to: contract, value: "0x5", input: "0x095ea7b3" + "ff".repeat(64) }, tokenAt)).to.deep.equal(plain);
  });

  it("names an approve's spender and allowance, and a transferFrom's owner, recipient and amount", () => {
    expect(movementOf({ to: token.l2Token, value: "0x0", input: erc20.encodeFunctionData("approve", [spender, parseEther("2.5")]) }, tokenAt)).to.deep.equal({
      kind: "approve",
      recipient: spender,
      amount: parseEther("2.5"),
      token,
      owner: null,
    });
    expect(movementOf({ to: token.l2Token, value: "0x0", input: erc20.encodeFunctionData("transferFrom", [owner, recipient, 7n]) }, tokenAt)).to.deep.equal({
      kind: "transferFrom",
      recipient,
      amount: 7n,
      token,
      owner,
    });
    expect(movementOf({ to: token.l2Token, value: "0x0", input: erc20.encodeFunctionData("transfer", [recipient, 7n]) }, tokenAt).kind).to.equal("token transfer");
  });

  it("tells an Approval log in words, an infinite allowance as unlimited; a transferFrom's Transfer names the owner", () => {
    const topics = [TOPIC_APPROVAL, zeroPadValue(owner, 32), zeroPadValue(spender, 32)];
    expect(describeLog({ address: token.l2Token, topics, data: word(parseEther("1.5")) }, tokenAt, () => null)).to.equal(`Approval: ${owner} allows ${spender} to spend 1.5 CTT`);
    expect(describeLog({ address: token.l2Token, topics, data: word(MaxUint256) }, tokenAt, () => null)).to.equal(`Approval: ${owner} allows ${spender} to spend an unlimited amount of CTT`);
    expect(describeLog({ address: token.l2Token, topics: [TOPIC_TRANSFER, zeroPadValue(owner, 32), zeroPadValue(recipient, 32)], data: word(7n) }, tokenAt, () => null)).to.equal(
      `Transfer: 0.000000000000000007 CTT from ${owner} to ${recipient}`,
    );
    // Data that is not a word is shown raw.
    expect(describeLog({ address: token.l2Token, topics, data: "0x12" }, tokenAt, () => null)).to.equal(null);
  });
});
