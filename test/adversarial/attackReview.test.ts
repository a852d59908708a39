import { expect } from "chai";
import { EMPTY_ALLOWANCE_ROOT } from "../../src/core/allowanceTree";
import { ethers } from "hardhat";
import { Wallet } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { CHAIN_ID, fraudFixture } from "../helpers/fraudFixture";
import { testChallengerOptions, testNodeConfig } from "../helpers/nodeFixture";
import { Challenger } from "../../src/node/challenger/challenger";
import { L1Contracts, submitBatchCalldata } from "../../src/node/l1/contracts";
import { claimOf, readBatch } from "../../src/node/l1/batchReader";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { silentLogger } from "../../src/shared/logger";
import {
  decodeCommitment,
  encodeBatch,
  encodeCommitment,
  type Commitment,
} from "../../src/core/commitment";
import {
  accountLeaf,
  stateRoot,
  withdrawalLeaf,
  type Withdrawal,
} from "../../src/core/hashing";
import { L2State } from "../../src/core/state";
import { applyOp, type BlockEnv } from "../../src/core/execute";
import { gasUsedOf } from "../../src/core/gas";
import { InvalidOperationError } from "../../src/core/errors";
import { MAX_UINT256, MAX_UINT64, bigintToBytes } from "../../src/core/bytes";
import { OpKind, TOKEN_TREE_DEPTH, ZERO_ADDRESS } from "../../src/core/constants";
import type { EthTransferOp, Op, SignedOp } from "../../src/core/ops";
import type { FeeEntry, TxSignature } from "../../src/core/txSigning";
import { keccak256 } from "../../src/core/hash";
import { encodeWitness } from "../../src/core/fraudProof";
import { sparseRoot, zeroHashes } from "../../src/core/merkle";
import type { ReviewReentrantChallenger } from "../../typechain-types";
import {
  Rand,
  SECP256K1_N,
  commitment,
  makeOps,
  extremeWorld,
  honestClaims,
  judge,
  preState,
  signFor,
  word,
  type ExtremeWorld,
  type Judged,
  type PreState,
} from "./review/extremes";
import {
  neededIndexBits,
  spell,
  spellAmount,
  type AmountForm,
  type Spelling,
} from "./review/spell";

/**
 * Independent attack review of c3d40c3 (verifier arithmetic, canonical encodings, top-level
 * batches, L2 timestamps, O(1) revert) and 8ada1c5 (one authenticated batch reader). Every test
 * is named for the property it holds and passes when the system is safe; the ones that fail on
 * the reviewed code are the findings:
 *   - "...omits the ABI padding..." and "an honest batch posted without the ABI padding...":
 *     the Rollup accepts submitBatch calldata without the trailing padding of `commitments`,
 *     which ethers' strict decoder (readBatch) refuses: every follower stops there, no fraud is
 *     proven, and the Bridge pays a withdrawal L2 never made.
 *   - "replicas and a restarting sequencer follow a valid batch ... fee recipient index that
 *     does not exist": a valid, unrevertable batch crashes every replica and sequencer start.
 *   - "an L2 block has one encoding ...": duplicate or unused fee entries are second spellings.
 * ATTACK_REVIEW_CASES sets the generated cases (default 250).
 */

const NO_SIG: TxSignature = {
  r: Buffer.alloc(32, 1),
  s: Buffer.alloc(32, 1),
  yParity: 0,
};

const CASES = Number(process.env.ATTACK_REVIEW_CASES ?? 250);
const show = (x: unknown) =>
  JSON.stringify(x, (_k, v) =>
    typeof v === "bigint"
      ? v.toString()
      : Buffer.isBuffer(v)
      ? v.toString("hex")
      : v
  );

/** A spelling other than the canonical one, drawn for case `r`. */
function otherSpelling(c: Commitment, r: Rand): { what: string; s: Spelling } {
  const needed = neededIndexBits(c.ops);
  const forms: AmountForm[] = [
    "trailing-zero",
    "leading-zero",
    "escape",
    "zero-exp",
    "zero-byte",
  ];
  switch (r.int(7)) {
    case 0:
      return {
        what: "index width + 1",
        s: { indexBits: Math.min(24, needed + 1) },
      };
    case 1:
      return { what: "index width 24", s: { indexBits: 24 } };
    case 2: {
      const form = r.pick(forms);
      const at = r.pick([
        "baseFee",
        "fee0.0",
        "fee0.1",
        "fee0.2",
        "op0",
        "op1",
        `op${r.int(32)}`,
      ]);
      return {
        what: `amount ${at} as ${form}`,
        s: {
          amount: (v, where) =>
            spellAmount(v, where === at ? form : "canonical"),
        },
      };
    }
    case 3:
      return {
        what: "fee recipient with a redundant zero group",
        s: { feeRecipient: Buffer.concat([leb(c.feeRecipient, true)]) },
      };
    case 4:
      return {
        what: "a padding bit set",
        s: { padOp: r.int(Math.max(1, c.ops.length)) },
      };
    case 5:
      return {
        what: "fee entry type 1",
        s: { feeType: (i, t) => (i === 0 ? r.pick([1, 3, 255]) : t) },
      };
    default:
      return {
        what: "fee-index width + 1",
        s: { feeBits: Math.ceil(Math.log2(Math.max(c.fees.length, 1))) + 1 },
      };
  }
}

/** LEB128 of `v`, with one redundant zero group when `pad`. */
function leb(v: number, pad: boolean): Buffer {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  if (pad && out.length < 3) out.push(v | 0x80, 0);
  else out.push(v);
  return Buffer.from(out);
}

