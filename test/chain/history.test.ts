/**
 * The state history (src/chain/history.ts) against snapshots: after random blocks of writes —
 * accounts created, balances, nonces, token balances, allowances, registrations, rollbacks within a block —
 * every read at every block kept equals a full copy of the state taken at that block, its
 * proofs verify against that block's root, and a dropped, pruned or restored history says so.
 */
import { expect } from "chai";
import { L2State } from "../../src/core/state";
import { keccakReady } from "../../src/core/hash";
import { verifyAccountProof, type AccountProof } from "../../src/core/accountProof";
import { StateHistory } from "../../src/chain/history";
import { ProofNotKeptError } from "../../src/chain/historyErrors";
import type { HistoricalState } from "../../src/chain/historicalState";
import { QueueKind } from "../../src/core/constants";
import { allowanceKeyParts } from "../../src/core/allowanceTree";
import { ChainState } from "../../src/chain/chainState";
import { BlockBuilder } from "../../src/core/blockBuilder";
import { BASE_FEE, CHAIN_ID } from "../helpers/coreFixture";
import { randomAddress } from "../helpers/randomWallet";

/** A deterministic generator, so a failure replays. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return { int: (n: number) => Math.floor(next() * n), big: (n: number) => BigInt(Math.floor(next() * n)) };
}

const hex = (b: Buffer) => "0x" + b.toString("hex");
const q = (v: bigint | number) => "0x" + v.toString(16);

/** A full, independent copy of `s`: what every read at its block must equal. */
function copyOf(s: L2State): L2State {
  const accounts = Array.from({ length: s.accountCount }, (_, i) => {
    const a = s.peek(i)!;
    return { address: a.address, nonce: a.nonce, balance: a.balance, tokens: [...a.tokens], allowances: [...a.allowances] };
  });
  return L2State.restore(accounts, s.snapshotMeta());
}

/** An eth_getProof answer built as the RPC builds it. */
function wireProof(past: HistoricalState, address: string): AccountProof {
  const p = past.proof(address);
  return {
    address,
    balance: q(p.balance),
    nonce: q(p.nonce),
    accountProof: p.siblings.map(hex),
    accountIndex: p.index === null ? null : q(p.index),
    tokenRoot: p.tokenRoot ? hex(p.tokenRoot) : null,
    allowanceRoot: p.allowanceRoot ? hex(p.allowanceRoot) : null,
    accountCount: q(p.accountCount),
    queueIndex: q(p.queueIndex),
    withdrawalCount: q(p.withdrawalCount),
    tokenCount: q(p.tokenCount),
  };
}

/** Random writes, as a block of operations makes them (some undone by a rollback within the block). */
function randomWrites(s: L2State, r: ReturnType<typeof rng>, count: number): void {
  for (let k = 0; k < count; k++) {
    const pick = r.int(12);
    const i = r.int(s.accountCount);
    if (pick === 0 || s.accountCount < 3) s.createAccount(randomAddress().toLowerCase());
    else if (pick <= 3) s.setBalance(i, r.big(1e15));
    else if (pick === 4) s.setNonce(i, s.account(i).nonce + 1n);
    else if (pick <= 7 && s.tokenCount > 0) s.setTokenBalance(i, r.int(s.tokenCount), r.int(3) === 0 ? 0n : r.big(1e9));
    else if (pick === 8 && s.tokenCount < 4) s.registerToken("0x" + (s.tokenCount + 1).toString(16).padStart(40, "0"));
    // Allowances: of any token to any spender, sometimes infinite, sometimes cleared.
    else if (pick >= 10 && s.tokenCount > 0) s.setAllowance(i, r.int(s.tokenCount), r.int(s.accountCount), [0n, 2n ** 256n - 1n, r.big(1e9)][r.int(3)]);
    else {
      // Writes undone before the block ends leave no trace in its changes.
      const cp = s.checkpoint();
      s.setBalance(i, 123n);
      s.createAccount(randomAddress().toLowerCase());
      s.rollback(cp);
    }
  }
}

