import { expect } from "chai";
import fc from "fast-check";
import { Wallet, parseEther } from "ethers";
import { ACCOUNT_TREE_DEPTH, MAX_PROOF_WEIGHT, MAX_TOKEN_PROOF_WEIGHT, QueueKind, TOKEN_TREE_DEPTH, WITHDRAWAL_PREDEPLOY } from "../../src/core/constants";
import { CommitmentWeight, multiProofSiblings, openLevels, proofWeight, widestOpenLevels } from "../../src/core/proofWeight";
import { buildMultiProof } from "../../src/core/multiproof";
import { L2State } from "../../src/core/state";
import { BlockBuilder, BlockFullError } from "../../src/core/blockBuilder";
import { parseRawTransaction } from "../../src/core/intake";
import { replayCommitment } from "../../src/core/replay";
import { BASE_FEE, CHAIN_ID, erc20, predeploy } from "../helpers/coreFixture";
import { rng } from "../../bench/workload";
import type { QueueEntry } from "../../src/core/queueOps";
import { buildFraudWitness } from "../../src/core/fraudProof";
import { decodeCommitment, encodeCommitment } from "../../src/core/commitment";
import { TOKEN_ZERO, tokenLevels } from "../../src/core/tokenTree";
import { buildMultiProof as multiProof } from "../../src/core/multiproof";

/** Sibling positions of a multiproof over `indices`, counted level by level. */
function bruteSiblings(indices: number[], depth = ACCOUNT_TREE_DEPTH): number {
  let nodes = new Set(indices.filter((i) => i >= 0 && i < 2 ** depth));
  let total = 0;
  for (let level = 0; level < depth; level++) {
    const parents = new Set<number>();
    for (const n of nodes) {
      if (!nodes.has(n ^ 1)) total++;
      parents.add(Math.floor(n / 2));
    }
    nodes = parents;
  }
  return total;
}