/** The bytes mutated at random: a bit flipped, a byte dropped or added. */
function mutate(body: Buffer, r: Rand): { what: string; body: Buffer } {
  const b = Buffer.from(body);
  switch (r.int(3)) {
    case 0: {
      const at = r.int(b.length);
      b[at] ^= 1 << r.int(8);
      return { what: `bit flipped at ${at}`, body: b };
    }
    case 1: {
      const at = 33 + r.int(b.length - 33);
      return {
        what: `byte ${at} dropped`,
        body: Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]),
      };
    }
    default:
      return { what: "a byte appended", body: Buffer.concat([b, r.bytes(1)]) };
  }
}

function agree(j: Judged): boolean {
  return (
    "kind" in j.chain &&
    j.chain.kind === j.core.kind &&
    j.chain.reason === j.core.reason &&
    j.chain.opIndex === j.core.opIndex
  );
}

/** Whether src/core decodes `body` to a commitment it would write differently: a second spelling it accepts. */
function secondSpelling(body: Buffer): boolean {
  let c: Commitment;
  try {
    c = decodeCommitment(body);
  } catch {
    return false;
  }
  return !encodeCommitment(c).equals(body);
}

type Fixture = Awaited<ReturnType<typeof fraudFixture>>;

/**
 * Independent review of the soundness changes (c3d40c3, 8ada1c5): each test is named for the
 * property it holds and passes when the system is safe.
 */
/**
 * A commitment that pays `thief` `amount` wei as withdrawal 0: nothing on L2 owes it (the
 * replay makes no withdrawal), and it claims the pre-state root as its post-state.
 */
function theft(
  f: Fixture,
  thief: string,
  amount: bigint,
  timestamp = 1_700_000_100
) {
  const w: Withdrawal = {
    id: 0n,
    l2Sender: thief.toLowerCase(),
    l1Recipient: thief.toLowerCase(),
    l1Token: ethers.ZeroAddress,
    amount,
  };
  const body = encodeCommitment({
    postStateRoot: f.chain.state.root(),
    withdrawalRoot: withdrawalLeaf(w),
    timestamp,
    baseFee: 0n,
    feeRecipient: 0,
    fees: [],
    ops: [],
  });
  return { w, body };
}

/** `submitBatch` calldata for `commitments` without the zero padding after the last argument (which Solidity does not require). */
/** `data` (standard submitBatch calldata whose commitments are `length` bytes) without the padding. */
async function unpaddedCalldataOf(data: string, length: number): Promise<string> {
  const padding = (32 - (length % 32)) % 32;
  expect(padding, "the bytes argument needs padding").to.not.equal(0);
  return data.slice(0, data.length - 2 * padding);
}

async function unpaddedCalldata(
  f: Fixture,
  commitments: Buffer
): Promise<string> {
  const padded = submitBatchCalldata(
    Number(await f.rollup.batchCount()),
    await f.rollup.tipStateRoot(),
    f.chain.state.queueIndex,
    commitments
  );
  const padding = (32 - (commitments.length % 32)) % 32;
  expect(padding, "the bytes argument needs padding").to.not.equal(0);
  return padded.slice(0, padded.length - 2 * padding);
}

