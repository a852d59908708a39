import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { CHAIN_ID, tokenTransfer, tokenTransferFrom, transferTo, withdrawEth } from "../helpers/fraudFixture";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L2State } from "../../src/core/state";
import { BlockBuilder } from "../../src/core/blockBuilder";
import { buildFraudWitness, encodeWitness, onChainVerdict, type Witness } from "../../src/core/fraudProof";
import { decodeCommitment, encodeCommitment, type Commitment } from "../../src/core/commitment";
import { parseRawTransaction } from "../../src/core/intake";
import { buildMultiProof, multiProofRoot, type MultiProof } from "../../src/core/multiproof";
import { sparseLevels, sparseRoot, zeroHashes } from "../../src/core/merkle";
import { keccak256 } from "../../src/core/hash";
import { tokenRoot } from "../../src/core/tokenTree";
import { allowanceKey } from "../../src/core/allowanceTree";
import { l2TokenAddress } from "../../src/core/hashing";
import { OpKind } from "../../src/core/constants";
import type { QueueEntry } from "../../src/core/queueOps";
import type { TestToken, WalkReviewHarness } from "../../typechain-types";

/**
 * Attacker's review of dd2a74a: MultiProof.roots / leafRoots (one walk, two roots, in assembly),
 * the witnessed accounts proven AFTER the replay (Witness.authenticate), `_accountSlots`
 * (uninitialised element pointers), unchecked `take`, lookups by position.
 *
 * Every test is named for the property it holds and passes when the system is safe. One failed
 * on the reviewed code — src/core's multiProofRoot accepted inputs MultiProof.sol refuses — and
 * multiProofRoot now refuses them too.
 *
 * Held: no forged witness (structural lies, byte flips, truncations, extra truthful data) gave
 * an honest commitment a fraud verdict or moved a fraudulent one's verdict — every lie that sent
 * the replay down another path (ACCOUNT_EXISTS, INSUFFICIENT_FUNDS, BAD_SIGNATURE…) was refused
 * by `authenticate` before the verdict; the two early returns (undecodable body, empty run) give
 * the honest witness's verdict whatever the accounts say; honest witnesses on mutated bodies
 * always got src/core's verdict; MultiProof.roots/leafRoots give src/core's two roots on every
 * valid input and revert wherever src/core throws, on dirty scratch memory too.
 * Findings: src/core's multiProofRoot accepts inputs MultiProof.sol refuses (low, mirror drift).
 * Outside this file: `npm run bench:fraud` still reports worst 3,001,090 gas > the 3,000,000 target.
 * WalkReviewHarness is compiled with the IR pipeline (hardhat.config.ts), like MultiProofHarness.
 */

const hex = (b: Buffer) => "0x" + b.toString("hex");
const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : Buffer.isBuffer(x) ? x.toString("hex") : x));