describe("core/proofWeight: the siblings a proof of a commitment can need, account and token", () => {
  it("multiProofSiblings equals the level-by-level count and the witness builder's sibling positions, on any set of indices", () => {
    const index = fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 2 ** 24 - 1 }), fc.integer({ min: 2 ** 24, max: 2 ** 28 }));
    fc.assert(
      fc.property(fc.array(index, { maxLength: 100 }), (indices) => {
        const w = multiProofSiblings(indices);
        expect(w).to.equal(bruteSiblings(indices));
        const inTree = [...new Set(indices.filter((i) => i < 2 ** ACCOUNT_TREE_DEPTH))].sort((a, b) => a - b);
        if (inTree.length === 0) return;
        const zero = Array.from({ length: ACCOUNT_TREE_DEPTH + 1 }, () => Buffer.alloc(32));
        const mp = buildMultiProof(ACCOUNT_TREE_DEPTH, inTree, () => Buffer.alloc(32, 1), zero);
        // Every sibling is a non-zero node here, so each one is sent: the proof's length is the count.
        expect(mp.proof.length).to.equal(w);
      }),
      { numRuns: 300 },
    );
  });

  it("counts the fee recipient, every index an operation names and the accounts it would create, whatever their order", () => {
    const eth = (from: number, to: number) => ({ kind: 1, feeIndex: 0, from, to, amount: 1n, sig: { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 } }) as const;
    const fresh = (from: number) => ({ kind: 2, feeIndex: 0, from, to: Wallet.createRandom().address, amount: 1n, sig: { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 } }) as const;
    const accounts = (...args: Parameters<typeof proofWeight>) => proofWeight(...args).accounts;
    expect(accounts([], 0, 10, 1)).to.equal(24);
    expect(accounts([eth(0, 1)], 0, 10, 1)).to.equal(23);
    // Two creations take indices 10 and 11 of a 10-account state.
    expect(accounts([fresh(0), fresh(0)], 0, 10, 1)).to.equal(multiProofSiblings([0, 10, 11]));
    expect(accounts([eth(5, 2 ** 23), eth(2 ** 23 - 1, 3)], 7, 100, 1)).to.equal(accounts([eth(2 ** 23 - 1, 3), eth(5, 2 ** 23)], 7, 100, 1));
    // An index outside the tree (a fee recipient past 2^24) names nothing.
    expect(accounts([eth(0, 1)], 2 ** 25, 10, 1)).to.equal(multiProofSiblings([0, 1]));
  });

  it("openLevels counts exactly the non-empty siblings of a path in a token tree holding every key below the count, and never fewer than any tree holding only such keys has", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 299 }), fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 40 }), (count, key, held) => {
        const siblingsOf = (keys: number[]): number => {
          const balances = new Map(keys.map((k): [number, bigint] => [k, 1n]));
          const levels = tokenLevels(balances);
          return multiProof(TOKEN_TREE_DEPTH, [key], (l, i) => levels[l].get(i) ?? TOKEN_ZERO[l], TOKEN_ZERO).proof.length;
        };
        const all = Array.from({ length: count }, (_, k) => k).filter((k) => k !== key);
        expect(siblingsOf(all)).to.equal(openLevels(key, count));
        expect(siblingsOf(held.filter((k) => k < count && k !== key))).to.be.at.most(openLevels(key, count));
      }),
      { numRuns: 200 },
    );
    expect(openLevels(2 ** 24, 2 ** 30)).to.equal(0);
    expect(openLevels(5, 2 ** 24)).to.equal(24);
    expect(widestOpenLevels(2 ** 17 + 32)).to.equal(18);
    // At one registered token, a token registered in the same commitment has one open level.
    expect(widestOpenLevels(1)).to.equal(1);
    expect(widestOpenLevels(0)).to.equal(0);
  });

  it("token weight: each token path an operation reads counts its open levels, an allowance path its spender's and its token's, a created account's nothing, a queue credit the widest", () => {
    const sig = { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 as const };
    const base = { feeIndex: 0, from: 3, amount: 1n, sig };
    const tokens = (op: Parameters<CommitmentWeight["add"]>[0], accountCount = 1000, tokenCount = 100) => proofWeight([op], 0, accountCount, tokenCount).tokens;
    const t = 77;
    expect(tokens({ ...base, kind: 1, to: 4 })).to.equal(0);
    expect(tokens({ ...base, kind: 3, tokenId: t, to: 4 })).to.equal(2 * openLevels(t, 100));
    expect(tokens({ ...base, kind: 4, tokenId: t, to: Wallet.createRandom().address })).to.equal(openLevels(t, 100));
    expect(tokens({ ...base, kind: 6, tokenId: t, l1Recipient: Wallet.createRandom().address })).to.equal(openLevels(t, 100));
    expect(tokens({ ...base, kind: 7, tokenId: t, spender: 999 })).to.equal(openLevels(999, 1000) + openLevels(t, 100));
    // The spender an approve creates takes index accountCount.
    expect(tokens({ ...base, kind: 8, tokenId: t, spender: Wallet.createRandom().address })).to.equal(openLevels(1000, 1000) + openLevels(t, 100));
    expect(tokens({ ...base, kind: 9, tokenId: t, owner: 5, to: 6 })).to.equal(3 * openLevels(t, 100) + openLevels(3, 1000));
    expect(tokens({ ...base, kind: 10, tokenId: t, owner: 5, to: Wallet.createRandom().address })).to.equal(2 * openLevels(t, 100) + openLevels(3, 1000));
    expect(tokens({ kind: 0, credit: "existing", index: 5 })).to.equal(widestOpenLevels(100)).and.to.equal(7);
    expect(tokens({ kind: 0, credit: "new" })).to.equal(0);
    // Up to 32 registered tokens, 32 transfers between existing holders fit the cap; 13
    // transferFroms of one token fit in a full account tree.
    const transfers = Array.from({ length: 32 }, (_, i) => ({ ...base, kind: 3 as const, tokenId: 31 - i, to: i + 10 }));
    expect(proofWeight(transfers, 0, 1000, 32).tokens).to.be.at.most(MAX_TOKEN_PROOF_WEIGHT);
    expect(proofWeight(transfers, 0, 1000, 33).tokens).to.be.above(MAX_TOKEN_PROOF_WEIGHT);
    const transferFroms = Array.from({ length: 13 }, (_, i) => ({ ...base, kind: 9 as const, tokenId: 0, from: 2 ** 24 - 1 - i, owner: i, to: i + 100 }));
    expect(proofWeight(transferFroms, 0, 2 ** 24, 1).tokens).to.equal(13 * 24).and.to.be.at.most(MAX_TOKEN_PROOF_WEIGHT);
  });

  it("no fraud witness sends more token and allowance siblings than the token weight: commitments of every token kind on crowded trees, the heaviest first", async () => {
    // 24 wallets at spread indices among 400 accounts; 300 tokens; each wallet holds and allows
    // many ids around the ones it moves, so its paths carry non-empty siblings.
    const wallets = Array.from({ length: 24 }, (_, i) => new Wallet("0x" + (BigInt(i + 7) * 0x9e3779b97f4a7c15n).toString(16).padStart(64, "0")));
    const random = rng(0x7eed);
    const rnd = (n: number) => Math.floor(random() * n);
    for (let round = 0; round < 4; round++) {
      const state = L2State.genesis();
      const tokenCount = [300, 5, 64, 1000][round];
      for (let t = 0; t < tokenCount; t++) state.registerToken("0x" + (0x7000000 + t).toString(16).padStart(40, "0"));
      const at: number[] = [];
      for (let i = 0; i < 400; i++) {
        if (i % 16 === 3 && at.length < wallets.length) at.push(state.createAccount(wallets[at.length].address.toLowerCase()));
        else state.createAccount("0x" + (0x30000000 + i).toString(16).padStart(40, "0"));
      }
      for (const a of at) {
        state.setBalance(a, 10n ** 18n);
        for (let k = 0; k < 40; k++) state.setTokenBalance(a, rnd(tokenCount), 10n ** 6n);
        for (let k = 0; k < 20; k++) state.setAllowance(a, rnd(tokenCount), rnd(state.accountCount), 10n ** 6n);
        for (const b of at) state.setAllowance(a, 1, b, 10n ** 6n);
        state.setTokenBalance(a, 1, 10n ** 6n);
      }
      const l2 = (t: number) => state.token(t)!.l2Address;
      const txs = await Promise.all(
        Array.from({ length: 40 }, async (_, k) => {
          const i = k % wallets.length;
          const other = at[(i + 1 + rnd(wallets.length - 1)) % wallets.length];
          const otherAddress = state.account(other).address;
          const kind = rnd(6);
          const call = (target: string, data: string, value = 0n) => ({ to: target, data, value });
          const tx =
            kind === 0 ? call(l2(1), erc20.encodeFunctionData("transfer", [otherAddress, 1n])) :
            kind === 1 ? call(l2(1), erc20.encodeFunctionData("transfer", [Wallet.createRandom().address, 1n])) :
            kind === 2 ? call(l2(1), erc20.encodeFunctionData("approve", [otherAddress, 5n])) :
            kind === 3 ? call(otherAddress, "0x", 1n) :
            kind === 4 ? call(l2(1), erc20.encodeFunctionData("transferFrom", [otherAddress, state.account(at[i]).address, 1n])) :
            call(WITHDRAWAL_PREDEPLOY, predeploy.encodeFunctionData("withdraw", [wallets[i].address, l2(1), 1n]));
          const raw = await wallets[i].signTransaction({ type: 2, chainId: CHAIN_ID, nonce: Math.floor(k / wallets.length), gasLimit: 200_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx });
          return parseRawTransaction(raw, CHAIN_ID);
        }),
      );
      // L1 token deposits to the wallets: a queue credit's token is not in the body.
      const queue: QueueEntry[] = Array.from({ length: 6 }, (_, k) => ({ index: BigInt(k), kind: QueueKind.TOKEN_DEPOSIT, account: state.account(at[rnd(at.length)]).address, tokenId: rnd(tokenCount), amount: 3n }));
      const queueEntry = (i: bigint) => queue[Number(i)];
      let pending = txs;
      while (pending.length > 0) {
        const pre = state.checkpoint();
        const b = new BlockBuilder(state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry });
        for (let k = 0; k < 3 && state.queueIndex < BigInt(queue.length); k++) b.addQueueEntry();
        let used = 0;
        for (const tx of pending) {
          try {
            b.addTransaction(tx);
          } catch (e) {
            if (e instanceof BlockFullError) break;
          }
          used++;
        }
        const sealed = b.seal(1_700_000_000);
        const queueLimit = state.queueIndex;
        state.rollback(pre);
        pending = pending.slice(Math.max(used, 1));
        const c = decodeCommitment(sealed.body);
        const weight = proofWeight(c.ops, c.feeRecipient, state.accountCount, state.tokenCount);
        expect(weight.tokens).to.be.at.most(MAX_TOKEN_PROOF_WEIGHT);
        // A wrong post-state root: the witness covers every operation.
        const lie = encodeCommitment({ ...c, postStateRoot: Buffer.alloc(32, 9) });
        const { verdict, witness } = buildFraudWitness(state, lie, { chainId: CHAIN_ID, queueEntry, position: { queueLimit, lastInBatch: true } });
        expect(verdict).to.deep.include({ ok: false, kind: "wrong-post-state" });
        const sent = witness.accounts.reduce((n, a) => n + a.tokenProof.length + a.allowanceProof.length, 0);
        expect(sent, `round ${round}`).to.be.at.most(weight.tokens);
        // Apply it for the next block.
        replayCommitment(state, sealed.body, { chainId: CHAIN_ID, queueEntry });
      }
    }
  });

  it("the block builder seals before a transaction would take the commitment over MAX_PROOF_WEIGHT, and each sealed block replays", async () => {
    // 20,000 accounts: 32 transfers between accounts spread through them need ~600 siblings.
    const state = L2State.genesis();
    const wallets = Array.from({ length: 64 }, (_, i) => new Wallet("0x" + (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(64, "0")));
    const spacing = Math.floor(20_000 / 64);
    let next = 0;
    for (let i = 0; i < 20_000; i++) {
      if (i % spacing === 0 && next < wallets.length) {
        const at = state.createAccount(wallets[next++].address.toLowerCase());
        state.setBalance(at, parseEther("1"));
      } else {
        state.createAccount("0x" + (0x20000000 + i).toString(16).padStart(40, "0"));
      }
    }
    const txs = await Promise.all(
      Array.from({ length: 32 }, async (_, i) =>
        parseRawTransaction(await wallets[i].signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, gasLimit: 21_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, to: wallets[63 - i].address, value: 1n }), CHAIN_ID),
      ),
    );
    const blocks: Buffer[] = [];
    let pending = txs;
    while (pending.length > 0) {
      const pre = state.checkpoint();
      const preCount = state.accountCount;
      const b = new BlockBuilder(state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: () => undefined });
      const weight = new CommitmentWeight(0, preCount, state.tokenCount);
      let taken = 0;
      for (const tx of pending) {
        try {
          b.addTransaction(tx);
        } catch (e) {
          expect(e).to.be.instanceOf(BlockFullError);
          break;
        }
        taken++;
      }
      const sealed = b.seal(1_700_000_000 + blocks.length);
      for (const op of sealed.commitment.ops) weight.add(op);
      expect(weight.weight.accounts).to.be.at.most(MAX_PROOF_WEIGHT);
      expect(proofWeight(sealed.commitment.ops, 0, preCount, state.tokenCount)).to.deep.equal(weight.weight);
      blocks.push(sealed.body);
      // The next transaction would have taken it over the cap.
      if (taken < pending.length) {
        const nextOp = sealed.commitment.ops.length;
        expect(nextOp).to.equal(taken);
      }
      pending = pending.slice(taken);
      const after = state.root();
      state.rollback(pre);
      const r = replayCommitment(state, sealed.body, { chainId: CHAIN_ID, queueEntry: () => undefined });
      expect(r.verdict).to.deep.equal({ ok: true });
      expect(state.root().equals(after)).to.equal(true);
    }
    expect(blocks.length).to.be.greaterThan(1);
  });
});