describe("attack review", function () {
  this.timeout(180_000);

  describe("followers read every batch the Rollup accepted", () => {
    it("the Rollup refuses submitBatch calldata that is not the standard ABI layout (no padding, trailing bytes, another offset), so every batch it accepts is one every follower decodes", async () => {
      const f = await fraudFixture();
      const [, , , , , , , thief] = await ethers.getSigners();
      const { body } = theft(f, thief.address, await ethers.provider.getBalance(f.addresses.bridge));
      const commitments = encodeBatch([body]);
      const unpadded = await unpaddedCalldata(f, commitments);
      const padded = submitBatchCalldata(Number(await f.rollup.batchCount()), await f.rollup.tipStateRoot(), f.chain.state.queueIndex, commitments);
      // The same arguments with `commitments` one word later (a junk word before it).
      const words = padded.slice(10);
      const shifted = padded.slice(0, 10) + words.slice(0, 64 * 3) + (0xa0).toString(16).padStart(64, "0") + "00".repeat(32) + words.slice(64 * 4);
      for (const [what, data] of [
        ["without padding", unpadded],
        ["with a trailing byte", padded + "00"],
        ["with the bytes at another offset", shifted],
      ] as const) {
        await expect(f.deployer.sendTransaction({ to: f.addresses.rollup, data }), what).to.be.revertedWithCustomError(f.rollup, "RollupNonCanonicalCalldata");
      }
      expect(await f.rollup.batchCount()).to.equal(1n);
    });

    it("the batch reader reads commitments where Solidity's decoder does, so a layout a strict ABI decoder refuses would still be read and judged", async () => {
      const f = await fraudFixture();
      const [, , , , , , , thief] = await ethers.getSigners();
      const { body } = theft(f, thief.address, 1n);
      const batch = await f.chain.post([body]);
      const event = (await f.rollup.queryFilter(f.rollup.filters.BatchSubmitted(batch.index)))[0];
      const claim = claimOf(event);
      const posted = await ethers.provider.getTransaction(claim.l1TxHash);
      // The transaction as an L1 would show it had its calldata come without the padding.
      const stripped = await unpaddedCalldataOf(posted!.data, encodeBatch([body]).length);
      const provider = new Proxy(ethers.provider, {
        get(target, prop, receiver) {
          if (prop === "getTransaction") return async (h: string) => ({ ...(await target.getTransaction(h))!, to: posted!.to, data: stripped });
          return Reflect.get(target, prop, receiver);
        },
      });
      const read = await readBatch(new L1Contracts(provider, f.addresses), claim);
      expect(read.bodies.map((b) => b.toString("hex"))).to.deep.equal([body.toString("hex")]);
    });

    it("a commitment naming a fee recipient that is no account is malformed on both sides: the challenger proves it, and replicas and a restarting sequencer never apply it", async () => {
      const f = await fraudFixture();
      const [, , , , , , challengerKey] = await ethers.getSigners();
      // No operation reads the fee recipient, and the root is right: only the header is wrong.
      const body = encodeCommitment({
        postStateRoot: f.chain.state.root(),
        withdrawalRoot: null,
        timestamp: 1_700_000_100,
        baseFee: 0n,
        feeRecipient: 2 ** 28 - 1,
        fees: [],
        ops: [],
      });
      const batch = await f.chain.post([body]);
      const { verdict } = f.chain.proof(batch, 0);
      expect(verdict.ok === false && verdict.kind).to.equal("malformed");
      const challenger = new Challenger(testChallengerOptions(f, challengerKey));
      try {
        await challenger.poll();
        expect(challenger.stats.fraudsProven, "the challenger proves it").to.equal(1);
      } finally {
        await challenger.stop();
      }
      expect(await f.rollup.batchCount()).to.equal(1n);
      const outcome: Record<string, string> = {};
      const replica = new ReplicaNode({
        l1Provider: ethers.provider,
        addresses: f.addresses,
        startBlock: f.deployBlock,
        confirmations: 0,
        chainId: 51730n,
        pollMs: 100,
        serve: undefined,
        logger: silentLogger,
      });
      try {
        await replica.start();
        outcome.replica = `${replica.chain.batches.length} batches`;
      } catch (e) {
        outcome.replica = (e as Error).message;
      } finally {
        await replica.stop();
      }
      const sequencer = new SequencerNode(testNodeConfig(f, f.deployer, { recoveryWorker: false, autoBond: false }));
      try {
        await sequencer.start();
        outcome.sequencer = `${sequencer.chain.batches.length} batches`;
      } catch (e) {
        outcome.sequencer = (e as Error).message;
      } finally {
        await sequencer.stop();
      }
      expect(outcome).to.deep.equal({ replica: "1 batches", sequencer: "1 batches" });
    });
  });

  describe("src/core and FraudVerifier agree on every commitment, at the edges of every field", () => {
    let world: ExtremeWorld;
    before(async () => {
      world = await extremeWorld();
    });

    it(`${CASES} generated commitments on fabricated pre-states, each canonical, spelled otherwise and mutated: one verdict (kind, reason, operation), never a revert, and no second spelling accepted`, async () => {
      const disagreements: string[] = [];
      const kinds = new Map<string, number>();
      let judged = 0;
      for (let i = 0; i < CASES; i++) {
        const r = new Rand(`attack review ${i}`);
        const pre = preState(world, r);
        let c = commitment(world, pre, r);
        if (r.chance(0.5)) c = honestClaims(world, pre, c);
        const canonical = spell(c);
        expect(
          canonical.equals(encodeCommitment(c)),
          `case ${i}: the review's writer is encodeCommitment`
        ).to.equal(true);
        const other = otherSpelling(c, r);
        let spelled: Buffer | null = null;
        try {
          spelled = spell(c, other.s);
        } catch {
          spelled = null; // a field that does not fit the width chosen
        }
        const bodies: Array<[string, Buffer]> = [["canonical", canonical]];
        if (spelled && !spelled.equals(canonical))
          bodies.push([other.what, spelled]);
        const m = mutate(canonical, r);
        bodies.push([m.what, m.body]);
        for (const [what, body] of bodies) {
          const j = await judge(world, pre, body);
          judged++;
          const key =
            "kind" in j.chain ? `${j.chain.kind}/${j.chain.reason}` : "revert";
          kinds.set(key, (kinds.get(key) ?? 0) + 1);
          if (!agree(j))
            disagreements.push(
              `case ${i} (${what}): src/core ${show(j.core)}, verifier ${show(
                j.chain
              )}; body ${body.toString("hex")}`
            );
          if (secondSpelling(body))
            disagreements.push(
              `case ${i} (${what}): src/core accepts a spelling encodeCommitment does not write: ${body.toString(
                "hex"
              )}`
            );
        }
      }
      if (process.env.ATTACK_REVIEW_VERBOSE) console.log(show([...kinds]));
      expect(
        disagreements,
        `${disagreements.length} of ${judged}:\n${disagreements
          .slice(0, 8)
          .join("\n")}`
      ).to.deep.equal([]);
      // The run must reach the checks past the signature, not just "malformed".
      for (const k of [
        "0/0",
        "1/0",
        "2/1",
        "2/2",
        "2/3",
        "2/4",
        "2/5",
        "2/8",
        "4/0",
      ])
        expect(
          kinds.get(k) ?? 0,
          `verdict ${k} reached (${show([...kinds])})`
        ).to.be.greaterThan(0);
    });
  });

  describe("src/core and FraudVerifier agree on each edge case by name", () => {
    let world: ExtremeWorld;
    before(async () => {
      world = await extremeWorld();
    });

    const QUOTED: FeeEntry = {
      type: 2,
      maxPriorityFeePerGas: 0n,
      maxFeePerGas: 20_000_000n,
      gasLimit: 100_000n,
    };
    const BASE = 10_000_000n;
    const K = {
      malformed: 1,
      invalid: 2,
      withdrawalRoot: 3,
      postState: 4,
      queueCount: 5,
    };
    const R = {
      none: 0,
      badSig: 1,
      unknownAccount: 2,
      funds: 3,
      feeLow: 4,
      gas: 5,
      unknownToken: 6,
      exists: 7,
      malformed: 8,
      overflow: 9,
      queueEmpty: 10,
    };

    interface Opts {
      balances?: bigint[];
      nonces?: bigint[];
      tokens?: bigint[];
      withdrawalCount?: bigint;
      queueIndex?: bigint;
      queueLimit?: bigint;
      lastInBatch?: boolean;
    }

    /** Accounts: 0 the zero address, 1..4 the review's keys 0..3 (key 2 is the usual fee recipient). */
    function fixedPre(o: Opts = {}): PreState {
      const accounts = [
        {
          address: ZERO_ADDRESS,
          nonce: 0n,
          balance: 0n,
          tokens: [] as Array<[number, bigint]>,
        },
      ];
      const accountOf = new Map<string, number>();
      world.keys.forEach((k, i) => {
        accountOf.set(k.address, i + 1);
        const t = o.tokens?.[i] ?? 10n ** 20n;
        accounts.push({
          address: k.address,
          nonce: o.nonces?.[i] ?? 0n,
          balance: o.balances?.[i] ?? 10n ** 19n,
          tokens: t ? [[0, t]] : [],
        });
      });
      const queueIndex = o.queueIndex ?? 1n;
      const state = L2State.restore(accounts, {
        accountCount: accounts.length,
        tokens: [world.token],
        queueIndex,
        withdrawalCount: o.withdrawalCount ?? 0n,
      });
      return {
        state,
        accountOf,
        queueLimit: o.queueLimit ?? queueIndex,
        lastInBatch: o.lastInBatch ?? false,
      };
    }

    /** Builds the commitment's operations in order on a scratch copy, signing each for the state it meets. */
    function build(
      pre: PreState,
      header: Partial<Commitment>,
      make: Array<(s: L2State, env: BlockEnv) => Op>,
      honest = true
    ): Commitment {
      const c: Commitment = {
        postStateRoot: Buffer.alloc(32, 0xee),
        withdrawalRoot: null,
        timestamp: 1_700_000_000,
        baseFee: BASE,
        feeRecipient: 3,
        fees: [QUOTED],
        ops: [],
        ...header,
      };
      makeOps(world, pre, c, make);
      // A fee list has one spelling: only tuples some operation uses (none for queue-only blocks).
      if (!("fees" in header) && c.ops.every((o) => o.kind === OpKind.QUEUE)) c.fees = [];
      return honest ? honestClaims(world, pre, c) : c;
    }

    const key = (i: number) => world.keys[i];
    /** ETH transfer by account index, signed by the sender's key. */
    const eth =
      (
        from: number,
        to: number,
        amount: bigint,
        extra: Partial<EthTransferOp> = {}
      ) =>
      (s: L2State, env: BlockEnv) =>
        signFor(
          s,
          {
            kind: OpKind.ETH_TRANSFER,
            feeIndex: 0,
            from,
            to,
            amount,
            sig: NO_SIG,
            ...extra,
          } as EthTransferOp,
          env,
          key(from - 1)
        );
    const ethNew =
      (from: number, to: string, amount: bigint) =>
      (s: L2State, env: BlockEnv) =>
        signFor(
          s,
          {
            kind: OpKind.ETH_TRANSFER_NEW,
            feeIndex: 0,
            from,
            to: to.toLowerCase(),
            amount,
            sig: NO_SIG,
          },
          env,
          key(from - 1)
        );
    const tokenTo =
      (from: number, to: number, amount: bigint, tokenId = 0) =>
      (s: L2State, env: BlockEnv) =>
        signFor(
          s,
          {
            kind: OpKind.TOKEN_TRANSFER,
            feeIndex: 0,
            from,
            to,
            tokenId,
            amount,
            sig: NO_SIG,
          },
          env,
          key(from - 1)
        );
    const withdraw =
      (from: number, amount: bigint) => (s: L2State, env: BlockEnv) =>
        signFor(
          s,
          {
            kind: OpKind.WITHDRAW_ETH,
            feeIndex: 0,
            from,
            amount,
            l1Recipient: key(from - 1).address,
            sig: NO_SIG,
          },
          env,
          key(from - 1)
        );
    const queue = (op: Op) => () => op;
    const raw = (op: Op) => () => op;

    async function expectVerdict(
      pre: PreState,
      body: Buffer,
      expected: { kind: number; reason?: number; opIndex?: number }
    ) {
      const j = await judge(world, pre, body);
      expect(j.chain, "FraudVerifier answers as src/core does").to.deep.equal(
        j.core
      );
      expect(j.core, "the expected verdict").to.deep.equal({
        kind: expected.kind,
        reason: expected.reason ?? 0,
        opIndex: expected.opIndex ?? 0,
      });
    }

    it("fees: feeCount 0 with a signed operation, a fee index past the entries, a legacy entry, a tip above the cap, a gas limit one short", async () => {
      const pre = fixedPre();
      await expectVerdict(
        pre,
        spell(
          build(pre, { fees: [] }, [
            raw({
              kind: OpKind.ETH_TRANSFER,
              feeIndex: 0,
              from: 1,
              to: 2,
              amount: 1n,
              sig: NO_SIG,
            }),
          ])
        ),
        // The fee list must hold what operations use, in first-use order: decoding refuses it.
        { kind: K.malformed }
      );
      const three = [QUOTED, QUOTED, QUOTED];
      await expectVerdict(
        pre,
        spell(build(pre, { fees: three }, [eth(1, 2, 1n, { feeIndex: 2 })])),
        // Three copies of one tuple, two unused: one block, three spellings; only one is accepted.
        { kind: K.malformed }
      );
      await expectVerdict(pre, spell(build(pre, { fees: [QUOTED] }, [eth(1, 2, 1n)])), { kind: 0 });
      await expectVerdict(
        pre,
        spell(
          build(pre, { fees: three }, [
            raw({
              kind: OpKind.ETH_TRANSFER,
              feeIndex: 3,
              from: 1,
              to: 2,
              amount: 1n,
              sig: NO_SIG,
            }),
          ])
        ),
        { kind: K.malformed }
      );
      const legacy: FeeEntry = { type: 0, gasPrice: BASE, gasLimit: 100_000n };
      await expectVerdict(
        pre,
        spell(build(pre, { fees: [legacy] }, [eth(1, 2, 1n)])),
        { kind: 0 }
      );
      await expectVerdict(
        pre,
        spell(
          build(pre, { fees: [{ ...legacy, gasPrice: BASE - 1n }] }, [
            eth(1, 2, 1n),
          ])
        ),
        { kind: K.invalid, reason: R.feeLow }
      );
      await expectVerdict(
        pre,
        spell(
          build(
            pre,
            {
              fees: [
                { ...QUOTED, maxPriorityFeePerGas: QUOTED.maxFeePerGas + 1n },
              ],
            },
            [eth(1, 2, 1n)]
          )
        ),
        { kind: K.invalid, reason: R.feeLow }
      );
      // An ETH transfer uses Ethereum's 21,000, whatever its size.
      const exact = 21_000n;
      expect(
        gasUsedOf((build(pre, {}, [eth(1, 2, 1n)]).ops[0] as SignedOp).kind, false)
      ).to.equal(exact);
      await expectVerdict(
        pre,
        spell(
          build(pre, { fees: [{ ...QUOTED, gasLimit: exact }] }, [
            eth(1, 2, 1n),
          ])
        ),
        { kind: 0 }
      );
      await expectVerdict(
        pre,
        spell(
          build(pre, { fees: [{ ...QUOTED, gasLimit: exact - 1n }] }, [
            eth(1, 2, 1n),
          ])
        ),
        { kind: K.invalid, reason: R.gas }
      );
    });

    it("opCount 0, and index width 0 with an operation naming index 0 (the zero-address account, which nobody can sign for)", async () => {
      const pre = fixedPre();
      await expectVerdict(pre, spell(build(pre, {}, [])), { kind: 0 });
      await expectVerdict(pre, spell(build(pre, {}, [], false)), {
        kind: K.postState,
      });
      const fromZero: Op = {
        kind: OpKind.ETH_TRANSFER,
        feeIndex: 0,
        from: 0,
        to: 0,
        amount: 0n,
        sig: { r: Buffer.alloc(32, 1), s: Buffer.alloc(32, 1), yParity: 0 },
      };
      const body = spell(build(pre, { feeRecipient: 0 }, [raw(fromZero)]));
      expect(body[32] >> 1, "index width").to.equal(0);
      await expectVerdict(pre, body, { kind: K.invalid, reason: R.badSig });
    });

    it("amounts: exponent 31 with trailing zeros, 32-byte mantissas, 2^256 − 1, 10^77, and mantissa × 10^exp just above 2^256", async () => {
      const pre = fixedPre();
      for (const v of [
        10n ** 31n,
        10n ** 32n,
        10n ** 77n,
        12n * 10n ** 60n,
        MAX_UINT256,
        MAX_UINT256 - (MAX_UINT256 % 10n ** 31n),
        2n ** 255n,
      ]) {
        const c = build(pre, { baseFee: v, fees: [] }, []);
        await expectVerdict(pre, spell(c), { kind: 0 });
      }
      const c = build(pre, { fees: [] }, []);
      const just = (head: number, mantissa: Buffer) =>
        spell(c, {
          rawBaseFee: {
            head,
            rest:
              mantissa.length >= 7
                ? Buffer.concat([Buffer.of(mantissa.length), mantissa])
                : mantissa,
          },
        });
      // ceil(2^256 / 10^31) × 10^31 > 2^256 − 1; 2^256 / 10 rounded up, times 10.
      const over31 = bigintToBytes(MAX_UINT256 / 10n ** 31n + 1n);
      await expectVerdict(pre, just((7 << 5) | 31, over31), {
        kind: K.malformed,
      });
      const over1 = Buffer.from(
        (MAX_UINT256 / 10n + 1n).toString(16).padStart(64, "0"),
        "hex"
      );
      await expectVerdict(pre, just((7 << 5) | 1, over1), {
        kind: K.malformed,
      });
      // The same values, spelled every non-canonical way: refused by both.
      for (const v of [
        0n,
        1n,
        10n,
        10n ** 31n,
        10n ** 32n,
        10n ** 40n,
        MAX_UINT256,
      ]) {
        for (const form of [
          "trailing-zero",
          "leading-zero",
          "escape",
          "zero-exp",
          "zero-byte",
        ] as const) {
          const spelled = spell(build(pre, { baseFee: v, fees: [] }, []), {
            amount: (x, where) =>
              spellAmount(x, where === "baseFee" ? form : "canonical"),
          });
          if (spelled.equals(spell(build(pre, { baseFee: v, fees: [] }, []))))
            continue;
          await expectVerdict(pre, spelled, { kind: K.malformed });
        }
      }
    });

    it("signatures: high s, r = 0, r ≥ n, s = 0, the parity flipped, s = n/2 + 1: a bad signature on both sides", async () => {
      const pre = fixedPre();
      const good = build(pre, {}, [eth(1, 2, 1n)]);
      await expectVerdict(pre, spell(good), { kind: 0 });
      const op = good.ops[0] as EthTransferOp;
      const s = BigInt("0x" + op.sig.s.toString("hex"));
      const variants: TxSignature[] = [
        {
          ...op.sig,
          s: word(SECP256K1_N - s),
          yParity: (1 - op.sig.yParity) as 0 | 1,
        },
        { ...op.sig, r: word(0n) },
        { ...op.sig, r: word(SECP256K1_N) },
        { ...op.sig, r: word(MAX_UINT256) },
        { ...op.sig, s: word(0n) },
        { ...op.sig, yParity: (1 - op.sig.yParity) as 0 | 1 },
        { ...op.sig, s: word(SECP256K1_N / 2n + 1n) },
      ];
      for (const sig of variants) {
        const bad = { ...good, ops: [{ ...op, sig }] };
        await expectVerdict(pre, spell(bad), {
          kind: K.invalid,
          reason: R.badSig,
        });
      }
    });

    it("tokens: an id at or above the token count, and a token transfer to oneself", async () => {
      const pre = fixedPre();
      // The token count (1) and the largest id a one-byte class spells.
      for (const tokenId of [1, 255]) {
        await expectVerdict(
          pre,
          spell(build(pre, {}, [raw({ kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: 1, to: 2, tokenId, amount: 1n, sig: NO_SIG })])),
          { kind: K.invalid, reason: R.unknownToken }
        );
      }
      await expectVerdict(
        pre,
        spell(build(pre, {}, [tokenTo(1, 1, 10n ** 20n)])),
        { kind: 0 }
      );
      await expectVerdict(
        pre,
        spell(build(pre, {}, [tokenTo(1, 1, 10n ** 20n + 1n)])),
        { kind: K.invalid, reason: R.funds }
      );
    });

    it("fee recipient = sender = recipient at the top of uint256, and the recipient's credit with the fee one past it", async () => {
      // Key 0 (account 1) pays itself and its own fee with every wei there is.
      const pre = fixedPre({ balances: [MAX_UINT256, 0n, 0n, 0n] });
      await expectVerdict(
        pre,
        spell(
          build(pre, { feeRecipient: 1 }, [
            eth(1, 1, MAX_UINT256 - 100_000n * 20_000_000n),
          ])
        ),
        { kind: 0 }
      );
      // Recipient (account 3) is the fee recipient: balance + fee + amount must fit.
      const probe = build(pre, {}, [eth(1, 3, 1n)]);
      const fee = gasUsedOf((probe.ops[0] as SignedOp).kind, false) * BASE;
      const full = fixedPre({
        balances: [10n ** 19n, 0n, MAX_UINT256 - fee, 0n],
      });
      await expectVerdict(full, spell(build(full, {}, [eth(1, 3, 1n)])), {
        kind: K.invalid,
        reason: R.overflow,
      });
      await expectVerdict(full, spell(build(full, {}, [eth(1, 3, 0n)])), {
        kind: 0,
      });
    });

    it("new-account recipients: the fee recipient's address, the sender's, the zero address, one created earlier in the commitment", async () => {
      const pre = fixedPre();
      await expectVerdict(
        pre,
        spell(build(pre, {}, [ethNew(1, key(2).address, 1n)])),
        { kind: K.invalid, reason: R.exists }
      );
      await expectVerdict(
        pre,
        spell(build(pre, {}, [ethNew(1, key(0).address, 1n)])),
        { kind: K.invalid, reason: R.exists }
      );
      await expectVerdict(
        pre,
        spell(build(pre, {}, [ethNew(1, ZERO_ADDRESS, 1n)])),
        { kind: K.invalid, reason: R.exists }
      );
      const fresh = Wallet.createRandom().address;
      await expectVerdict(
        pre,
        spell(build(pre, {}, [ethNew(1, fresh, 1n), ethNew(2, fresh, 1n)])),
        { kind: K.invalid, reason: R.exists, opIndex: 1 }
      );
      // A deposit to a new account (queue entry 3), then a transfer to that address as new: it exists.
      const q = fixedPre({ queueIndex: 3n, queueLimit: 4n });
      const stranger = world.queue[3].account;
      await expectVerdict(
        q,
        spell(
          build(q, {}, [
            queue({ kind: OpKind.QUEUE, credit: "new" }),
            ethNew(1, stranger, 1n),
          ])
        ),
        { kind: K.invalid, reason: R.exists, opIndex: 1 }
      );
      await expectVerdict(
        q,
        spell(
          build(q, {}, [
            queue({ kind: OpKind.QUEUE, credit: "new" }),
            eth(1, 5, 1n),
          ])
        ),
        { kind: 0 }
      );
    });

    it("queue operations at the queue limit, the last commitment short of the batch's queue count, forced withdrawals above the balance and by a caller without an account", async () => {
      const atLimit = fixedPre({ queueIndex: 4n, queueLimit: 4n });
      await expectVerdict(
        atLimit,
        spell(
          build(atLimit, {}, [queue({ kind: OpKind.QUEUE, credit: "new" })])
        ),
        { kind: K.invalid, reason: R.queueEmpty }
      );
      const short = fixedPre({
        queueIndex: 3n,
        queueLimit: 5n,
        lastInBatch: true,
      });
      await expectVerdict(
        short,
        spell(build(short, {}, [queue({ kind: OpKind.QUEUE, credit: "new" })])),
        { kind: K.queueCount }
      );
      // Entries 5 (1,000 wei) and 6 (2^256 − 1 of the token) are key 3's (account 4) forced withdrawals.
      const forced = fixedPre({
        queueIndex: 5n,
        queueLimit: 8n,
        balances: [0n, 0n, 0n, 999n],
        tokens: [0n, 0n, 0n, MAX_UINT256 - 1n],
      });
      const named: Op = { kind: OpKind.QUEUE, credit: "existing", index: 4 };
      await expectVerdict(
        forced,
        spell(
          build(forced, {}, [
            queue(named),
            queue(named),
            queue({ kind: OpKind.QUEUE, credit: "none" }),
          ])
        ),
        { kind: 0 }
      );
      await expectVerdict(
        forced,
        spell(
          build(forced, {}, [queue({ kind: OpKind.QUEUE, credit: "none" })])
        ),
        { kind: K.invalid, reason: R.exists }
      );
      await expectVerdict(
        forced,
        spell(
          build(forced, {}, [queue({ kind: OpKind.QUEUE, credit: "new" })])
        ),
        { kind: K.invalid, reason: R.malformed }
      );
      const enough = fixedPre({
        queueIndex: 5n,
        queueLimit: 7n,
        balances: [0n, 0n, 0n, 1000n],
        tokens: [0n, 0n, 0n, MAX_UINT256],
      });
      await expectVerdict(
        enough,
        spell(build(enough, {}, [queue(named), queue(named)])),
        { kind: 0 }
      );
    });

    it("nonce and withdrawal count at 2^64 − 1, and withdrawal trees of every size from 1 to 32", async () => {
      await expectVerdict(
        fixedPre({ nonces: [MAX_UINT64, 0n, 0n, 0n] }),
        spell(
          build(fixedPre({ nonces: [MAX_UINT64, 0n, 0n, 0n] }), {}, [
            eth(1, 2, 1n),
          ])
        ),
        { kind: K.invalid, reason: R.overflow }
      );
      const last = fixedPre({ withdrawalCount: MAX_UINT64 - 1n });
      await expectVerdict(last, spell(build(last, {}, [withdraw(1, 1n)])), {
        kind: 0,
      });
      await expectVerdict(
        last,
        spell(build(last, {}, [withdraw(1, 1n), withdraw(1, 1n)])),
        { kind: K.invalid, reason: R.overflow, opIndex: 1 }
      );
      for (let n = 1; n <= 32; n++) {
        const pre = fixedPre();
        const c = build(
          pre,
          {},
          Array.from({ length: n }, (_, i) =>
            withdraw(1 + (i % 4), BigInt(i + 1))
          )
        );
        expect(c.withdrawalRoot, `${n} withdrawals`).to.not.equal(null);
        await expectVerdict(pre, spell(c), { kind: 0 });
        await expectVerdict(
          pre,
          spell({ ...c, withdrawalRoot: keccak256(c.withdrawalRoot!) }),
          { kind: K.withdrawalRoot }
        );
      }
    });

    it("an L2 block has one encoding: a fee tuple listed twice, or listed and never used, is not a second accepted spelling of the same block", async () => {
      const pre = fixedPre();
      const once = build(pre, { fees: [QUOTED] }, [eth(1, 2, 1n)]);
      const twice = {
        ...once,
        fees: [QUOTED, QUOTED],
        ops: [{ ...(once.ops[0] as EthTransferOp), feeIndex: 1 }],
      };
      const unused = {
        ...once,
        fees: [QUOTED, { type: 0, gasPrice: 1n, gasLimit: 1n } as FeeEntry],
      };
      const accepted: string[] = [];
      for (const [what, c] of [
        ["once", once],
        ["listed twice", twice],
        ["an unused entry", unused],
      ] as const) {
        const body = spell(c);
        const j = await judge(world, pre, body);
        expect(j.chain, what).to.deep.equal(j.core);
        if (j.core.kind === 0)
          accepted.push(
            `${what}: ${keccak256(body).toString("hex").slice(0, 16)}`
          );
      }
      // The same signed transaction, the same post-state: only one of these may be honest.
      expect(
        accepted.map((a) => a.split(":")[0]),
        "spellings of the same block judged honest by both sides"
      ).to.deep.equal(["once"]);
    });

    it("account creation at the 2^24 limit: the last index is created, the next creation overflows, on both sides", async () => {
      const limit = 2 ** 24;
      const zero = zeroHashes(24);
      const tokenZero = zeroHashes(TOKEN_TREE_DEPTH)[TOKEN_TREE_DEPTH];
      // Entries 3 (1 ETH to a new address) and 4 (a token deposit to another new address).
      const [e3, e4] = [world.queue[3], world.queue[4]];
      const pre = {
        accountsRoot: "0x" + zero[24].toString("hex"),
        accountCount: BigInt(limit - 1),
        queueIndex: 3n,
        withdrawalCount: 0n,
        tokenCount: 1n,
      };
      const preRoot = stateRoot({
        accountsRoot: zero[24],
        accountCount: limit - 1,
        queueIndex: 3n,
        withdrawalCount: 0n,
        tokenCount: 1,
      });
      const slot = {
        index: limit - 1,
        empty: true,
        addr: ZERO_ADDRESS,
        nonce: 0n,
        balance: 0n,
        tokenRoot: "0x" + tokenZero.toString("hex"),
        tokenIds: [],
        tokenBalances: [],
        tokenProof: [],
        tokenZeroFlags: "0x",
        allowanceRoot: "0x" + EMPTY_ALLOWANCE_ROOT.toString("hex"),
        allowanceKeys: [],
        allowances: [],
        allowanceProof: [],
        allowanceZeroFlags: "0x",
      };
      const q = (e: typeof e3) => ({
        kind: e.kind,
        account: e.account,
        tokenId: e.tokenId,
        amount: e.amount,
      });
      const witness = encodeWitness({
        pre,
        accounts: [slot],
        accountProof: [],
        accountZeroFlags: "0xffffff",
        queue: [q(e3), q(e4)],
      });
      const created = sparseRoot(
        24,
        new Map([
          [limit - 1, accountLeaf(e3.account, 0n, e3.amount, tokenZero, EMPTY_ALLOWANCE_ROOT)],
        ]),
        zero
      );
      const post = stateRoot({
        accountsRoot: created,
        accountCount: limit,
        queueIndex: 4n,
        withdrawalCount: 0n,
        tokenCount: 1,
      });
      const body = (ops: Op[]) =>
        encodeCommitment({
          postStateRoot: post,
          withdrawalRoot: null,
          timestamp: 1_700_000_000,
          baseFee: 0n,
          feeRecipient: 0,
          fees: [],
          ops,
        });
      const context = {
        preStateRoot: "0x" + preRoot.toString("hex"),
        chainId: CHAIN_ID,
        bridge: world.bridge,
        queueLimit: 5n,
        lastInBatch: false,
      };
      const newAccount: Op = { kind: OpKind.QUEUE, credit: "new" };
      const one = await world.verifier.verify(
        body([newAccount]),
        witness,
        context
      );
      const two = await world.verifier.verify(
        body([newAccount, newAccount]),
        witness,
        context
      );
      // src/core's rule, on a state of 2^24 accounts (none of them holding the address).
      const full = {
        queueIndex: 4n,
        accountCount: limit,
        tokenCount: 1,
        indexOf: () => undefined,
      } as unknown as L2State;
      let core = "applied";
      try {
        applyOp(full, newAccount, {
          chainId: CHAIN_ID,
          baseFee: 0n,
          feeRecipient: 0,
          fees: [],
          queueEntry: () => e4,
        });
      } catch (e) {
        core = (e as InvalidOperationError).reason;
      }
      expect({
        one: one.map(Number),
        two: two.map(Number),
        core,
      }).to.deep.equal({
        one: [0, 0, 0],
        two: [K.invalid, R.overflow, 1],
        core: "overflow",
      });
    });
  });
});

