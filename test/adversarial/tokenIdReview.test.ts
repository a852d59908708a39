import { expect } from "chai";
import { withTokenClass } from "../helpers/spelling";
import { ethers } from "hardhat";
import { SigningKey, Wallet } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { CHAIN_ID } from "../helpers/fraudFixture";
import { setBridgeTokenCount, skippedTokenAddress } from "../helpers/tokenCount";
import { L2State } from "../../src/core/state";
import type { Checkpoint } from "../../src/core/journal";
import { tokenRoot } from "../../src/core/tokenTree";
import { buildFraudWitness, onChainVerdict } from "../../src/core/fraudProof";
import { encodeCommitment, decodeCommitment, type Commitment } from "../../src/core/commitment";
import { type Op, type SignedOp } from "../../src/core/ops";
import { MAX_TOKEN_PROOF_WEIGHT, OpKind, QueueKind, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { proofWeight } from "../../src/core/proofWeight";
import { signingHash, type FeeEntry, type TxSignature } from "../../src/core/txSigning";
import { type QueueEntry } from "../../src/core/queueOps";
import { transferCalldata, withdrawCalldata } from "../../src/core/calldata";
import { gasUsedOn } from "../../src/core/gas";
import { replayCommitment } from "../../src/core/replay";
import { keccak256 } from "../../src/core/hash";
import { l2TokenAddress, queueAccumulator } from "../../src/core/hashing";
import { zeroHashes } from "../../src/core/merkle";
import { buildMultiProof, multiProofRoot } from "../../src/core/multiproof";
import { L1Contracts } from "../../src/node/l1/contracts";
import { decodeTokenRegistered } from "../../src/chain/tokens";
import type { TestToken } from "../../typechain-types";
import { OutOfRangeError } from "../../src/core/errors";

/**
 * Review of the 24-bit token ids (73d866f .. 57d88d2) as a malicious bonded proposer or user.
 * Every test passes when the system is safe. FraudVerifier.verify is called directly on
 * pre-states built with L2State.restore, its verdict held against src/core's (buildFraudWitness).
 */
const alice = Wallet.createRandom();
const bob = Wallet.createRandom();
const feeSink = Wallet.createRandom();
const BASE_FEE = 10_000_000n;
const TIMESTAMP = 1_700_000_000;
const WRONG_ROOT = keccak256(Buffer.from("a root no replay gives"));
const KIND = { none: 0, malformed: 1, invalidOp: 2, withdrawalRoot: 3, postState: 4 };
const REASON = { gasLimitTooLow: 5, unknownToken: 6 };
const MAX_ID = 2 ** 24 - 1;
/** The boundary ids registered for real on the Bridge, then 28 more: 32 tokens in all. */
const EDGE_IDS = [255, 256, 65_535, 65_536];
const EXTRA = 28;
const ALL_IDS = [...EDGE_IDS, ...Array.from({ length: EXTRA }, (_, k) => 65_537 + k)];
const TOKEN_COUNT = ALL_IDS[ALL_IDS.length - 1] + 1;
const fee: FeeEntry = { type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: 2n * BASE_FEE, gasLimit: 100_000n };

async function reviewFixture() {
  const f = await l1Fixture();
  const tokens = new Map<number, TestToken>();
  for (const id of ALL_IDS) {
    if (id !== Number(await f.bridge.tokenCount())) await setBridgeTokenCount(f.bridge, id);
    const t = (await ethers.deployContract("TestToken", [`T${id}`, `T${id}`, 18])) as unknown as TestToken;
    await f.bridge.registerToken(t);
    tokens.set(id, t);
  }
  const l1Of = new Map<number, string>();
  for (const [id, t] of tokens) l1Of.set(id, (await t.getAddress()).toLowerCase());
  const meta: string[] = [];
  for (let i = 0; i < TOKEN_COUNT; i++) meta.push(l1Of.get(i) ?? skippedTokenAddress(i));
  const queueLength = await f.bridge.queueLength();
  return { ...f, tokens, l1Of, meta, queueLength, bridgeAddr: await f.bridge.getAddress() };
}
type F = Awaited<ReturnType<typeof reviewFixture>>;

/** Accounts: 0 zero, 1 alice (1000 of every token), 2 fee recipient, 3 bob, 4 the L1 signer `f.alice` (1000 of 65,536). */
function buildPreState(f: F): L2State {
  const acc = (address: string, balance: bigint, tokens: Array<[number, bigint]> = []) => ({ address: address.toLowerCase(), nonce: 0n, balance, tokens });
  return L2State.restore(
    [
      acc(ZERO_ADDRESS, 0n),
      acc(alice.address, 10n ** 19n, ALL_IDS.map((id) => [id, 1000n] as [number, bigint])),
      acc(feeSink.address, 0n),
      acc(bob.address, 0n),
      acc(f.alice.address, 10n ** 18n, [[65_536, 1000n]]),
    ],
    { accountCount: 5, tokens: f.meta, queueIndex: f.queueLength, withdrawalCount: 0n },
  );
}

/**
 * Restoring 65,565 tokens takes ~0.3 s, and the random test below asks for the pre-state a few
 * hundred times: it is built once per fixture and each call rolls back to a checkpoint taken
 * right after, so every call hands out the same pre-state, fresh. That makes the previous call's
 * state stale: use one before asking for the next (each caller here does).
 */
const builtPreStates = new Map<F, { state: L2State; root: Buffer; checkpoint: Checkpoint }>();
function preState(f: F): L2State {
  const built = builtPreStates.get(f);
  if (!built) {
    const state = buildPreState(f);
    builtPreStates.set(f, { state, root: state.root(), checkpoint: state.checkpoint() });
    return state;
  }
  const { state, root } = built;
  state.rollback(built.checkpoint);
  expect(state.root().equals(root), "the pre-state rolled back to its checkpoint").to.equal(true);
  expect([state.accountCount, state.tokenCount, state.queueIndex, state.withdrawalCount]).to.deep.equal([5, TOKEN_COUNT, f.queueLength, 0n]);
  built.checkpoint = state.checkpoint();
  return state;
}

function signToken(f: F, tokenId: number, nonce: bigint, amount: bigint, feeEntry: FeeEntry = fee, to = 3): SignedOp {
  const l2Token = l2TokenAddress(f.meta[tokenId]);
  const recipient = [ZERO_ADDRESS, alice.address, feeSink.address, bob.address, f.alice.address][to].toLowerCase();
  const sig = new SigningKey(alice.privateKey).sign(signingHash({ fee: feeEntry, chainId: CHAIN_ID, nonce, to: l2Token, value: 0n, data: transferCalldata(recipient, amount) }));
  const signature: TxSignature = { r: Buffer.from(sig.r.slice(2), "hex"), s: Buffer.from(sig.s.slice(2), "hex"), yParity: sig.yParity };
  return { kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: 1, tokenId, to, amount, sig: signature };
}

/**
 * Alice's transfer of `tokenId` to a new account: one token path (the new account's tree is
 * empty), so 32 distinct tokens of every width fit one commitment's token proof weight.
 */
function signTokenToNew(f: F, tokenId: number, nonce: bigint, amount: bigint): SignedOp {
  const to = "0x" + (0xa11ce000 + Number(nonce)).toString(16).padStart(40, "0");
  const sig = new SigningKey(alice.privateKey).sign(signingHash({ fee, chainId: CHAIN_ID, nonce, to: l2TokenAddress(f.meta[tokenId]), value: 0n, data: transferCalldata(to, amount) }));
  const signature: TxSignature = { r: Buffer.from(sig.r.slice(2), "hex"), s: Buffer.from(sig.s.slice(2), "hex"), yParity: sig.yParity };
  return { kind: OpKind.TOKEN_TRANSFER_NEW, feeIndex: 0, from: 1, tokenId, to, amount, sig: signature };
}

function commitment(ops: Op[], fees: FeeEntry[] = [fee], header: Partial<Commitment> = {}): Commitment {
  return { postStateRoot: WRONG_ROOT, withdrawalRoot: null, timestamp: TIMESTAMP, baseFee: BASE_FEE, feeRecipient: 2, fees, ops, ...header };
}

type QueueFn = (i: bigint) => QueueEntry | undefined;

async function verdicts(f: F, state: L2State, body: Buffer, queue: QueueFn = () => undefined, queueLimit = state.queueIndex) {
  const preStateRoot = "0x" + state.root().toString("hex");
  const position = { queueLimit, lastInBatch: false };
  const { verdict, packed } = buildFraudWitness(state, body, { chainId: CHAIN_ID, queueEntry: queue, position });
  const [kind, reason] = await f.verifier.verify(body, packed, { preStateRoot, chainId: CHAIN_ID, bridge: f.bridgeAddr, queueLimit, lastInBatch: false });
  return { core: onChainVerdict(verdict), chain: { kind: Number(kind), reason: Number(reason) }, details: verdict };
}

async function expectAgreement(f: F, state: L2State, body: Buffer, expected: { kind: number; reason?: number }, queue?: QueueFn, queueLimit?: bigint) {
  const { core, chain, details } = await verdicts(f, state, body, queue, queueLimit);
  const d = JSON.stringify(details, (_k, v) => (typeof v === "bigint" ? v.toString() : Buffer.isBuffer(v) ? v.toString("hex") : v));
  expect(chain, `FraudVerifier (src/core: ${d})`).to.deep.equal(core);
  expect(core, `src/core: ${d}`).to.deep.equal({ kind: expected.kind, reason: expected.reason ?? 0 });
}

/** The honest post-state (and withdrawal root) of `c` on a fresh copy of the pre-state. */
function honest(f: F, mk: () => L2State, c: Commitment, queue: QueueFn = () => undefined, queueLimit?: bigint): Commitment {
  const s = mk();
  const r = replayCommitment(s, encodeCommitment(c), { chainId: CHAIN_ID, queueEntry: queue, position: { queueLimit: queueLimit ?? s.queueIndex, lastInBatch: false }, checkStateRoot: false });
  expect(r.verdict.ok || r.verdict.kind === "wrong-post-state" || r.verdict.kind === "wrong-withdrawal-root", JSON.stringify(r.verdict, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).to.equal(true);
  // The root before mk() is called again (it may hand out the same state, rolled back).
  const postStateRoot = s.root();
  const withdrawalRoot = r.withdrawals.length ? replayWithdrawalRoot(f, mk, c, queue, queueLimit) : null;
  return { ...c, postStateRoot, withdrawalRoot };
}

function replayWithdrawalRoot(_f: F, mk: () => L2State, c: Commitment, queue: QueueFn, queueLimit?: bigint): Buffer {
  // Ask src/core for the root it expects: replay with a deliberately wrong non-null root.
  const s = mk();
  const r = replayCommitment(s, encodeCommitment({ ...c, withdrawalRoot: WRONG_ROOT }), { chainId: CHAIN_ID, queueEntry: queue, position: { queueLimit: queueLimit ?? s.queueIndex, lastInBatch: false } });
  if (r.verdict.ok) return WRONG_ROOT;
  if (r.verdict.kind !== "wrong-withdrawal-root" || !r.verdict.expected) throw new Error(`no withdrawal root: ${JSON.stringify(r.verdict)}`);
  return r.verdict.expected;
}

describe("Token ids of 24 bits: adversarial review", function () {
  this.timeout(600_000);
  // The built pre-state is ~65,000 tokens: not kept for the rest of the suite.
  after(() => builtPreStates.clear());

  describe("Hashing and MultiProof, the same on both sides at every id edge", () => {
    const IDS = [0, 1, 255, 256, 65_535, 65_536, 2 ** 23, MAX_ID - 1, MAX_ID];

    it("queueAccumulator packs ids 0, 255, 256, 65,535, 65,536, 2^23, 2^24−2 and 2^24−1 in 3 bytes alike on both sides", async () => {
      const h = await ethers.deployContract("HashingHarness");
      const prev = keccak256(Buffer.from("previous"));
      for (const id of IDS) {
        for (const kind of [QueueKind.TOKEN_DEPOSIT, QueueKind.FORCED_WITHDRAWAL_TOKEN, QueueKind.TOKEN_REGISTRATION]) {
          const ts = queueAccumulator(prev, kind, alice.address.toLowerCase(), id, 12345n, 1_700_000_123n);
          const sol = await h.queueAccumulator("0x" + prev.toString("hex"), kind, alice.address, id, 12345n, 1_700_000_123n);
          expect(sol, `id ${id}`).to.equal("0x" + ts.toString("hex"));
        }
      }
      // The id is bound: neighbours differ.
      const a = queueAccumulator(prev, QueueKind.TOKEN_DEPOSIT, alice.address.toLowerCase(), 255, 1n, 0n);
      const b = queueAccumulator(prev, QueueKind.TOKEN_DEPOSIT, alice.address.toLowerCase(), 256, 1n, 0n);
      expect(a.equals(b)).to.equal(false);
      expect(() => queueAccumulator(prev, QueueKind.TOKEN_DEPOSIT, alice.address, 2 ** 24, 1n, 0n)).to.throw(OutOfRangeError);
    });

    it("MultiProof.leafRoot at depth 24: the all-empty shortcut, the general walk with 24 explicit zero siblings and src/core's tokenRoot agree at every edge id", async () => {
      const h = await ethers.deployContract("MultiProofHarness");
      const zero = zeroHashes(24);
      const bal = (10n ** 18n) + 7n;
      const leaf = "0x" + bal.toString(16).padStart(64, "0");
      for (const id of IDS) {
        const ts = "0x" + tokenRoot(new Map([[id, bal]])).toString("hex");
        const shortcut = await h.root(24, [id], [leaf], "0x", "0xffffff");
        const explicit = await h.root(24, [id], [leaf], "0x" + zero.slice(0, 24).map((z) => z.toString("hex")).join(""), "0x");
        // A flag byte too many (4 bytes, all set) leaves the shortcut: the general walk reads the same.
        const longFlags = await h.root(24, [id], [leaf], "0x", "0xffffffff");
        expect(shortcut, `id ${id}`).to.equal(ts);
        expect(explicit, `id ${id}`).to.equal(ts);
        expect(longFlags, `id ${id}`).to.equal(ts);
      }
    });

    it("MultiProof.root at depth 24 over leaves straddling the byte edges (255|256, 65,535|65,536, 2^24−2|2^24−1) gives src/core's root, pre- and post-update", async () => {
      const h = await ethers.deployContract("MultiProofHarness");
      const zero = zeroHashes(24);
      const tree = new Map<number, bigint>([[0, 3n], [255, 5n], [256, 7n], [65_535, 11n], [65_536, 13n], [1 << 20, 17n], [MAX_ID - 1, 19n], [MAX_ID, 23n]]);
      const w = (v: bigint) => Buffer.from(v.toString(16).padStart(64, "0"), "hex");
      const levels: Map<number, Buffer>[] = [new Map([...tree].map(([i, v]) => [i, w(v)]))];
      for (let l = 0; l < 24; l++) {
        const next = new Map<number, Buffer>();
        for (const i of new Set([...levels[l].keys()].map((x) => x >> 1))) next.set(i, keccak256(Buffer.concat([levels[l].get(2 * i) ?? zero[l], levels[l].get(2 * i + 1) ?? zero[l]])));
        levels.push(next);
      }
      expect(levels[24].get(0)!.equals(tokenRoot(tree))).to.equal(true);
      for (const indices of [[255, 256], [65_535, 65_536], [MAX_ID - 1, MAX_ID], [256, 65_535], [255, 65_536, MAX_ID], [0, 255, 256, 65_535, 65_536, MAX_ID - 1, MAX_ID]]) {
        const mp = buildMultiProof(24, indices, (l, i) => levels[l].get(i) ?? zero[l], zero);
        const leaves = indices.map((i) => w(tree.get(i)!));
        const proofHex = "0x" + mp.proof.map((p) => p.toString("hex")).join("");
        const sol = await h.root(24, indices, leaves.map((x) => "0x" + x.toString("hex")), proofHex, "0x" + mp.zeroFlags.toString("hex"));
        expect(sol, `${indices}`).to.equal("0x" + tokenRoot(tree).toString("hex"));
        // Updated leaves: both sides give the root of the updated tree.
        const updated = new Map(tree);
        indices.forEach((i, k) => updated.set(i, BigInt(k) * 1000n + 1n));
        const newLeaves = indices.map((i) => w(updated.get(i)!));
        const ts = multiProofRoot(24, indices, newLeaves, mp, zero);
        const sol2 = await h.root(24, indices, newLeaves.map((x) => "0x" + x.toString("hex")), proofHex, "0x" + mp.zeroFlags.toString("hex"));
        expect(sol2).to.equal("0x" + ts.toString("hex"));
        expect(ts.equals(tokenRoot(updated))).to.equal(true);
      }
    });

    it("the all-empty shortcut cannot stand in for a tree that is not empty beside the leaf: a lone-leaf claim in a two-token tree gives another root", async () => {
      const h = await ethers.deployContract("MultiProofHarness");
      const leaf = (v: bigint) => "0x" + v.toString(16).padStart(64, "0");
      for (const [a, b] of [[255, 256], [65_535, 65_536], [0, MAX_ID], [MAX_ID - 1, MAX_ID]]) {
        const real = "0x" + tokenRoot(new Map([[a, 5n], [b, 9n]])).toString("hex");
        const claimed = await h.root(24, [a], [leaf(5n)], "0x", "0xffffff");
        expect(claimed).to.not.equal(real);
        // And with the honest sibling path, the lone leaf gives the real root.
        const zero = zeroHashes(24);
        const levels: Map<number, Buffer>[] = [new Map([[a, Buffer.from(leaf(5n).slice(2), "hex")], [b, Buffer.from(leaf(9n).slice(2), "hex")]])];
        for (let l = 0; l < 24; l++) {
          const next = new Map<number, Buffer>();
          for (const i of new Set([...levels[l].keys()].map((x) => x >> 1))) {
            const L = levels[l].get(2 * i) ?? zero[l];
            const R = levels[l].get(2 * i + 1) ?? zero[l];
            next.set(i, keccak256(Buffer.concat([L, R])));
          }
          levels.push(next);
        }
        const mp = buildMultiProof(24, [a], (l, i) => levels[l].get(i) ?? zero[l], zero);
        const good = await h.root(24, [a], [leaf(5n)], "0x" + mp.proof.map((p) => p.toString("hex")).join(""), "0x" + mp.zeroFlags.toString("hex"));
        expect(good).to.equal(real);
      }
    });
  });

  describe("Node cost of an account holding many tokens (depth-24 token trees, no per-account cap)", () => {
    /**
     * FINDING (low/medium, liveness): every node recomputes an account's whole token tree
     * (src/core/tokenTree.ts tokenRoot -> sparseRoot over all its tokens, 24 levels) whenever one of
     * its token balances changes, and buildFraudWitness does the same (sparseLevels). With 8-bit
     * ids an account held at most 256 tokens (256 x 8 hashes); with 24-bit ids it holds as many as
     * are registered. A user who registers and deposits N junk tokens into one account makes
     * every later commitment touching that account cost O(N x 24) hashes on the sequencer, every
     * replica and the challenger. Measured: ~26 us per held token, 50,000 tokens ~1.3 s per
     * commitment. Passes when one balance change costs a bounded amount, independent of N.
     */
    it("one token balance change of an account holding 50,000 tokens costs the state root a bounded number of hashes (at most 1,000; the 8-bit era's whole tree was 511)", () => {
      const N = 50_000;
      const held: Array<[number, bigint]> = [];
      for (let i = 0; i < N; i++) held.push([i, 1n]);
      const meta = Array.from({ length: N }, (_, i) => skippedTokenAddress(i));
      const s = L2State.restore(
        [
          { address: ZERO_ADDRESS, nonce: 0n, balance: 0n, tokens: [] },
          { address: alice.address.toLowerCase(), nonce: 0n, balance: 1n, tokens: held },
        ],
        { accountCount: 2, tokens: meta, queueIndex: 0n, withdrawalCount: 0n },
      );
      s.root();
      // Count the pair hashes src/core does (CommonJS: the modules call through the exports object).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const hashModule = require("../../src/core/hash") as { hashPair: (...a: unknown[]) => unknown; hashPairInto: (...a: unknown[]) => unknown };
      const { hashPair, hashPairInto } = hashModule;
      let hashes = 0;
      hashModule.hashPair = (...a: unknown[]) => (hashes++, hashPair(...a));
      hashModule.hashPairInto = (...a: unknown[]) => (hashes++, hashPairInto(...a));
      const t0 = process.hrtime.bigint();
      try {
        s.setTokenBalance(1, 7, 2n);
        s.root();
      } finally {
        hashModule.hashPair = hashPair;
        hashModule.hashPairInto = hashPairInto;
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      expect(hashes, `pair hashes for one token balance change: ${hashes} (${ms.toFixed(0)} ms)`).to.be.at.most(1_000);
    });
  });

  describe("Bridge and node at the top of the id space", () => {
    it("registers id 2^24−1, refuses the 2^24th token, and the node reads id 2^24−1 from TokenRegistered and QueueEntryAdded with the accumulator src/core computes", async () => {
      const f = await loadFixture(l1Fixture);
      await setBridgeTokenCount(f.bridge, MAX_ID);
      const t = (await ethers.deployContract("TestToken", ["TOP", "TOP", 18])) as unknown as TestToken;
      const tx = await f.bridge.registerToken(t);
      const rc = await tx.wait();
      expect(await f.bridge.tokenIdOf(t)).to.equal(BigInt(MAX_ID));
      expect(await f.bridge.tokenAt(MAX_ID)).to.equal(await t.getAddress());
      const log = rc!.logs.find((l) => l.address === f.addresses.bridge && decodeTokenRegistered(l) !== null)!;
      expect(decodeTokenRegistered(log)!.tokenId).to.equal(MAX_ID);
      const t2 = (await ethers.deployContract("TestToken", ["OVER", "OVER", 18])) as unknown as TestToken;
      await expect(f.bridge.registerToken(t2)).to.be.revertedWithCustomError(f.bridge, "BridgeTooManyTokens");
      await t.mint(f.alice.address, 10n ** 20n);
      await t.connect(f.alice).approve(f.addresses.bridge, ethers.MaxUint256);
      await f.bridge.connect(f.alice).depositERC20(t, alice.address, 77n);
      const l1 = new L1Contracts(ethers.provider, f.addresses);
      const entries = await l1.queueEntries(0, await ethers.provider.getBlockNumber());
      const dep = entries[entries.length - 1];
      expect(dep.kind).to.equal(QueueKind.TOKEN_DEPOSIT);
      expect(dep.tokenId).to.equal(MAX_ID);
      const reg = entries[entries.length - 2];
      expect(reg.kind).to.equal(QueueKind.TOKEN_REGISTRATION);
      expect(reg.tokenId).to.equal(MAX_ID);
      const ts = BigInt(dep.accumulator) & ((1n << 64n) - 1n);
      const computed = queueAccumulator(Buffer.from(reg.accumulator.slice(2), "hex"), dep.kind, dep.account, dep.tokenId, dep.amount, ts);
      expect("0x" + computed.toString("hex")).to.equal(dep.accumulator);
      expect(await f.bridge.queueAccumulator(dep.index)).to.equal(dep.accumulator);
    });
  });

  describe("FraudVerifier on fabricated pre-states with tokens at 255, 256, 65,535, 65,536 and beyond", () => {
    it("32 transfers of 32 distinct tokens in one class-2 commitment fill the verifier's 32-entry token cache: honest is NONE and a wrong root WRONG_POST_STATE on both sides", async () => {
      const f = await loadFixture(reviewFixture);
      const ops = ALL_IDS.map((id, k) => signTokenToNew(f, id, BigInt(k), BigInt(k + 1)));
      const c = commitment(ops);
      const s = preState(f);
      expect(proofWeight(ops, 2, s.accountCount, s.tokenCount).tokens).to.be.at.most(MAX_TOKEN_PROOF_WEIGHT);
      expect(encodeCommitment(c)[32] >> 6).to.equal(1 + 1);
      await expectAgreement(f, preState(f), encodeCommitment(c), { kind: KIND.postState });
      const h = honest(f, () => preState(f), c);
      await expectAgreement(f, preState(f), encodeCommitment(h), { kind: KIND.none });
    });

    it("the 32 distinct tokens in reverse id order and with repeats interleaved resolve to the right token each time (cache keyed by id)", async () => {
      const f = await loadFixture(reviewFixture);
      // 16 distinct tokens, each used twice, in an order that revisits cached slots.
      const ids = [...ALL_IDS.slice(0, 16).reverse(), ...ALL_IDS.slice(0, 16)];
      const ops = ids.map((id, k) => signTokenToNew(f, id, BigInt(k), 3n));
      const h = honest(f, () => preState(f), commitment(ops));
      await expectAgreement(f, preState(f), encodeCommitment(h), { kind: KIND.none });
      // A signature for token 256 placed on an operation naming 255: BAD_SIGNATURE on both sides.
      const swapped = { ...signToken(f, 256, 0n, 3n), tokenId: 255 };
      await expectAgreement(f, preState(f), encodeCommitment(commitment([swapped])), { kind: KIND.invalidOp, reason: 1 });
    });

    for (const id of EDGE_IDS) {
      it(`token id ${id}: a transfer's gas is Ethereum's figure whatever the id's width (51,411 to an account holding none, 34,311 to one holding it); exactly that limit is valid, one unit less GAS_LIMIT_TOO_LOW, on both sides`, async () => {
        const f = await loadFixture(reviewFixture);
        // Bob (account 3) holds none of the token; alice (account 1, the sender) holds 1,000.
        for (const [to, charged] of [[3, 51_411n], [1, 34_311n]] as const) {
          expect(gasUsedOn(preState(f), signToken(f, id, 0n, 5n, fee, to))).to.equal(charged);
          for (const [gasLimit, expected] of [
            [charged, { kind: KIND.postState }],
            [charged - 1n, { kind: KIND.invalidOp, reason: REASON.gasLimitTooLow }],
          ] as const) {
            const fe: FeeEntry = { ...fee, gasLimit };
            await expectAgreement(f, preState(f), encodeCommitment(commitment([signToken(f, id, 0n, 5n, fe, to)], [fe])), expected);
          }
        }
      });
    }

    it("random token transfers and token withdrawals at ids 255, 256, 65,535, 65,536, the 28 others and the first unregistered id, with exact and short gas limits: src/core and FraudVerifier agree on 24 commitments, wrong and honest roots", async () => {
      const f = await loadFixture(reviewFixture);
      let seed = 0x7e57;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
      const ids = [...EDGE_IDS, ...EDGE_IDS, ALL_IDS[10], ALL_IDS[31], TOKEN_COUNT];
      const amounts = [1n, 999n, 1000n, 1001n];
      const l1Recipient = Wallet.createRandom().address.toLowerCase();
      const seen = new Set<string>();
      for (let round = 0; round < 24; round++) {
        const ops: SignedOp[] = [];
        const fees: FeeEntry[] = [];
        const n = 1 + rnd(5);
        for (let k = 0; k < n; k++) {
          const id = ids[rnd(ids.length)];
          const amount = amounts[rnd(amounts.length)];
          const withdraw = rnd(3) === 0;
          const l2Token = id < TOKEN_COUNT ? l2TokenAddress(f.meta[id]) : ZERO_ADDRESS;
          const base: SignedOp = withdraw
            ? { kind: OpKind.WITHDRAW_TOKEN, feeIndex: 0, from: 1, tokenId: id, l1Recipient, amount, sig: { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 } }
            : { kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: 1, tokenId: id, to: 3, amount, sig: { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 } };
          // What it charges on the pre-state; an earlier transfer to bob in the commitment lowers it.
          const charge = gasUsedOn(preState(f), base);
          const gasLimit = [charge, charge - 1n, 34_311n, 34_310n, 100_000n][rnd(5)];
          const fe: FeeEntry = { ...fee, gasLimit };
          let feeIndex = fees.findIndex((x) => x.gasLimit === gasLimit);
          if (feeIndex < 0) feeIndex = fees.push(fe) - 1;
          const to = withdraw ? WITHDRAWAL_PREDEPLOY : l2Token;
          const data = withdraw ? withdrawCalldata(l1Recipient, l2Token, amount) : transferCalldata(bob.address.toLowerCase(), amount);
          const sig = new SigningKey(alice.privateKey).sign(signingHash({ fee: fe, chainId: CHAIN_ID, nonce: BigInt(k), to, value: 0n, data }));
          ops.push({ ...base, feeIndex, sig: { r: Buffer.from(sig.r.slice(2), "hex"), s: Buffer.from(sig.s.slice(2), "hex"), yParity: sig.yParity } });
        }
        const c = commitment(ops, fees);
        const bodies = [encodeCommitment(c)];
        const s0 = preState(f);
        const r = replayCommitment(s0, bodies[0], { chainId: CHAIN_ID, queueEntry: () => undefined, position: { queueLimit: s0.queueIndex, lastInBatch: false } });
        if (r.verdict.ok === false && (r.verdict.kind === "wrong-post-state" || r.verdict.kind === "wrong-withdrawal-root")) {
          const h = honest(f, () => preState(f), c);
          bodies.push(encodeCommitment(h));
        }
        for (const body of bodies) {
          const { core, chain, details } = await verdicts(f, preState(f), body);
          expect(chain, `round ${round}: ${JSON.stringify(details, (_k, v) => (typeof v === "bigint" ? v.toString() : Buffer.isBuffer(v) ? v.toString("hex") : v))}`).to.deep.equal(core);
          seen.add(`${core.kind}/${core.reason}`);
        }
      }
      // Several outcomes were exercised, honest ones among them.
      expect(seen.has("0/0"), [...seen].join(",")).to.equal(true);
      expect(seen.size).to.be.at.least(3);
    });

    it("a token id at the token count (65,565) and at 2^24−1 is UNKNOWN_TOKEN on both sides, no Bridge call reverts", async () => {
      const f = await loadFixture(reviewFixture);
      for (const id of [TOKEN_COUNT, TOKEN_COUNT + 1, 2 ** 20, MAX_ID]) {
        const op = { ...signToken(f, ALL_IDS[0], 0n, 5n), tokenId: id };
        await expectAgreement(f, preState(f), encodeCommitment(commitment([op])), { kind: KIND.invalidOp, reason: REASON.unknownToken });
      }
    });

    it("a token class wider than the largest id (255 in class 1, 65,535 in class 2, none in class 1) is MALFORMED on both sides, and the canonical one decodes", async () => {
      const f = await loadFixture(reviewFixture);
      const cases: Array<[Op[], number]> = [
        [[signToken(f, 255, 0n, 5n)], 1],
        [[signToken(f, 255, 0n, 5n)], 2],
        [[signToken(f, 65_535, 0n, 5n)], 2],
        [[signToken(f, 256, 0n, 5n), signToken(f, 255, 1n, 5n)], 2],
        [[{ kind: OpKind.QUEUE, credit: "none" }], 1],
      ];
      for (const [ops, cls] of cases) {
        const body = withTokenClass(commitment(ops), cls);
        expect(() => decodeCommitment(body)).to.throw();
        await expectAgreement(f, preState(f), body, { kind: KIND.malformed });
      }
      // A class too narrow cannot be written for 256: its low byte is another id (0) — a different operation, not a second encoding.
      const narrow = withTokenClass(commitment([signToken(f, 255, 0n, 5n)]), 0);
      expect(decodeCommitment(narrow).ops[0]).to.include({ tokenId: 255 });
    });

    it("deposits of ids 65,536, 256 and 255 to a new account in one commitment (an empty account's depth-24 tree witnessed with three tokens, no siblings) and a forced withdrawal of a token not held: NONE and WRONG_POST_STATE agree", async () => {
      const f = await loadFixture(reviewFixture);
      const carol = Wallet.createRandom().address;
      for (const id of [65_536, 256, 255]) {
        const t = f.tokens.get(id)!;
        await t.mint(f.alice.address, 10n ** 20n);
        await t.connect(f.alice).approve(f.bridgeAddr, ethers.MaxUint256);
        await f.bridge.connect(f.alice).depositERC20(t, carol, BigInt(id) + 1n);
      }
      await f.bridge.connect(f.alice).forceWithdrawal(f.tokens.get(256)!, 1n);
      const l1 = new L1Contracts(ethers.provider, f.addresses);
      const entries = await l1.queueEntries(0, await ethers.provider.getBlockNumber());
      const queue: QueueFn = (i) => entries[Number(i)];
      const limit = BigInt(entries.length);
      const ops: Op[] = [
        { kind: OpKind.QUEUE, credit: "new" },
        { kind: OpKind.QUEUE, credit: "existing", index: 5 },
        { kind: OpKind.QUEUE, credit: "existing", index: 5 },
        { kind: OpKind.QUEUE, credit: "existing", index: 4 },
      ];
      const c = commitment(ops, []);
      const h = honest(f, () => preState(f), c, queue, limit);
      expect(h.withdrawalRoot).to.equal(null);
      await expectAgreement(f, preState(f), encodeCommitment(h), { kind: KIND.none }, queue, limit);
      await expectAgreement(f, preState(f), encodeCommitment({ ...h, postStateRoot: WRONG_ROOT }), { kind: KIND.postState }, queue, limit);
      // Crediting the wrong account (bob, index 3) with carol's 24-bit deposit: MALFORMED verdict as an invalid operation on both sides.
      const wrong = commitment([{ kind: OpKind.QUEUE, credit: "existing", index: 3 }], []);
      await expectAgreement(f, preState(f), encodeCommitment(wrong), { kind: KIND.invalidOp, reason: 8 }, queue, limit);
    });

    it("a token deposit and a forced withdrawal of id 65,536 through the queue in a class-0 commitment: honest is NONE, a wrong root WRONG_POST_STATE, and the withdrawal leaf names the id's L1 token on both sides", async () => {
      const f = await loadFixture(reviewFixture);
      const wide = f.tokens.get(65_536)!;
      await wide.mint(f.alice.address, 10n ** 20n);
      await wide.connect(f.alice).approve(f.bridgeAddr, ethers.MaxUint256);
      await f.bridge.connect(f.alice).depositERC20(wide, bob.address, 40n);
      await f.bridge.connect(f.alice).forceWithdrawal(wide, 300n);
      const l1 = new L1Contracts(ethers.provider, f.addresses);
      const entries = await l1.queueEntries(0, await ethers.provider.getBlockNumber());
      const queue: QueueFn = (i) => entries[Number(i)];
      const limit = BigInt(entries.length);
      expect(entries[entries.length - 1].tokenId).to.equal(65_536);
      const ops: Op[] = [
        { kind: OpKind.QUEUE, credit: "existing", index: 3 },
        { kind: OpKind.QUEUE, credit: "existing", index: 4 },
      ];
      const c = commitment(ops, []);
      const body = encodeCommitment(c);
      expect(body[32] >> 6).to.equal(0);
      await expectAgreement(f, preState(f), body, { kind: KIND.withdrawalRoot }, queue, limit);
      const h = honest(f, () => preState(f), c, queue, limit);
      expect(h.withdrawalRoot).to.not.equal(null);
      await expectAgreement(f, preState(f), encodeCommitment(h), { kind: KIND.none }, queue, limit);
      await expectAgreement(f, preState(f), encodeCommitment({ ...h, postStateRoot: WRONG_ROOT }), { kind: KIND.postState }, queue, limit);
      // The forced withdrawal for an id the L2 has not registered (pre-state one token short): UNKNOWN_TOKEN on both sides.
      const short = () => {
        const s = preState(f);
        return L2State.restore(
          [0, 1, 2, 3, 4].map((i) => { const a = s.peek(i)!; return { address: a.address, nonce: a.nonce, balance: a.balance, tokens: [...a.tokens].filter(([id]) => id < 65_536) }; }),
          { accountCount: 5, tokens: f.meta.slice(0, 65_536), queueIndex: f.queueLength, withdrawalCount: 0n },
        );
      };
      await expectAgreement(f, short(), body, { kind: KIND.invalidOp, reason: REASON.unknownToken }, queue, limit);
    });
  });
});