/** A deterministic xorshift generator: the same cases on every run. */
class Rand {
  private s: bigint;
  constructor(seed: number) {
    this.s = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  }
  next(): number {
    let x = this.s & 0xffffffffffffffffn;
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    this.s = x;
    return Number(x & 0xffffffffn) / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** A uniform integer below 2^bits (bits ≤ 52). */
  below(bits: number): number {
    if (bits <= 30) return this.int(2 ** bits);
    return this.int(2 ** (bits - 26)) * 2 ** 26 + this.int(2 ** 26);
  }
  word(): Buffer {
    const b = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) b[i] = this.int(256);
    return b;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

// ---------------------------------------------------------------------------------------------
// MultiProof: src/core/multiproof.ts against MultiProof.sol
// ---------------------------------------------------------------------------------------------

type Outcome = { root: [string, string] } | { threw: string };

/** src/core's answer for the pre and post leaves over the same proof (throws → threw). */
function tsRoots(depth: number, indices: number[], pre: Buffer[], post: Buffer[], mp: MultiProof): Outcome {
  const zero = zeroHashes(depth);
  try {
    return { root: [hex(multiProofRoot(depth, indices, pre, mp, zero)), hex(multiProofRoot(depth, indices, post, mp, zero))] };
  } catch (e) {
    return { threw: (e as Error).message };
  }
}

async function solRoots(h: WalkReviewHarness, depth: number, indices: number[], pre: Buffer[], post: Buffer[], mp: MultiProof): Promise<Outcome> {
  try {
    const r = await h.dirtyRoots(depth, indices, pre.map(hex), post.map(hex), hex(Buffer.concat(mp.proof)), hex(mp.zeroFlags), 0, ethers.ZeroHash);
    return { root: [r[0], r[1]] };
  } catch (e) {
    return { threw: ((e as Error).message ?? "").slice(0, 120) };
  }
}

/** A random sparse tree of `depth` with `count` non-zero leaves, some of them adjacent. */
function randomTree(r: Rand, depth: number, count: number): Map<number, Buffer> {
  const leaves = new Map<number, Buffer>();
  const max = Math.min(depth, 52);
  while (leaves.size < Math.min(count, 2 ** depth)) {
    const i = r.below(max);
    leaves.set(i, r.word());
    // Neighbours: pairs at level 0 and shared parents higher up.
    if (r.int(3) === 0 && i + 1 < 2 ** depth) leaves.set(i + 1, r.word());
    if (r.int(4) === 0 && i >= 2) leaves.set(i - 2, r.word());
  }
  return leaves;
}

function proofFor(depth: number, tree: Map<number, Buffer>, indices: number[]): MultiProof {
  const zero = zeroHashes(depth);
  const levels = sparseLevels(depth, tree, zero);
  return buildMultiProof(depth, indices, (l, i) => levels[l].get(i) ?? zero[l], zero);
}

const leafOf = (tree: Map<number, Buffer>, i: number) => tree.get(i) ?? Buffer.alloc(32);

describe("verifier walk review (dd2a74a): MultiProof.roots / leafRoots, deferred witness authentication", function () {
  this.timeout(300_000);

  async function harness(): Promise<WalkReviewHarness> {
    return (await ethers.deployContract("WalkReviewHarness")) as unknown as WalkReviewHarness;
  }

  describe("MultiProof.roots / leafRoots against src/core/multiproof.ts", () => {
    it("random trees at depths 1–24 and 48, random leaf sets (adjacent and lone leaves, zero leaves), updated post leaves: both roots equal src/core's and the rebuilt trees'", async () => {
      const h = await loadFixture(harness);
      const r = new Rand(1);
      let cases = 0;
      for (const depth of [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 23, 24, 31, 48]) {
        for (let k = 0; k < 4; k++) {
          const tree = randomTree(r, depth, 1 + r.int(depth < 4 ? 2 ** depth : 12));
          // Some leaves are zero words (a zero balance is a zero leaf).
          for (const [i] of tree) if (r.int(5) === 0) tree.set(i, Buffer.alloc(32));
          const all = [...tree.keys()].sort((a, b) => a - b);
          // The proven set: some of the tree's leaves plus some empty positions.
          const chosen = new Set(all.filter(() => r.int(2) === 0));
          if (chosen.size === 0) chosen.add(all[0]);
          for (let e = r.int(3); e > 0; e--) chosen.add(r.below(Math.min(depth, 52)));
          const indices = [...chosen].sort((a, b) => a - b);
          const mp = proofFor(depth, tree, indices);
          const pre = indices.map((i) => leafOf(tree, i));
          const post = indices.map(() => (r.int(4) === 0 ? Buffer.alloc(32) : r.word()));
          const updated = new Map(tree);
          indices.forEach((i, q) => updated.set(i, post[q]));
          const ts = tsRoots(depth, indices, pre, post, mp);
          const sol = await solRoots(h, depth, indices, pre, post, mp);
          expect(sol, `depth ${depth} indices ${indices}`).to.deep.equal(ts);
          expect(ts).to.deep.equal({ root: [hex(sparseRoot(depth, tree)), hex(sparseRoot(depth, updated))] });
          cases++;
        }
      }
      expect(cases).to.equal(14 * 4);
    });

    it("mutated proofs over valid indices — flags cut short, dropped, extended with garbage bytes (0x00, 0xff, random), one flag bit flipped, a sibling dropped, added or changed, trailing bytes in the proof: where src/core throws MultiProof.sol reverts, where it gives roots MultiProof.sol gives the same two", async () => {
      const h = await loadFixture(harness);
      const r = new Rand(2);
      let agreedRoots = 0;
      let agreedThrows = 0;
      for (const depth of [3, 24, 48]) {
        for (let k = 0; k < 3; k++) {
          const tree = randomTree(r, depth, 2 + r.int(8));
          const all = [...tree.keys()].sort((a, b) => a - b);
          // At least two leaves: a lone leaf with more than 8 flag bytes has a test of its own below.
          const indices = all.filter((_, q) => q < 2 || r.int(2) === 0);
          const mp = proofFor(depth, tree, indices);
          const pre = indices.map((i) => leafOf(tree, i));
          const post = indices.map(() => r.word());
          const flagCount = mp.zeroFlags.length;
          const mutations: Array<[string, MultiProof]> = [
            ["flags dropped", { proof: mp.proof, zeroFlags: Buffer.alloc(0) }],
            ["flags one byte short", { proof: mp.proof, zeroFlags: mp.zeroFlags.subarray(0, Math.max(0, flagCount - 1)) }],
            ["flags + 0x00", { proof: mp.proof, zeroFlags: Buffer.concat([mp.zeroFlags, Buffer.from([0])]) }],
            ["flags + 0xff x 9", { proof: mp.proof, zeroFlags: Buffer.concat([mp.zeroFlags, Buffer.alloc(9, 0xff)]) }],
            ["flags + 40 random bytes", { proof: mp.proof, zeroFlags: Buffer.concat([mp.zeroFlags, r.word(), r.word().subarray(0, 8)]) }],
            ["a flag bit flipped", (() => {
              const f = Buffer.from(mp.zeroFlags);
              if (f.length) f[r.int(f.length)] ^= 1 << r.int(8);
              return { proof: mp.proof, zeroFlags: f };
            })()],
            ["last sibling dropped", { proof: mp.proof.slice(0, -1), zeroFlags: mp.zeroFlags }],
            ["a sibling added", { proof: [...mp.proof, r.word()], zeroFlags: mp.zeroFlags }],
            ["a sibling changed", { proof: mp.proof.map((p, q) => (q === 0 ? r.word() : p)), zeroFlags: mp.zeroFlags }],
            ["all flags cleared, every sibling sent", (() => {
              const zero = zeroHashes(depth);
              const levels = sparseLevels(depth, tree, zero);
              const siblings: Buffer[] = [];
              // The explicit form of the same proof: every sibling from `proof`, zero hashes included.
              const full = buildMultiProof(depth, indices, (l, i) => levels[l].get(i) ?? zero[l], zero.map(() => Buffer.alloc(32, 0xee)));
              siblings.push(...full.proof);
              return { proof: siblings, zeroFlags: Buffer.alloc(0) };
            })()],
          ];
          for (const [what, m] of mutations) {
            const ts = tsRoots(depth, indices, pre, post, m);
            const sol = await solRoots(h, depth, indices, pre, post, m);
            if ("threw" in ts) {
              expect("threw" in sol, `${what} depth ${depth}: src/core threw (${ts.threw}), MultiProof.sol gave ${show(sol)}`).to.equal(true);
              agreedThrows++;
            } else {
              expect(sol, `${what} depth ${depth} ${indices}`).to.deep.equal(ts);
              agreedRoots++;
            }
          }
          // Trailing bytes in `proof` (not a whole sibling): the verifier slices whole siblings, the harness may not.
          const sol = await h.dirtyRoots(depth, indices, pre.map(hex), post.map(hex), hex(Buffer.concat([...mp.proof, Buffer.alloc(1)])), hex(mp.zeroFlags), 0, ethers.ZeroHash).then(
            () => "answered",
            () => "reverted",
          );
          expect(sol, "a proof with a stray byte").to.equal("reverted");
        }
      }
      expect(agreedRoots).to.be.greaterThan(15);
      expect(agreedThrows).to.be.greaterThan(10);
    });

    it("leafRoots (one leaf, at depths 0–64): random flag bytes (0–8 of them, bits past the depth included), the fast zero climb at every split point, proofs of the right length and one off: src/core and MultiProof.sol agree", async () => {
      const h = await loadFixture(harness);
      const r = new Rand(3);
      for (const depth of [0, 1, 7, 8, 9, 24, 47, 48, 63, 64]) {
        const zero = zeroHashes(depth);
        for (let k = 0; k < 6; k++) {
          const index = depth === 0 ? 0 : depth > 52 ? r.below(52) : r.below(depth);
          const nFlags = r.int(9);
          const flags = Buffer.alloc(nFlags);
          // k = 0: all set from a random level up (the fast climb starts there); else random bits.
          const split = r.int(depth + 1);
          for (let l = 0; l < nFlags * 8; l++) {
            const set = k % 2 === 0 ? l >= split : r.int(2) === 0;
            if (set) flags[l >> 3] |= 1 << (l & 7);
          }
          let needed = 0;
          for (let l = 0; l < depth; l++) if (!(l >> 3 < nFlags && flags[l >> 3] & (1 << (l & 7)))) needed++;
          const leafPre = r.int(3) === 0 ? Buffer.alloc(32) : r.word();
          const leafPost = r.word();
          for (const extra of [0, -1, 1]) {
            if (needed + extra < 0) continue;
            const proof = Array.from({ length: needed + extra }, () => r.word());
            const mp = { proof, zeroFlags: flags };
            const ts = tsRoots(depth, [index], [leafPre], [leafPost], mp);
            let sol: Outcome;
            try {
              const res = await h.leafRoots(depth, index, hex(leafPre), hex(leafPost), hex(Buffer.concat(proof)), hex(flags));
              sol = { root: [res[0], res[1]] };
            } catch (e) {
              sol = { threw: (e as Error).message.slice(0, 80) };
            }
            if ("threw" in ts) expect("threw" in sol, `depth ${depth} flags ${flags.toString("hex")} extra ${extra}`).to.equal(true);
            else expect(sol, `depth ${depth} index ${index} flags ${flags.toString("hex")} extra ${extra}`).to.deep.equal(ts);
          }
          void zero;
        }
      }
    });

    it("inputs MultiProof.sol refuses — indices unsorted, duplicated, at or past 2^depth, and a lone leaf with more than 8 flag bytes — src/core's multiProofRoot refuses too (the review found it returning a root for each)", async () => {
      const h = await loadFixture(harness);
      const r = new Rand(4);
      const depth = 24;
      const tree = randomTree(r, depth, 6);
      const all = [...tree.keys()].sort((a, b) => a - b);
      const mp = proofFor(depth, tree, all);
      const pre = all.map((i) => leafOf(tree, i));
      const lone = proofFor(depth, tree, [all[0]]);
      // Every sibling a zero hash, no proof: a walk src/core completes whatever the indices' order.
      const zeros = (n: number): MultiProof => ({ proof: [], zeroFlags: Buffer.alloc(Math.ceil((n * depth) / 8), 0xff) });
      void mp;
      const cases: Array<[string, number[], Buffer[], MultiProof]> = [
        ["unsorted indices", [...all].reverse(), [...pre].reverse(), zeros(all.length)],
        ["a duplicated index", [all[0], ...all], [pre[0], ...pre], zeros(all.length + 1)],
        ["an index at 2^depth", [...all.slice(0, -1), 2 ** depth], pre, zeros(all.length)],
        ["a lone index past 2^depth", [all[0] + 2 ** depth], [pre[0]], lone],
        ["a lone leaf with 9 flag bytes (the 6 extra ones zero)", [all[0]], [pre[0]], { proof: lone.proof, zeroFlags: Buffer.concat([lone.zeroFlags, Buffer.alloc(6)]) }],
      ];
      const disagreements: string[] = [];
      for (const [what, indices, leaves, m] of cases) {
        const ts = tsRoots(depth, indices, leaves, leaves, m);
        const sol = await solRoots(h, depth, indices, leaves, leaves, m);
        // Never the other way round: MultiProof.sol gives no root where src/core throws.
        if ("threw" in ts) expect("threw" in sol, what).to.equal(true);
        if ("threw" in sol !== "threw" in ts) disagreements.push(`${what}: src/core ${"threw" in ts ? "throws" : "returns a root"}, MultiProof.sol ${"threw" in sol ? "reverts" : "returns one"}`);
      }
      expect(disagreements, disagreements.join("\n")).to.deep.equal([]);
    });

    it("huge n: a full depth-10 tree (1,024 leaves, no sibling sent) and 700 random leaves of a depth-20 tree: both roots equal src/core's", async () => {
      const h = await loadFixture(harness);
      const r = new Rand(5);
      for (const [depth, count] of [[10, 1024], [20, 700]] as const) {
        const tree = new Map<number, Buffer>();
        if (count === 2 ** depth) for (let i = 0; i < count; i++) tree.set(i, r.int(7) === 0 ? Buffer.alloc(32) : r.word());
        else while (tree.size < count) tree.set(r.below(depth), r.word());
        const indices = [...tree.keys()].sort((a, b) => a - b);
        const mp = proofFor(depth, tree, indices);
        const pre = indices.map((i) => leafOf(tree, i));
        const post = indices.map(() => r.word());
        const ts = tsRoots(depth, indices, pre, post, mp);
        const sol = await solRoots(h, depth, indices, pre, post, mp);
        expect(sol, `depth ${depth}`).to.deep.equal(ts);
        expect("root" in ts).to.equal(true);
      }
    });

    it("memory: the walk's scratch past the free pointer — dirty memory there (0xff… and random words) changes neither root, the inputs and zero table are untouched, the free pointer does not move; two walks back to back give each walk's roots and a later allocation reads zero", async () => {
      const h = await loadFixture(harness);
      const r = new Rand(6);
      for (const depth of [5, 24, 48]) {
        const tree = randomTree(r, depth, 9);
        const indices = [...tree.keys()].sort((a, b) => a - b);
        const mp = proofFor(depth, tree, indices);
        const pre = indices.map((i) => leafOf(tree, i));
        const post = indices.map(() => r.word());
        const clean = tsRoots(depth, indices, pre, post, mp);
        for (const junk of [Buffer.alloc(32, 0xff), r.word(), Buffer.alloc(32, 0x01)]) {
          const res = await h.dirtyRoots(depth, indices, pre.map(hex), post.map(hex), hex(Buffer.concat(mp.proof)), hex(mp.zeroFlags), 4096, hex(junk));
          expect({ root: [res[0], res[1]] }, `depth ${depth} junk ${junk.toString("hex").slice(0, 8)}`).to.deep.equal(clean);
          expect(res[2], "inputs and zero table intact").to.equal(true);
          expect(res[3], "free pointer unmoved").to.equal(true);
        }
        // Two walks: the second (fewer leaves, more flags) runs on the first's leftovers.
        const small = [indices[0]];
        const smallMp = proofFor(depth, tree, small);
        const [a, b, fresh] = await h.twice(depth, indices, pre.map(hex), hex(Buffer.concat(mp.proof)), hex(mp.zeroFlags), small, [hex(pre[0])], hex(Buffer.concat(smallMp.proof)), hex(smallMp.zeroFlags));
        expect(a).to.equal(hex(sparseRoot(depth, tree)));
        expect(b).to.equal(hex(sparseRoot(depth, tree)));
        expect(fresh, "an array allocated after the walks reads zero").to.equal(true);
        const [a2, b2] = await h.twice(depth, small, [hex(pre[0])], hex(Buffer.concat(smallMp.proof)), hex(smallMp.zeroFlags), indices, pre.map(hex), hex(Buffer.concat(mp.proof)), hex(mp.zeroFlags));
        expect([a2, b2]).to.deep.equal([hex(sparseRoot(depth, tree)), hex(sparseRoot(depth, tree))]);
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  // FraudVerifier: the witness proven after the replay
  // -------------------------------------------------------------------------------------------

  describe("FraudVerifier: witnessed accounts proven after the replay, before any verdict", () => {
    this.timeout(300_000);

    it("an honest commitment touching every witness shape (deposits to an existing and to new accounts, a multi-leaf token tree, a lone-leaf token tree, an allowance, a created account by a signed op, a withdrawal) answers NONE with the honest witness, WRONG_POST_STATE with a wrong root", async () => {
      const fx = await loadFixture(verifierFixture);
      const body = await honestBody(fx);
      const r = await judge(fx, body, (await built(fx, body)).packed);
      expect(r).to.deep.equal({ kind: KIND.none, reason: 0, at: 0 });
      const wrong = encodeCommitment({ ...decodeCommitment(body), postStateRoot: keccak256(Buffer.from("no replay gives this")) });
      const w = await built(fx, wrong);
      expect(onChainVerdict(w.verdict)).to.deep.equal({ kind: KIND.postState, reason: 0 });
      expect(await judge(fx, wrong, w.packed)).to.deep.equal({ kind: KIND.postState, reason: 0, at: 0 });
      // The witness really has the shapes this review is about.
      const shapes = w.witness.accounts.map((a) => `${a.index}:${a.empty ? "empty" : "held"}:${a.tokenIds.length}t:${a.allowanceKeys.length}a`);
      expect(shapes.join(" "), "alice with 2 tokens and an allowance, created erin/dave/frank").to.match(/1:held:2t:1a/);
      expect(w.witness.accounts.filter((a) => a.empty).length).to.be.at.least(3);
      expect(w.witness.queue.length).to.equal(4);
    });

    it("structural lies in an honest commitment's witness — balances, nonces, addresses, token amounts (lone and multi-leaf), token ids swapped or duplicated, roots recomputed to fit the lie, existing ⇄ empty, a created account with a balance or siblings, an account dropped or added, queue entries — each reverts: no verdict at all", async () => {
      const fx = await loadFixture(verifierFixture);
      const body = await honestBody(fx);
      const base = (await built(fx, body)).witness;
      const at = (w: Witness, i: number) => w.accounts.find((a) => a.index === i)!;
      const zero32 = "0x" + "00".repeat(32);
      const forgeries: Array<[string, (w: Witness) => void]> = [
        ["alice's ETH balance lowered below her transfer (would be INSUFFICIENT_FUNDS)", (w) => (at(w, 1).balance = 1000n)],
        ["alice's ETH balance raised", (w) => (at(w, 1).balance += 1n)],
        ["alice's nonce raised (would be BAD_SIGNATURE)", (w) => (at(w, 1).nonce = 1n)],
        ["bob's address set to erin's (the deposit creating erin would be ACCOUNT_EXISTS)", (w) => (at(w, 3).addr = erin.address.toLowerCase())],
        ["bob's address set to dave's (the transfer creating dave would be ACCOUNT_EXISTS)", (w) => (at(w, 3).addr = dave.address.toLowerCase())],
        ["alice's token 0 lowered to 1 (multi-leaf tree; would be INSUFFICIENT_FUNDS)", (w) => (at(w, 1).tokenBalances[0] = 1n)],
        ["alice's token 1 raised (multi-leaf tree)", (w) => (at(w, 1).tokenBalances[1] += 1n)],
        ["bob's lone token 0 raised (one-leaf tree)", (w) => (at(w, 3).tokenBalances[0] += 1n)],
        ["bob's lone token 0 set to zero (changes the recipient-to-empty gas figure)", (w) => (at(w, 3).tokenBalances[0] = 0n)],
        ["alice's token entries swapped (unsorted)", (w) => {
          const a = at(w, 1);
          a.tokenIds.reverse();
          a.tokenBalances.reverse();
        }],
        ["alice's token 0 listed twice (the first one 0)", (w) => {
          const a = at(w, 1);
          a.tokenIds = [a.tokenIds[0], ...a.tokenIds];
          a.tokenBalances = [0n, ...a.tokenBalances];
        }],
        ["alice's token 0 listed twice (the second one 0)", (w) => {
          const a = at(w, 1);
          a.tokenIds = [a.tokenIds[0], ...a.tokenIds];
          a.tokenBalances = [a.tokenBalances[0], 0n, a.tokenBalances[1]];
        }],
        ["alice's token amounts lowered AND her token root recomputed to fit (the account leaf then lies)", (w) => {
          const a = at(w, 1);
          a.tokenBalances = [1n, 1n];
          a.tokenRoot = hex(tokenRoot(new Map([[0, 1n], [1, 1n]])));
          a.tokenProof = [];
          a.tokenZeroFlags = hex(proofFor(24, new Map([[0, word(1n)], [1, word(1n)]]), [0, 1]).zeroFlags);
        }],
        ["alice's allowance to bob lowered (would be INSUFFICIENT_ALLOWANCE)", (w) => (at(w, 1).allowances[0] = 4n)],
        ["alice's allowance root replaced by the empty tree's", (w) => (at(w, 1).allowanceRoot = hex(sparseRoot(48, new Map())))],
        ["existing bob marked empty", (w) => (at(w, 3).empty = true)],
        ["created erin marked existing (with a zero leaf's fields)", (w) => {
          const e = at(w, 5);
          e.empty = false;
          e.tokenRoot = hex(tokenRoot(new Map()));
          e.allowanceRoot = hex(sparseRoot(48, new Map()));
        }],
        ["created erin holding 1 of token 0 already", (w) => (at(w, 5).tokenBalances[0] = 1n)],
        ["created erin sending a sibling for her token tree", (w) => {
          const e = at(w, 5);
          e.tokenProof = [hex(keccak256(Buffer.from("x")))];
          e.tokenZeroFlags = "0xfeffff";
        }],
        ["created erin's token flags dropped", (w) => (at(w, 5).tokenZeroFlags = "0x")],
        ["created erin's token flags with level 23 not a zero hash", (w) => (at(w, 5).tokenZeroFlags = "0xffff7f")],
        ["created dave dropped", (w) => {
          w.accounts = w.accounts.filter((a) => a.index !== 6);
        }],
        ["the fee recipient dropped", (w) => {
          w.accounts = w.accounts.filter((a) => a.index !== 2);
        }],
        ["an untouched account added with made-up fields (index 4 replaced when present)", (w) => {
          w.accounts = w.accounts.filter((a) => a.index !== 0);
          w.accounts.unshift({ ...at(w, 3), index: 0, addr: carol.address.toLowerCase(), tokenIds: [], tokenBalances: [], tokenProof: [], tokenZeroFlags: "0x", allowanceKeys: [], allowances: [], allowanceProof: [], allowanceZeroFlags: "0x" });
        }],
        ["the zero account (index 0) added with dave's address (held: the transfer creating dave would be ACCOUNT_EXISTS)", (w) => {
          w.accounts.unshift({ ...at(w, 3), index: 0, addr: dave.address.toLowerCase(), balance: 0n, tokenRoot: hex(tokenRoot(new Map())), tokenIds: [], tokenBalances: [], tokenProof: [], tokenZeroFlags: "0x", allowanceKeys: [], allowances: [], allowanceProof: [], allowanceZeroFlags: "0x" });
        }],
        ["accounts out of order", (w) => w.accounts.reverse()],
        ["the account proof's first sibling changed", (w) => (w.accountProof[0] = zero32)],
        ["the account flags dropped", (w) => (w.accountZeroFlags = "0x")],
        ["the first queue entry's amount raised", (w) => (w.queue[0].amount += 1n)],
        ["the second queue entry's account set to bob (existing)", (w) => (w.queue[1].account = bob.address.toLowerCase())],
        ["the queue entries dropped", (w) => (w.queue = [])],
      ];
      const answered: string[] = [];
      const reverts: string[] = [];
      for (const [what, forge] of forgeries) {
        const w = cloneWitness(base);
        forge(w);
        let packed: string;
        try {
          packed = encodeWitness(w);
        } catch (e) {
          answered.push(`${what}: unencodable (${(e as Error).message})`);
          continue;
        }
        const r = await judge(fx, body, packed);
        reverts.push(`${what}: ${"revert" in r ? r.revert : "answered"}`);
        if (!("revert" in r)) answered.push(`${what}: ${show(r)}`);
        else expect(r.revert, what).to.match(/^(FraudWitness|MultiProof)/);
      }
      expect(answered, "a forged witness got an answer").to.deep.equal([]);
      if (process.env.WALK_REVIEW_VERBOSE) console.log(reverts.join("\n"));
    });

    it("byte-level mutations of an honest commitment's packed witness (the header, the first accounts' records, 50 random elsewhere, truncations of the tail around queue-entry and word edges, extensions): each reverts or answers NONE — never a fraud verdict", async () => {
      const fx = await loadFixture(verifierFixture);
      const body = await honestBody(fx);
      const packed = Buffer.from((await built(fx, body)).packed.slice(2), "hex");
      const r = new Rand(7);
      const positions = new Set<number>();
      // The header (66 bytes), the account count, the first two accounts' records.
      // The header and account count (every 3rd byte), the first accounts' records, then anywhere.
      for (let i = 0; i < 70; i += 3) positions.add(i);
      while (positions.size < 24 + 40) positions.add(70 + r.int(Math.min(packed.length, 400) - 70));
      while (positions.size < 24 + 40 + 50) positions.add(r.int(packed.length));
      const fraud: string[] = [];
      let answers = 0;
      for (const i of positions) {
        const m = Buffer.from(packed);
        m[i] ^= 1 << r.int(8);
        const v = await judge(fx, body, hex(m));
        if (!("revert" in v)) {
          answers++;
          if (v.kind !== KIND.none) fraud.push(`byte ${i}: ${show(v)}`);
        }
      }
      for (const cut of [1, 2, 3, 8, 20, 31, 32, 33, 55, 56, 57, 112, 113]) {
        const v = await judge(fx, body, hex(packed.subarray(0, packed.length - cut)));
        if (!("revert" in v)) fraud.push(`cut ${cut}: ${show(v)}`);
      }
      for (const tail of [Buffer.from([0]), Buffer.alloc(56), Buffer.alloc(32, 0xff)]) {
        const v = await judge(fx, body, hex(Buffer.concat([packed, tail])));
        if (!("revert" in v)) fraud.push(`+${tail.length} bytes: ${show(v)}`);
      }
      expect(fraud, fraud.join("\n")).to.deep.equal([]);
      // Flips of unused flag bits and the like may still answer (NONE): counted, not required.
      expect(answers).to.be.lessThan(positions.size);
    });

    it("extra truthful data the replay never needed (an untouched account, an empty slot far above the count, zero-amount token and allowance entries of a created account), proven with real multiproofs: the verdict is unchanged, for an honest and for a fraudulent commitment", async () => {
      const fx = await loadFixture(verifierFixture);
      for (const body of [await honestBody(fx), await insufficientFundsBody(fx)]) {
        const base = await built(fx, body);
        const s = preState(fx);
        const w = cloneWitness(base.witness);
        const emptyAllowances = hex(sparseRoot(48, new Map()));
        const blank = (index: number) => ({
          index,
          empty: true,
          addr: "0x" + "00".repeat(20),
          nonce: 0n,
          balance: 0n,
          tokenRoot: hex(tokenRoot(new Map())),
          tokenIds: [] as number[],
          tokenBalances: [] as bigint[],
          tokenProof: [] as string[],
          tokenZeroFlags: "0x",
          allowanceRoot: emptyAllowances,
          allowanceKeys: [] as number[],
          allowances: [] as bigint[],
          allowanceProof: [] as string[],
          allowanceZeroFlags: "0x",
        });
        // Index 0 (the zero address): held, untouched by the commitment.
        const zeroAccount = { ...blank(0), empty: false, addr: s.peek(0)!.address, nonce: s.peek(0)!.nonce, balance: s.peek(0)!.balance };
        // Index 40: an empty slot, with zero-amount token and allowance entries (all-zero-hash flags).
        const far = { ...blank(40), tokenIds: [3, 4], tokenBalances: [0n, 0n], tokenZeroFlags: hex(proofFor(24, new Map(), [3, 4]).zeroFlags), allowanceKeys: [allowanceKey(1, 2)], allowances: [0n], allowanceZeroFlags: hex(proofFor(48, new Map(), [allowanceKey(1, 2)]).zeroFlags) };
        w.accounts = [zeroAccount, ...w.accounts.filter((a) => a.index !== 0), far].sort((a, b) => a.index - b.index);
        const indices = w.accounts.map((a) => a.index);
        const zero = zeroHashes(24);
        const mp = buildMultiProof(24, indices, (l, i) => s.accountNode(l, i), zero);
        w.accountProof = mp.proof.map(hex);
        w.accountZeroFlags = hex(mp.zeroFlags);
        const want = await judge(fx, body, base.packed);
        expect("revert" in want).to.equal(false);
        expect(await judge(fx, body, encodeWitness(w))).to.deep.equal(want);
      }
    });

    it("a fraudulent commitment (alice's transfer re-signed for more than she holds: INSUFFICIENT_FUNDS mid-commitment, after a created account) under witness forgeries: revert or the honest verdict — a lie never moves the verdict", async () => {
      const fx = await loadFixture(verifierFixture);
      const body = await insufficientFundsBody(fx);
      const honestW = await built(fx, body);
      expect(honestW.verdict.ok).to.equal(false);
      const expected = onChainVerdict(honestW.verdict);
      const v0 = await judge(fx, body, honestW.packed);
      expect({ kind: (v0 as { kind: number }).kind, reason: (v0 as { reason: number }).reason }).to.deep.equal(expected);
      const packed = Buffer.from(honestW.packed.slice(2), "hex");
      const r = new Rand(8);
      const moved: string[] = [];
      for (let k = 0; k < 36; k++) {
        const m = Buffer.from(packed);
        const i = k < 12 ? 66 + k * 7 : r.int(packed.length);
        m[i] ^= 1 << r.int(8);
        const v = await judge(fx, body, hex(m));
        if (!("revert" in v) && (v.kind !== expected.kind || v.reason !== expected.reason || v.at !== (v0 as { at: number }).at)) moved.push(`byte ${i}: ${show(v)}`);
      }
      const alice1 = (w: Witness) => w.accounts.find((a) => a.index === 1)!;
      for (const [what, forge] of [
        ["alice's balance raised to cover it", (w: Witness) => (alice1(w).balance = 10n ** 30n)],
        ["alice's balance lowered (the verdict would move to an earlier op)", (w: Witness) => (alice1(w).balance = 1n)],
        ["alice's nonce changed (BAD_SIGNATURE instead)", (w: Witness) => (alice1(w).nonce += 1n)],
      ] as const) {
        const w = cloneWitness(honestW.witness);
        forge(w);
        const v = await judge(fx, body, encodeWitness(w));
        if (!("revert" in v)) moved.push(`${what}: ${show(v)}`);
      }
      expect(moved, moved.join("\n")).to.deep.equal([]);
    });

    it("verdicts returned before authentication (an undecodable body, an empty run) are the honest witness's whatever the witnessed accounts and queue entries say: they never rest on an unproven account", async () => {
      const fx = await loadFixture(verifierFixture);
      const body = await honestBody(fx);
      const w = cloneWitness((await built(fx, body)).witness);
      // Every account lies, and so does the queue.
      for (const a of w.accounts) if (!a.empty) a.balance = 0n;
      for (const q of w.queue) q.amount = 1n;
      const forged = encodeWitness(w);
      const undecodable = Buffer.concat([body.subarray(0, 40), Buffer.alloc(3, 0xff)]);
      const honestEmpty = encodeWitness({ ...w, accounts: [], accountProof: [], accountZeroFlags: "0x", queue: [] });
      for (const [what, b] of [["undecodable", undecodable], ["empty run", Buffer.from("00030065536000", "hex")], ["run of 0 blocks", Buffer.alloc(7)]] as const) {
        for (const lastInBatch of [false, true]) {
          const withForged = await judge(fx, b, forged, { lastInBatch });
          const withHonest = await judge(fx, b, honestEmpty, { lastInBatch });
          expect(withForged, `${what} lastInBatch ${lastInBatch}`).to.deep.equal(withHonest);
          expect("revert" in withHonest, what).to.equal(false);
        }
      }
      // The pre-state header is still checked first: a forged counter reverts even there.
      const badHeader = cloneWitness(w);
      badHeader.pre.queueIndex += 1n;
      expect(await judge(fx, Buffer.from("00030065536000", "hex"), encodeWitness(badHeader), { lastInBatch: true })).to.deep.equal({ revert: "FraudWitnessPreStateMismatch" });
    });

    it("_accountSlots: a witness of no accounts answers (a commitment of one token registration: NONE); an account count of 65,535 with one account sent, or one more than sent, or a count byte cut, reverts — no element is read before it is written", async () => {
      const fx = await loadFixture(verifierFixture);
      // The pre-state before the second registration: one queue op registers token 1, no account touched.
      const s = preState(fx, { queueIndex: 1n, tokens: 1 });
      const b = new BlockBuilder(s, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 2, queueEntry: fx.queueEntry });
      b.addQueueEntry();
      const body = b.seal(TIMESTAMP).body;
      const ctxPre = preState(fx, { queueIndex: 1n, tokens: 1 });
      const w = buildFraudWitness(ctxPre, body, { chainId: CHAIN_ID, queueEntry: fx.queueEntry, position: { queueLimit: fx.queueLength, lastInBatch: false } });
      expect(w.verdict.ok).to.equal(true);
      expect(w.witness.accounts.length).to.equal(0);
      const pre = preState(fx, { queueIndex: 1n, tokens: 1 });
      expect(await judge(fx, body, w.packed, { pre })).to.deep.equal({ kind: KIND.none, reason: 0, at: 0 });
      // Account-count lies on a witness with one account.
      const honest = await built(fx, await honestBody(fx));
      const packed = Buffer.from(honest.packed.slice(2), "hex");
      const realCount = packed.readUInt16BE(64);
      for (const count of [0, realCount - 1, realCount + 1, 65_535]) {
        const m = Buffer.from(packed);
        m.writeUInt16BE(count, 64);
        const v = await judge(fx, await honestBody(fx), hex(m));
        expect("revert" in v, `count ${count}: ${show(v)}`).to.equal(true);
      }
      const v = await judge(fx, await honestBody(fx), hex(packed.subarray(0, 65)));
      expect(v).to.have.property("revert");
    });

    it("honest witnesses, proposer-controlled bodies: 64 single-byte flips and 16 truncations of two bodies, and an op made invalid at each position: the verifier always answers, with src/core's verdict", async () => {
      const fx = await loadFixture(verifierFixture);
      const bodies = [await honestBody(fx), await insufficientFundsBody(fx)];
      const r = new Rand(9);
      const disagreements: string[] = [];
      const verdictsSeen = new Set<string>();
      let n = 0;
      const check = async (b: Buffer, what: string) => {
        let core;
        try {
          core = await built(fx, b);
        } catch (e) {
          // src/core could not build a witness for it (its own error): nothing to compare.
          verdictsSeen.add(`core-error:${(e as Error).name}`);
          return;
        }
        const chain = await judge(fx, b, core.packed);
        const want = onChainVerdict(core.verdict);
        verdictsSeen.add(`${want.kind}:${want.reason}`);
        n++;
        if ("revert" in chain || chain.kind !== want.kind || chain.reason !== want.reason) disagreements.push(`${what}: src/core ${show(core.verdict).slice(0, 160)} chain ${show(chain)}`);
      };
      for (const body of bodies) {
        for (let k = 0; k < 32; k++) {
          const m = Buffer.from(body);
          const i = 32 + r.int(body.length - 32);
          m[i] ^= 1 << r.int(8);
          await check(m, `flip byte ${i}`);
        }
        for (let k = 0; k < 8; k++) await check(body.subarray(0, 38 + r.int(body.length - 38)), "truncated");
      }
      // Each op in turn re-signed for more than the sender has (or its signature broken).
      const c = decodeCommitment(bodies[0]);
      for (let k = 0; k < c.ops.length; k++) {
        const op = c.ops[k] as { kind: number; amount?: bigint; sig?: { r: Buffer } };
        if (op.kind === OpKind.QUEUE) continue;
        const broken = { ...op, sig: { ...op.sig!, r: Buffer.alloc(32, 7) } };
        const ops = [...c.ops];
        ops[k] = broken as (typeof ops)[number];
        await check(encodeCommitment({ ...c, ops }), `op ${k} signature broken`);
      }
      expect(disagreements, disagreements.join("\n")).to.deep.equal([]);
      expect(n).to.be.greaterThan(50);
      expect(verdictsSeen.size, [...verdictsSeen].join(" ")).to.be.at.least(4);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The FraudVerifier world
// ---------------------------------------------------------------------------------------------

const BASE_FEE = 10_000_000n;
const TIMESTAMP = 1_700_000_000;
const KIND = { none: 0, malformed: 1, invalidOp: 2, withdrawalRoot: 3, postState: 4, queueCount: 5 };
const E18 = 10n ** 18n;
const key = (name: string) => hex(keccak256(Buffer.from(`verifier walk review ${name}`)));
const alice = new Wallet(key("alice"));
const bob = new Wallet(key("bob"));
const carol = new Wallet(key("carol"));
const sink = new Wallet(key("sink"));
const erin = new Wallet(key("erin")); // created by a token deposit
const dave = new Wallet(key("dave")); // created by alice's ETH transfer
const frank = new Wallet(key("frank")); // created by an ETH deposit
const word = (v: bigint) => Buffer.from(v.toString(16).padStart(64, "0"), "hex");

async function verifierFixture() {
  const f = await l1Fixture();
  const bridge = f.bridge.connect(f.alice);
  await f.bridge.registerToken(f.token); // queue 0
  const second = (await ethers.deployContract("TestToken", ["Second", "SEC", 18])) as unknown as TestToken;
  await second.mint(f.alice.address, 10n ** 24n);
  await second.connect(f.alice).approve(f.addresses.bridge, ethers.MaxUint256);
  await f.bridge.registerToken(second); // queue 1
  await bridge.depositETH(alice.address, { value: parseEther("1") }); // 2: alice (existing)
  await bridge.depositERC20(f.token, erin.address, 500n); // 3: erin (new)
  await bridge.depositETH(frank.address, { value: parseEther("2") }); // 4: frank (new)
  await bridge.depositERC20(second, bob.address, 9n); // 5: bob (existing, no token 1 yet)
  const l1 = new L1Contracts(ethers.provider, f.addresses, f.deployer);
  const queue = await l1.queueEntries(0, await ethers.provider.getBlockNumber());
  const meta = [(await f.token.getAddress()).toLowerCase(), (await second.getAddress()).toLowerCase()];
  return {
    verifier: f.verifier,
    bridgeAddr: f.addresses.bridge,
    meta,
    queue,
    queueLength: BigInt(queue.length),
    queueEntry: (i: bigint): QueueEntry | undefined => queue[Number(i)],
  };
}
type VF = Awaited<ReturnType<typeof verifierFixture>>;

/** 0 the zero address; 1 alice (10 ETH, 1,000 of tokens 0 and 1, allows bob 400 of token 0); 2 the fee recipient (5 of token 0); 3 bob (1 ETH, 3 of token 0); 4 carol (1 ETH). */
function preState(fx: VF, o: { queueIndex?: bigint; tokens?: number } = {}): L2State {
  const accounts = [
    { address: "0x" + "00".repeat(20), nonce: 0n, balance: 0n, tokens: [] as Array<[number, bigint]> },
    { address: alice.address.toLowerCase(), nonce: 0n, balance: 10n * E18, tokens: [[0, 1000n], [1, 1000n]] as Array<[number, bigint]>, allowances: [[allowanceKey(0, 3), 400n]] as Array<[number, bigint]> },
    { address: sink.address.toLowerCase(), nonce: 0n, balance: 0n, tokens: [[0, 5n]] as Array<[number, bigint]> },
    { address: bob.address.toLowerCase(), nonce: 0n, balance: E18, tokens: [[0, 3n]] as Array<[number, bigint]> },
    { address: carol.address.toLowerCase(), nonce: 0n, balance: E18, tokens: [] as Array<[number, bigint]> },
  ];
  const tokens = fx.meta.slice(0, o.tokens ?? 2);
  if ((o.tokens ?? 2) < 2) accounts[1].tokens = [[0, 1000n]];
  return L2State.restore(accounts, { accountCount: accounts.length, tokens, queueIndex: o.queueIndex ?? 2n, withdrawalCount: 0n });
}

async function parsed(wallet: Wallet, nonce: number, tx: Record<string, unknown>) {
  const raw = await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, gasLimit: 100_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx });
  return parseRawTransaction(raw, CHAIN_ID);
}

/** The honest commitment: every witness shape at once. */
async function honestBody(fx: VF): Promise<Buffer> {
  const s = preState(fx);
  const t0 = l2TokenAddress(fx.meta[0]);
  const t1 = l2TokenAddress(fx.meta[1]);
  const b = new BlockBuilder(s, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 2, queueEntry: fx.queueEntry });
  b.addQueueEntry(); // ETH to alice
  b.addQueueEntry(); // token 0 to erin (created: 5)
  b.addTransaction(await parsed(alice, 0, transferTo(bob.address, E18)));
  b.addTransaction(await parsed(alice, 1, tokenTransfer(t0, bob.address, 10n)));
  b.addTransaction(await parsed(alice, 2, tokenTransfer(t1, carol.address, 7n)));
  b.addTransaction(await parsed(bob, 0, tokenTransferFrom(t0, alice.address, carol.address, 5n)));
  b.addTransaction(await parsed(alice, 3, transferTo(dave.address, E18))); // dave created: 6
  b.addQueueEntry(); // ETH to frank (created: 7)
  b.addQueueEntry(); // token 1 to bob
  b.addTransaction(await parsed(alice, 4, withdrawEth(alice.address, E18)));
  return b.seal(TIMESTAMP).body;
}

/** The honest commitment with alice's last transfer re-signed for 100 ETH (she has ~8): INSUFFICIENT_FUNDS there. */
async function insufficientFundsBody(fx: VF): Promise<Buffer> {
  const c = decodeCommitment(await honestBody(fx));
  const big = await parsed(alice, 3, transferTo(dave.address, 100n * E18));
  const k = c.ops.findIndex((o) => o.kind === OpKind.ETH_TRANSFER_NEW);
  const op = c.ops[k] as Extract<Commitment["ops"][number], { kind: typeof OpKind.ETH_TRANSFER_NEW }>;
  const ops = [...c.ops];
  ops[k] = { ...op, amount: 100n * E18, sig: big.sig };
  return encodeCommitment({ ...c, ops });
}

async function built(fx: VF, body: Buffer, o: { lastInBatch?: boolean } = {}) {
  return buildFraudWitness(preState(fx), body, { chainId: CHAIN_ID, queueEntry: fx.queueEntry, position: { queueLimit: fx.queueLength, lastInBatch: o.lastInBatch ?? false } });
}

type Judged = { kind: number; reason: number; at: number } | { revert: string };

/** FraudVerifier.verify's answer, or the name of the error it reverts with. */
async function judge(fx: VF, body: Buffer, packed: string, o: { lastInBatch?: boolean; pre?: L2State } = {}): Promise<Judged> {
  const ctx = { preStateRoot: hex((o.pre ?? preState(fx)).root()), chainId: CHAIN_ID, bridge: fx.bridgeAddr, queueLimit: fx.queueLength, lastInBatch: o.lastInBatch ?? false };
  try {
    // A cap well above the worst honest proof: a forged count that makes the call run out of gas still reverts, sooner.
    const [kind, reason, at] = await fx.verifier.verify(body, packed, ctx, { gasLimit: 12_000_000 });
    return { kind: Number(kind), reason: Number(reason), at: Number(at) };
  } catch (e) {
    const data = (e as { data?: unknown }).data;
    if (typeof data !== "string") return { revert: `no data: ${String((e as Error).message).slice(0, 80)}` };
    if (data === "0x") return { revert: "empty (out of gas or invalid)" };
    try {
      return { revert: fx.verifier.interface.parseError(data)?.name ?? `unparsed ${data.slice(0, 10)}` };
    } catch {
      const mp = new ethers.Interface(["error MultiProofBadIndices()", "error MultiProofWrongLength(uint256,uint256)"]);
      try {
        return { revert: mp.parseError(data)?.name ?? `unparsed ${data.slice(0, 10)}` };
      } catch {
        return { revert: `unparsed ${data.slice(0, 10)}` };
      }
    }
  }
}

/** A deep copy of a witness (bigints kept). */
function cloneWitness(w: Witness): Witness {
  return JSON.parse(JSON.stringify(w, (_k, x) => (typeof x === "bigint" ? `${x}n` : x)), (_k, x) => (typeof x === "string" && /^\d+n$/.test(x) ? BigInt(x.slice(0, -1)) : x));
}