function expectSame(h: StateHistory, n: number, snap: L2State, addresses: string[], what: string): void {
  const past = h.at(n);
  expect(past, `${what}: block ${n} is held`).to.not.equal(undefined);
  const tree = past!.stateRoot !== null;
  if (tree) expect(hex(past!.stateRoot!), `${what}: root at ${n}`).to.equal(hex(snap.root()));
  expect(past!.accountCount).to.equal(snap.accountCount);
  for (const address of addresses) {
    const a = snap.accountOf(address);
    const got = past!.accountOf(address);
    expect(got && { nonce: got.nonce, balance: got.balance }, `${what}: ${address} at ${n}`).to.deep.equal(a && { nonce: a.nonce, balance: a.balance });
    const tokens = a ? [...a.tokens].filter(([, v]) => v > 0n).sort(([x], [y]) => x - y) : [];
    expect(past!.tokenBalances(address), `${what}: tokens of ${address} at ${n}`).to.deep.equal(tokens);
    if (a) {
      // Every allowance the owner gave at that block, and none other (a zero one read as zero).
      const owner = snap.indexOf(address)!;
      for (const [key, amount] of a.allowances) {
        const { tokenId, spender } = allowanceKeyParts(key);
        expect(past!.allowance(owner, tokenId, spender), `${what}: allowance ${key} of ${address} at ${n}`).to.equal(amount);
      }
      for (let t = 0; t < snap.tokenCount; t++) {
        for (let sp = 0; sp < snap.accountCount; sp++) expect(past!.allowance(owner, t, sp), `${what}: allowance ${t}/${sp} of ${address} at ${n}`).to.equal(snap.allowance(owner, t, sp));
      }
    }
    if (!tree) {
      expect(() => past!.proof(address), `${what}: no proof at ${n}`).to.throw(ProofNotKeptError);
      continue;
    }
    const proof = wireProof(past!, address);
    expect(verifyAccountProof(proof, snap.root()), `${what}: proof of ${address} at ${n}`).to.equal(a !== undefined);
    if (a) expect(past!.proof(address).siblings.map(hex)).to.deep.equal(snap.accountProof(snap.indexOf(address)!).map(hex));
  }
  for (let t = 0; t < 4; t++) expect(past!.tokenSupply(t), `${what}: supply of ${t} at ${n}`).to.equal(t < snap.tokenCount ? (snap.totals().tokens.get(t) ?? 0n) : 0n);
}

