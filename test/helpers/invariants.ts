import { expect } from "chai";
import type { Provider } from "ethers";
import type { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import type { Bridge } from "../../typechain-types";
import { ZERO_ADDRESS } from "../../src/core/constants";

/**
 * The bridge's safety invariant: for ETH and every token, L1 escrow equals the sum of L2
 * balances plus the withdrawals made on L2 and not yet paid out on L1.
 */
export async function expectEscrowMatches(node: SequencerNode, bridge: Bridge, provider: Provider): Promise<void> {
  const totals = node.state.totals();
  // The running sums (what eth_call totalSupply answers with) agree with a recount.
  const recount = node.state.recountTotals();
  expect(totals.eth, "running ETH total").to.equal(recount.eth);
  expect([...totals.tokens].sort(), "running token totals").to.deep.equal([...recount.tokens].sort());
  const unpaid = new Map<string, bigint>();
  for (const block of node.chain.blocks) {
    for (const w of block.withdrawals) {
      if (await bridge.isWithdrawalFinalized(w.id)) continue;
      unpaid.set(w.l1Token, (unpaid.get(w.l1Token) ?? 0n) + w.amount);
    }
  }
  const escrowEth = await provider.getBalance(await bridge.getAddress());
  expect(escrowEth, "ETH escrow").to.equal(totals.eth + (unpaid.get(ZERO_ADDRESS) ?? 0n));
  for (const token of node.state.tokens) {
    const erc20 = new (await import("ethers")).Contract(token.l1Address, ["function balanceOf(address) view returns (uint256)"], provider);
    const escrow = (await erc20.balanceOf(await bridge.getAddress())) as bigint;
    expect(escrow, `escrow of ${token.l1Address}`).to.equal((totals.tokens.get(token.id) ?? 0n) + (unpaid.get(token.l1Address) ?? 0n));
  }
}
