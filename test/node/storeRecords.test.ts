import { expect } from "chai";
import { CHAIN_ID, ETH, L1_TOKEN, erc20, fundedChain, predeploy, signParsed } from "../helpers/coreFixture";
import { ChainStore } from "../../src/chain/chainStore";
import { accountFromRecord, accountRecord, blockFromRecord, blockRecord } from "../../src/node/store/records";
import { WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { l2TokenAddress } from "../../src/core/hashing";

describe("node/storeRecords: what the store writes reads back as the same block and account", () => {
  it("round-trips a block of an ETH transfer, a token transfer (with its log) and a withdrawal", async () => {
    const { chain, alice, bob } = fundedChain();
    const store = new ChainStore(chain.state.root());
    const b = chain.builder();
    b.addTransaction(await signParsed(alice, { to: bob.address, value: 10n ** 16n, nonce: 0 }));
    b.addTransaction(await signParsed(alice, { to: l2TokenAddress(L1_TOKEN), data: erc20.encodeFunctionData("transfer", [bob.address, 7n]), nonce: 1 }));
    b.addTransaction(await signParsed(alice, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [bob.address, ZERO_ADDRESS, ETH]), nonce: 2 }));
    const block = store.append(b.seal(1_700_000_123), alice.address.toLowerCase(), chain.state.queueIndex);
    expect(block.transactions.flatMap((t) => t.logs)).to.have.length.greaterThan(1);
    expect(block.withdrawals).to.have.length(1);

    expect(blockFromRecord(blockRecord(block), CHAIN_ID)).to.deep.equal({ ...block, batchIndex: null });
  });

  it("round-trips an account with token balances above 2^64", () => {
    const account = { address: "0x" + "ab".repeat(20), nonce: 7n, balance: 2n ** 200n + 1n, tokens: new Map([[0, 3n], [255, 2n ** 255n]]) };
    expect(accountFromRecord(accountRecord(account))).to.deep.equal({ ...account, tokens: [...account.tokens] });
  });
});