describe("chain/history: reads at past blocks equal the state as it was", function () {
  this.timeout(60_000);
  before(() => keccakReady);

  /**
   * 40 random blocks on a live state, with a snapshot after each. `treeEvery` > 1 keeps the tree
   * only at every so many blocks, as a replica replaying settled batches does.
   */
  function build(seed: number, keep?: number, treeEvery = 1) {
    const r = rng(seed);
    const s = L2State.genesis();
    const h = new StateHistory(s, { number: 0, hash: null }, keep);
    const snaps = [copyOf(s)];
    for (let b = 1; b <= 40; b++) {
      randomWrites(s, r, 1 + r.int(12));
      expect(h.capture(b % treeEvery === 0 || b === 40)).to.equal(b);
      snaps.push(copyOf(s));
    }
    return { s, h, snaps, r };
  }
  const addressesOf = (s: L2State) => [...Array.from({ length: s.accountCount }, (_, i) => s.peek(i)!.address), randomAddress().toLowerCase()];

  it("answers every account, token balance, supply and proof at every block as its snapshot, with an open block's writes pending", () => {
    for (const seed of [1, 2]) {
      const { s, h, snaps, r } = build(seed);
      randomWrites(s, r, 20); // the open block: not a block yet
      const addresses = addressesOf(s);
      for (let n = 0; n <= 40; n++) expectSame(h, n, snaps[n], addresses, `seed ${seed}`);
    }
  });

  it("keeps every block's accounts but only some blocks' trees when told so (settled batches): reads everywhere, proofs where the tree was kept, across a drop and a restore", () => {
    const { s, h, snaps, r } = build(9, undefined, 5);
    const addresses = addressesOf(s);
    for (let n = 0; n <= 40; n++) expectSame(h, n, snaps[n], addresses, "settled");
    const cp = s.checkpoint();
    randomWrites(s, r, 6);
    h.capture(false);
    randomWrites(s, r, 6);
    h.capture(false);
    s.rollback(cp);
    h.dropAfter(40);
    randomWrites(s, r, 6);
    h.capture(false);
    snaps.push(copyOf(s));
    randomWrites(s, r, 6);
    h.capture(true);
    snaps.push(copyOf(s));
    for (const n of [41, 42]) expectSame(h, n, snaps[n], addressesOf(s), "after a drop across tree-less blocks");
    expectSame(h, 35, snaps[35], addresses, "a kept tree before them");
    // Dropped back into a run of tree-less blocks: the next tree still takes what they changed.
    randomWrites(s, r, 6);
    h.capture(false);
    snaps.push(copyOf(s)); // 43
    const cp2 = s.checkpoint();
    for (let k = 0; k < 2; k++) {
      randomWrites(s, r, 6);
      h.capture(false);
    }
    s.rollback(cp2);
    h.dropAfter(43);
    randomWrites(s, r, 6);
    h.capture(false);
    snaps.push(copyOf(s)); // 44
    randomWrites(s, r, 6);
    h.capture(true);
    snaps.push(copyOf(s)); // 45
    for (const n of [42, 43, 44, 45]) expectSame(h, n, snaps[n], addressesOf(s), "a tree after tree-less blocks dropped back into");
    const records = Array.from({ length: 45 }, (_, i) => h.persisted(i + 1)!.record);
    const restored = StateHistory.restore(copyOf(s), { number: 45, hash: "0x" + "cd".repeat(32) }, records);
    for (const n of [3, 5, 40, 41, 43, 45]) expectSame(restored, n, snaps[n], addresses, "restored settled");
  });

  it("refuses a tampered proof: another balance, nonce, sibling, index, counter, token or allowance root, or root", () => {
    const { h, snaps, s } = build(4);
    const address = s.peek(1)!.address;
    const proof = wireProof(h.at(20)!, address);
    const root = snaps[20].root();
    expect(verifyAccountProof(proof, root)).to.equal(true);
    expect(verifyAccountProof(proof, "0x" + root.toString("hex"))).to.equal(true);
    const tampered: AccountProof[] = [
      { ...proof, balance: q(BigInt(proof.balance) + 1n) },
      { ...proof, nonce: q(BigInt(proof.nonce) + 1n) },
      { ...proof, accountProof: proof.accountProof.map((x, i) => (i === 5 ? "0x" + "11".repeat(32) : x)) },
      { ...proof, accountProof: proof.accountProof.slice(1) },
      { ...proof, accountIndex: q(BigInt(proof.accountIndex!) ^ 1n) },
      { ...proof, queueIndex: q(BigInt(proof.queueIndex) + 1n) },
      { ...proof, tokenRoot: "0x" + "00".repeat(32) },
      { ...proof, allowanceRoot: "0x" + "00".repeat(32) },
      { ...proof, allowanceRoot: null },
      { ...proof, address: s.peek(2)!.address },
      { ...proof, balance: "not hex" },
      { ...proof, accountIndex: proof.accountCount },
    ];
    for (const t of tampered) expect(verifyAccountProof(t, root), JSON.stringify(t).slice(0, 80)).to.equal(false);
    expect(verifyAccountProof(proof, snaps[21].root()), "another block's root").to.equal(snaps[21].root().equals(root));
    // viem's getProof parses balance to a bigint and nonce to a number: the same proof.
    expect(verifyAccountProof({ ...proof, balance: BigInt(proof.balance), nonce: Number(proof.nonce) }, root)).to.equal(true);
  });

  it("drops blocks captured while a batch replayed once the batch is rolled back: their numbers read the blocks built after", () => {
    const { s, h, snaps, r } = build(5);
    const cp = s.checkpoint();
    for (let k = 0; k < 3; k++) {
      randomWrites(s, r, 8);
      h.capture();
    }
    randomWrites(s, r, 5); // the commitment that did not replay
    s.rollback(cp);
    h.dropAfter(40);
    expect(h.newest).to.equal(40);
    expect(h.at(41)).to.equal(undefined);
    const addresses = addressesOf(s);
    for (const n of [0, 17, 40]) expectSame(h, n, snaps[n], addresses, "after the drop");
    randomWrites(s, r, 6);
    h.capture();
    expectSame(h, 41, copyOf(s), addressesOf(s), "block 41 built again");
    expectSame(h, 40, snaps[40], addresses, "block 40 after 41 was built again");
  });

  it("keeps the window it is given, and the blocks in it right", () => {
    const { h, snaps, s } = build(6, 5);
    expect(h.oldest).to.equal(35);
    expect(h.at(34)).to.equal(undefined);
    for (let n = 35; n <= 40; n++) expectSame(h, n, snaps[n], addressesOf(s), "windowed");
    expect(h.size().blocks).to.equal(6);
  });

  it("restores from its records: the same reads after a restart, and none before a gap in them", () => {
    const { h, snaps, s } = build(7);
    const records = Array.from({ length: 40 }, (_, i) => h.persisted(i + 1)!.record);
    const restored = StateHistory.restore(copyOf(s), { number: 40, hash: "0x" + "ab".repeat(32) }, records);
    expect(restored.oldest).to.equal(1);
    for (const n of [1, 9, 33, 40]) expectSame(restored, n, snaps[n], addressesOf(s), "restored");
    const gapped = StateHistory.restore(copyOf(s), { number: 40, hash: "0x" + "ab".repeat(32) }, records.filter((_, i) => i !== 29));
    expect(gapped.oldest, "the run after the missing record of block 30").to.equal(31);
    expectSame(gapped, 31, snaps[31], addressesOf(s), "after a gap");
    const bad = records.map((text, i) => (i === 34 ? text.replace(/"c":\[(\d+),"[0-9a-f]+"/, '"c":[$1,"zz"') : text));
    expect(bad[34]).to.not.equal(records[34]);
    expect(StateHistory.restore(copyOf(s), { number: 40, hash: "0x" + "ab".repeat(32) }, bad).oldest, "a malformed record is a gap, not a failure").to.equal(36);
    const none = StateHistory.restore(copyOf(s), { number: 40, hash: "0x" + "ab".repeat(32) }, ["not json", "{}"]);
    expect([none.oldest, none.newest]).to.deep.equal([40, 40]);
    expectSame(none, 40, snaps[40], addressesOf(s), "no records");
  });

  it("costs a binary search a read and ~66 hashes a proof: 1,000 proofs at an old block of a 5,000-account state in well under a second", () => {
    const s = L2State.genesis();
    const h = new StateHistory(s, { number: 0, hash: null });
    for (let i = 0; i < 5000; i++) s.createAccount("0x" + (i + 1).toString(16).padStart(40, "0"));
    h.capture();
    const r = rng(8);
    for (let b = 0; b < 200; b++) {
      for (let k = 0; k < 30; k++) s.setBalance(1 + r.int(5000), r.big(1e18));
      h.capture();
    }
    const past = h.at(50)!;
    const started = performance.now();
    for (let k = 0; k < 1000; k++) past.proof(s.peek(1 + r.int(5000))!.address);
    expect(performance.now() - started).to.be.below(1500);
  });
});

describe("chain/history: ChainState keeps it with the chain", function () {
  this.timeout(60_000);
  before(() => keccakReady);

  /** L1 queue entries: an ETH deposit to a fresh address each. */
  const deposits = (amounts: bigint[], from = 0) => amounts.map((amount, i) => ({ index: BigInt(from + i), kind: QueueKind.ETH_DEPOSIT, account: randomAddress().toLowerCase(), tokenId: 0, amount }));

  /** One block applying every queue entry `cs` knows and has not applied. */
  function queueBlock(cs: ChainState): void {
    const b = new BlockBuilder(cs.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: (i) => cs.queue.entry(i) });
    while (cs.state.queueIndex < BigInt(cs.queue.length)) b.addQueueEntry();
    cs.append(b.seal(1_700_000_000), cs.state.queueIndex);
  }

  it("serves each block's state by number and hash; after takeOver of a shorter chain and after resetToGenesis, a dropped block's state is gone", () => {
    const cs = new ChainState(CHAIN_ID);
    const [alice, bob] = deposits([5n, 7n]);
    cs.queue.learn([alice]);
    queueBlock(cs);
    cs.queue.learn([bob]);
    queueBlock(cs);
    const hash2 = cs.chain.block(2)!.hash;
    expect(cs.history.at(1)!.accountOf(alice.account)?.balance).to.equal(5n);
    expect(cs.history.at(1)!.accountOf(bob.account)).to.equal(undefined);
    expect(cs.history.at(2, hash2)!.accountOf(bob.account)?.balance).to.equal(7n);
    expect(hex(cs.history.at(2)!.stateRoot!)).to.equal(cs.chain.block(2)!.stateRoot);

    // A replica's rebuild from the same L1 queue: both deposits in one block, taken over in place of this chain.
    const rebuilt = new ChainState(CHAIN_ID);
    rebuilt.queue.learn([alice, bob]);
    queueBlock(rebuilt);
    cs.takeOver(rebuilt);
    expect(cs.history.at(2), "block 2 is not in the chain taken over").to.equal(undefined);
    expect(cs.history.at(1)!.accountOf(bob.account)?.balance, "block 1 is the rebuilt chain's").to.equal(7n);
    const [dave] = deposits([11n], 2);
    cs.queue.learn([dave]);
    queueBlock(cs);
    expect(cs.history.at(2)!.accountOf(dave.account)?.balance).to.equal(11n);
    expect(cs.history.at(2, hash2), "by the dropped block's hash").to.equal(undefined);

    // A sequencer back at genesis (the queue kept): its history with it.
    cs.resetToGenesis();
    expect(cs.history.at(1)).to.equal(undefined);
    queueBlock(cs);
    expect(cs.history.at(1)!.accountOf(dave.account)?.balance).to.equal(11n);
    expect(cs.chain.latest.number).to.equal(1);
  });
});