describe("attack review: Rollup and Bridge state after a revert", function () {
  this.timeout(180_000);

  it("a reverted batch's stale slots give nothing once the index is posted again: no header, no finality, no withdrawal, no proof, and no timestamp or queue floor", async () => {
    const f = await fraudFixture();
    const [, , , , , , , thief] = await ethers.getSigners();
    const { w, body } = theft(f, thief.address, 10n ** 18n);
    const fraud = await f.chain.post([body]);
    await f.chain.post([f.chain.handMade([], [])]); // batch 2, on top of the fraud
    const proof = f.chain.proof(fraud, 0);
    expect(proof.verdict.ok).to.equal(false);
    await f.rollup
      .connect((await ethers.getSigners())[6])
      .proveFraud(...proof.args);
    expect(await f.rollup.batchCount()).to.equal(1n);
    await expect(f.rollup.getBatch(1)).to.be.revertedWithCustomError(
      f.rollup,
      "RollupUnknownBatch"
    );
    await expect(f.rollup.getBatch(2)).to.be.revertedWithCustomError(
      f.rollup,
      "RollupUnknownBatch"
    );
    await expect(f.rollup.preStateRoot(2)).to.be.revertedWithCustomError(
      f.rollup,
      "RollupUnknownBatch"
    );
    // Posted again at index 1 with an earlier L2 timestamp than the stale slots hold.
    await f.rollup.postBond({ value: f.params.bondSize });
    const again = encodeCommitment({
      postStateRoot: f.chain.state.root(),
      withdrawalRoot: null,
      timestamp: 1_700_000_000,
      baseFee: 0n,
      feeRecipient: 0,
      fees: [],
      ops: [],
    });
    await f.chain.post([again]);
    await time.increase(f.params.challengeWindow + 1);
    expect(await f.rollup.isFinal(1)).to.equal(true);
    expect(
      await f.rollup.isFinal(2),
      "the stale slot 2 is not a batch"
    ).to.equal(false);
    expect(await f.rollup.finalBatchCount()).to.equal(2n);
    await expect(
      f.bridge.finalizeWithdrawal(w, 1, [])
    ).to.be.revertedWithCustomError(f.bridge, "BridgeInvalidWithdrawalProof");
    await expect(
      f.bridge.finalizeWithdrawal(w, 2, [])
    ).to.be.revertedWithCustomError(f.bridge, "BridgeBatchNotFinal");
    await expect(
      f.rollup.proveFraud(
        2,
        0,
        proof.args[2],
        proof.args[3],
        proof.args[4],
        proof.args[5]
      )
    ).to.be.revertedWithCustomError(f.rollup, "RollupUnknownBatch");
    expect((await f.rollup.getBatch(1)).withdrawalRoot).to.equal(
      ethers.ZeroHash
    );
  });

  it("a challenger contract re-entering from its reward payment can neither prove again, post a batch, withdraw a bond nor finalize the reverted withdrawal", async () => {
    const f = await fraudFixture();
    const [, , , , , , , thief] = await ethers.getSigners();
    const { w, body } = theft(f, thief.address, 10n ** 18n);
    const fraud = await f.chain.post([body]);
    const args = f.chain.proof(fraud, 0).args;
    const attacker = (await ethers.deployContract(
      "ReviewReentrantChallenger"
    )) as unknown as ReviewReentrantChallenger;
    const rollup = f.addresses.rollup;
    const proofData = f.rollup.interface.encodeFunctionData("proveFraud", [
      ...args,
    ]);
    const during = [
      { target: rollup, data: proofData },
      {
        target: rollup,
        data: f.rollup.interface.encodeFunctionData("submitBatch", [
          1,
          args[2],
          f.chain.state.queueIndex,
          encodeBatch([f.chain.handMade([], [])]),
        ]),
      },
      {
        target: rollup,
        data: f.rollup.interface.encodeFunctionData("withdrawBond"),
      },
      {
        target: f.addresses.bridge,
        data: f.bridge.interface.encodeFunctionData("finalizeWithdrawal", [
          w,
          1,
          [],
        ]),
      },
    ];
    await attacker.prove(rollup, proofData, during);
    const [ok] = await attacker.results();
    expect(ok).to.deep.equal([false, false, false, false]);
    expect(await attacker.received()).to.equal(f.params.bondSize / 2n);
    expect(await f.rollup.batchCount()).to.equal(1n);
    expect(await f.rollup.revertedBatchCount()).to.equal(1n);
    expect(await f.rollup.bonds(f.deployer.address)).to.equal(0n);
  });
});
