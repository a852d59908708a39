import { expect } from "chai";
import { Wallet, type HDNodeWallet } from "ethers";
import { CoreChain, ETH, QueueKind, erc20, predeploy, signParsed } from "../helpers/coreFixture";
import { GAS, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { intendedGas, quoteGas, type IntendedOp } from "../../src/core/estimate";
import { l2TokenAddress } from "../../src/core/hashing";
import { amountSize } from "../../src/core/amount";

/** L1 address of the `id`th token a test chain registers. */
const l1Token = (id: number) => "0x" + (id + 1).toString(16).padStart(40, "a");

/**
 * A chain with `tokens` tokens registered and `crowd` accounts created before the sender, so
 * that its index (and a known recipient's) takes one byte or two; the sender holds ETH and
 * 1,000 of the last token.
 */
function chainWith(options: { crowd: number; tokens: number }) {
  const chain = new CoreChain();
  for (let id = 0; id < options.tokens; id++) chain.enqueue(QueueKind.TOKEN_REGISTRATION, l1Token(id), 0n, id);
  for (let i = 0; i < options.crowd; i++) chain.enqueue(QueueKind.ETH_DEPOSIT, "0x" + (i + 1).toString(16).padStart(40, "c"), 1n);
  const sender = Wallet.createRandom();
  const tokenId = options.tokens - 1;
  chain.enqueue(QueueKind.ETH_DEPOSIT, sender.address, 5n * ETH);
  chain.enqueue(QueueKind.TOKEN_DEPOSIT, sender.address, 1000n, tokenId);
  while (chain.state.queueIndex < BigInt(chain.queue.length)) {
    const b = chain.builder();
    while (!b.isFull && chain.state.queueIndex < BigInt(chain.queue.length)) b.addQueueEntry();
    b.seal(1_700_000_000);
  }
  return { chain, sender, tokenId, token: l2TokenAddress(l1Token(tokenId)) };
}

/** An account other than the sender's: the last of the crowd (the highest index), or a new deposit's. */
function knownAccount(chain: CoreChain, crowd: number): string {
  const address = "0x" + Math.max(crowd, 1).toString(16).padStart(40, "c");
  if (crowd === 0) {
    chain.enqueue(QueueKind.ETH_DEPOSIT, address, 1n);
    chain.drainQueue();
  }
  return address;
}

/** Each operation a wallet sends, as a transaction and as the intent an estimate is asked for. */
function operations(sender: HDNodeWallet, to: string, token: string, tokenId: number) {
  const from = sender.address.toLowerCase();
  const cases: Array<{ name: string; tx: object; intent: IntendedOp }> = [
    { name: "ETH transfer", tx: { to, value: 10n ** 15n }, intent: { kind: "eth-transfer", from, to: to.toLowerCase(), amount: 10n ** 15n } },
    {
      name: "token transfer",
      tx: { to: token, data: erc20.encodeFunctionData("transfer", [to, 7n]) },
      intent: { kind: "token-transfer", from, tokenId, to: to.toLowerCase(), amount: 7n },
    },
    {
      name: "ETH withdrawal",
      tx: { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [to, ZERO_ADDRESS, 123_456_789n]) },
      intent: { kind: "withdrawal", from, tokenId: null, amount: 123_456_789n },
    },
    {
      name: "token withdrawal",
      tx: { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [to, token, 3n]) },
      intent: { kind: "withdrawal", from, tokenId, amount: 3n },
    },
  ];
  return cases;
}

describe("core/estimate: the gas quoted before signing is the gas execution charges", () => {
  const layouts = [
    { what: "one-byte indices", crowd: 0, tokens: 1 },
    { what: "two-byte indices", crowd: 130, tokens: 1 },
    { what: "a token id past 255", crowd: 0, tokens: 257 },
  ];
  for (const layout of layouts) {
    describe(layout.what, () => {
      for (const recipient of ["new", "known"] as const) {
        for (const op of ["ETH transfer", "token transfer", "ETH withdrawal", "token withdrawal"]) {
          it(`${op} to a ${recipient} recipient`, async () => {
            const { chain, sender, tokenId, token } = chainWith(layout);
            const to = recipient === "new" ? Wallet.createRandom().address : knownAccount(chain, layout.crowd);
            const { tx, intent } = operations(sender, to, token, tokenId).find((c) => c.name === op)!;
            const estimated = intendedGas(chain.state, intent);
            const result = chain.builder().addTransaction(await signParsed(sender, { ...tx, nonce: 0 }));
            expect(estimated).to.equal(result.gasUsed);
          });
        }
      }
    });
  }

  it("quotes a sender without an account at the index the next new account gets", () => {
    const { chain } = chainWith({ crowd: 126, tokens: 1 });
    const stranger = Wallet.createRandom().address.toLowerCase();
    const intent = { kind: "eth-transfer", to: stranger, amount: 1n } as const;
    // 128 accounts (genesis, 126, the sender): the next index, 128, takes two bytes; head, address, signature.
    expect(chain.state.accountCount).to.equal(128);
    expect(intendedGas(chain.state, { ...intent, from: stranger })).to.equal(intendedGas(chain.state, intent));
    expect(intendedGas(chain.state, intent)).to.equal(GAS.ETH_TRANSFER + GAS.DATA_PER_BYTE * BigInt(1 + 2 + 20 + 64 + amountSize(1n)));
  });

  it("quotes in thousands, leaving room for two indices to grow a byte", () => {
    for (const gas of [21_000n, 22_968n, 22_969n, 45_000n, 62_345n]) {
      const quote = quoteGas(gas);
      expect(quote % 1000n).to.equal(0n);
      expect(quote >= gas + 2n * GAS.DATA_PER_BYTE).to.equal(true);
      expect(quote - (gas + 2n * GAS.DATA_PER_BYTE) < 1000n).to.equal(true);
    }
  });
});
