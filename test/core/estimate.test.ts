import { expect } from "chai";
import { Wallet } from "ethers";
import { CoreChain, ETH, QueueKind, erc20, predeploy, signParsed } from "../helpers/coreFixture";
import { GAS, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { intendedGas, type IntendedOp } from "../../src/core/estimate";
import { l2TokenAddress } from "../../src/core/hashing";

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
function operations(to: string, token: string, tokenId: number) {
  const cases: Array<{ name: string; tx: object; intent: IntendedOp }> = [
    { name: "ETH transfer", tx: { to, value: 10n ** 15n }, intent: { kind: "eth-transfer", to: to.toLowerCase() } },
    {
      name: "token transfer",
      tx: { to: token, data: erc20.encodeFunctionData("transfer", [to, 7n]) },
      intent: { kind: "token-transfer", tokenId, to: to.toLowerCase() },
    },
    {
      name: "ETH withdrawal",
      tx: { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [to, ZERO_ADDRESS, 123_456_789n]) },
      intent: { kind: "withdrawal", tokenId: null },
    },
    {
      name: "token withdrawal",
      tx: { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [to, token, 3n]) },
      intent: { kind: "withdrawal", tokenId },
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
      for (const recipient of ["new", "known", "holding"] as const) {
        for (const op of ["ETH transfer", "token transfer", "ETH withdrawal", "token withdrawal"]) {
          it(`${op} to a ${recipient} recipient`, async () => {
            const { chain, sender, tokenId, token } = chainWith(layout);
            const to = recipient === "new" ? Wallet.createRandom().address : knownAccount(chain, layout.crowd);
            if (recipient === "holding") {
              chain.enqueue(QueueKind.TOKEN_DEPOSIT, to, 1n, tokenId);
              chain.drainQueue();
            }
            const { tx, intent } = operations(to, token, tokenId).find((c) => c.name === op)!;
            const estimated = intendedGas(chain.state, intent);
            const result = chain.builder().addTransaction(await signParsed(sender, { ...tx, nonce: 0 }));
            expect(estimated).to.equal(result.gasUsed);
          });
        }
      }
    });
  }

  it("charges Ethereum's figures: 21,000 for ETH, an OpenZeppelin ERC-20's 34,311 or 51,411 for a token, whatever the sizes", async () => {
    for (const layout of [{ crowd: 0, tokens: 1 }, { crowd: 130, tokens: 257 }]) {
      const { chain, sender, token } = chainWith(layout);
      const known = knownAccount(chain, layout.crowd);
      const stranger = Wallet.createRandom().address;
      const block = chain.builder();
      const used = async (nonce: number, tx: object) => block.addTransaction(await signParsed(sender, { ...tx, nonce })).gasUsed;
      expect(await used(0, { to: stranger, value: 10n ** 15n })).to.equal(21_000n);
      expect(await used(1, { to: known, value: 1n })).to.equal(GAS.ETH_TRANSFER);
      expect(await used(2, { to: token, data: erc20.encodeFunctionData("transfer", [known, 7n]) })).to.equal(51_411n);
      expect(await used(3, { to: token, data: erc20.encodeFunctionData("transfer", [known, 9n]) })).to.equal(34_311n);
      expect(await used(4, { to: token, data: erc20.encodeFunctionData("transfer", [Wallet.createRandom().address, 1n]) })).to.equal(GAS.TOKEN_TRANSFER_TO_EMPTY);
    }
  });
});
