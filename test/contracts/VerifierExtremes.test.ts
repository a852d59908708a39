import { expect } from "chai";
import { EMPTY_ALLOWANCE_ROOT } from "../../src/core/allowanceTree";
import { ethers } from "hardhat";
import { Interface, Wallet } from "ethers";
import { buildWorld, CASE_TIMESTAMP, namedWallet, type World } from "../adversarial/world";
import { MaliciousProposer, TX_GAS_CAP, decodeRevert } from "../adversarial/maliciousProposer";
import { generateCase, type CaseContext } from "../adversarial/generators";
import { Rng } from "../adversarial/rng";
import { BASE_FEE, CHAIN_ID, tokenTransfer, transferTo, withdrawEth } from "../helpers/fraudFixture";
import { FraudVerifier__factory } from "../../typechain-types";
import { buildFraudWitness, encodeWitness, onChainVerdict, type AccountWitness, type Witness } from "../../src/core/fraudProof";
import { replayCommitment, type BatchPosition, type Verdict } from "../../src/core/replay";
import { L2State } from "../../src/core/state";
import { BlockBuilder } from "../../src/core/blockBuilder";
import { parseRawTransaction } from "../../src/core/intake";
import type { QueueEntry } from "../../src/core/queueOps";
import { encodeBatch, encodeCommitment, feeWidth, splitBatch, type Commitment } from "../../src/core/commitment";
import { writeFeeEntry, writeOp, type Op, type SignedOp } from "../../src/core/ops";
import { writeAmount } from "../../src/core/amount";
import { ByteWriter, MAX_UINT256 } from "../../src/core/bytes";
import { buildMultiProof } from "../../src/core/multiproof";
import { zeroHashes } from "../../src/core/merkle";
import { TOKEN_ZERO, tokenLevels, tokenRoot } from "../../src/core/tokenTree";
import { ACCOUNT_TREE_DEPTH, MAX_FEE_ENTRIES, MAX_OPS_PER_COMMITMENT, OpKind, TOKEN_ID_BITS, TOKEN_TREE_DEPTH, ZERO_ADDRESS } from "../../src/core/constants";
import type { FeeEntry, TxSignature } from "../../src/core/txSigning";

/**
 * FraudVerifier at the limits of every field a proposer writes, against src/core: the inputs of
 * the review of the verifier split (80f67d4), kept after the split was found to change nothing
 * (it compared the split verifier with the one before it, compiled from git, until gasUsed became
 * Ethereum's figures and the two were meant to differ).
 *
 * Where src/core built the witness, the verifier must return src/core's verdict and never revert.
 * A witness only a challenger could send (hand-made: more tokens, more accounts, flipped bytes)
 * may make it revert, but only with a FraudWitness… or MultiProof… error (the witness does not
 * verify): never a panic, never anything else.
 */

type Outcome = { kind: number; reason: number; opIndex: number } | { revert: string; name: string };
interface Ctx {
  preStateRoot: string;
  chainId: bigint;
  bridge: string;
  queueLimit: bigint;
  lastInBatch: boolean;
}

const VERIFY = new Interface(FraudVerifier__factory.abi);
const hex = (b: Buffer) => "0x" + b.toString("hex");
const ACCOUNT_ZERO = zeroHashes(ACCOUNT_TREE_DEPTH);
const JUNK_SIG: TxSignature = { r: Buffer.alloc(32, 0x11), s: Buffer.alloc(32, 0x22), yParity: 0 };
const FEE: FeeEntry = { type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: 2n * BASE_FEE, gasLimit: 100_000n };
const MALFORMED = { kind: 1, reason: 0, opIndex: 0 };

/** What each verdict's operation index is on chain: the operation for INVALID_OPERATION, else 0. */
function expectedOf(v: Verdict): { kind: number; reason: number; opIndex: number } {
  return { ...onChainVerdict(v), opIndex: !v.ok && v.kind === "invalid-operation" ? v.opIndex : 0 };
}

/** Whether Cairn defines a flags byte, as src/core/commitment.ts decodes it. */
function coreDefinesFlags(f: number): boolean {
  return ((f >> 1) & 0x1f) <= ACCOUNT_TREE_DEPTH && f >> 6 < TOKEN_ID_BITS.length;
}

interface Spelling {
  flags: number;
  withdrawalRoot?: Buffer;
  timestamp?: number;
  baseFee?: bigint;
  baseFeeBytes?: Buffer;
  feeRecipient?: number;
  feeRecipientBytes?: Buffer;
  fees?: FeeEntry[];
  feeCount?: number;
  ops?: Op[];
  opCount?: number;
  root?: Buffer;
}

/** A commitment body written field by field, with any flags byte and any field widths. */
function spell(s: Spelling): Buffer {
  const w = new ByteWriter();
  const fees = s.fees ?? [FEE];
  const indexBits = (s.flags >> 1) & 0x1f;
  const tokenBits = 8 * ((s.flags >> 6) + 1);
  w.bytes(s.root ?? Buffer.alloc(32, 0xab)).u8(s.flags);
  if (s.flags & 1) w.bytes(s.withdrawalRoot ?? Buffer.alloc(32, 0xcd));
  w.uint(s.timestamp ?? CASE_TIMESTAMP, 5);
  if (s.baseFeeBytes) w.bytes(s.baseFeeBytes);
  else writeAmount(w, s.baseFee ?? BASE_FEE);
  if (s.feeRecipientBytes) w.bytes(s.feeRecipientBytes);
  else w.varint(s.feeRecipient ?? 0);
  w.u8(s.feeCount ?? fees.length);
  for (const f of fees) writeFeeEntry(w, f);
  const ops = s.ops ?? [];
  w.u8(s.opCount ?? ops.length);
  for (const op of ops) writeOp(w, op, { indexBits, feeBits: feeWidth(s.feeCount ?? fees.length), tokenBits });
  return w.toBuffer();
}

/**
 * The two random tests' slices in npm test; `npm run fuzz:verifier-extremes` runs the full counts
 * (400 mutated witnesses, 300 generated cases), and these variables any other.
 */
const MUTATED_WITNESSES = Number(process.env.VERIFIER_MUTATED_WITNESSES ?? 120);
const GENERATED_CASES = Number(process.env.VERIFIER_GENERATED_CASES ?? 100);

const flagsOf = (indexBits: number, tokenClass: number, withdrawals = false) => (tokenClass << 6) | (indexBits << 1) | (withdrawals ? 1 : 0);

describe("FraudVerifier at the extremes, against src/core", function () {
  this.timeout(1_800_000);
  let world: World;
  let verifierAddress: string;
  let bridge: string;
  let proposer: MaliciousProposer;
  const compared = { verdicts: 0, reverts: 0, core: 0 };

  before(async () => {
    world = await buildWorld("split-review");
    bridge = world.addresses.bridge;
    verifierAddress = await world.verifier.getAddress();
    proposer = new MaliciousProposer(world.deployer, world.addresses.rollup, world.chain);
  });

  after(() => {
    console.log(`      ${compared.verdicts} verdicts and ${compared.reverts} witness reverts, ${compared.core} held against src/core`);
  });

  async function outcome(at: string, body: Buffer, witness: string, ctx: Ctx): Promise<Outcome> {
    const data = VERIFY.encodeFunctionData("verify", [body, witness, ctx]);
    try {
      const ret = await ethers.provider.call({ to: at, data, gasLimit: TX_GAS_CAP });
      const [kind, reason, opIndex] = VERIFY.decodeFunctionResult("verify", ret);
      return { kind: Number(kind), reason: Number(reason), opIndex: Number(opIndex) };
    } catch (e) {
      const r = decodeRevert(e);
      return { revert: r.data, name: r.name };
    }
  }

  /** The verifier on an input: a verdict, or a revert that blames the witness and nothing else. */
  async function same(body: Buffer, witness: string, ctx: Ctx, what: string): Promise<Outcome> {
    const now = await outcome(verifierAddress, body, witness, ctx);
    if ("revert" in now) expect(now.name, `${what}: the verifier reverted`).to.match(/^(FraudWitness|MultiProof)/);
    if ("revert" in now) compared.reverts++;
    else compared.verdicts++;
    return now;
  }

  /** The pre-state a check runs on: the adversarial world's by default. */
  interface On {
    state: L2State;
    queueEntry(index: bigint): QueueEntry | undefined;
  }
  const worldOn = (): On => ({ state: world.chain.state, queueEntry: world.chain.queueEntry });

  function contextFor(position: BatchPosition, on: On = worldOn()): Ctx {
    return { preStateRoot: hex(on.state.root()), chainId: CHAIN_ID, bridge, queueLimit: position.queueLimit, lastInBatch: position.lastInBatch };
  }

  const defaultPosition = (): BatchPosition => ({ queueLimit: world.consumedQueue, lastInBatch: false });

  /** src/core's verdict and witness, then both verifiers: all three must agree, and nothing may revert. */
  async function judge(body: Buffer, what: string, position: BatchPosition = defaultPosition(), on: On = worldOn()): Promise<Verdict> {
    const check = buildFraudWitness(on.state, body, { chainId: CHAIN_ID, queueEntry: on.queueEntry, position });
    const got = await same(body, check.packed, contextFor(position, on), what);
    expect(got, `${what}: split verifier vs src/core (${label(check.verdict)})`).to.deep.equal(expectedOf(check.verdict));
    compared.core++;
    return check.verdict;
  }

  /** A hand-made witness: the two verifiers alone (a challenger's bytes may make them revert). */
  async function sameOnWitness(body: Buffer, witness: Witness | string, what: string, position: BatchPosition = defaultPosition(), on: On = worldOn()): Promise<Outcome> {
    return same(body, typeof witness === "string" ? witness : encodeWitness(witness), contextFor(position, on), what);
  }

  function label(v: Verdict): string {
    return v.ok ? "honest" : v.kind === "invalid-operation" ? `invalid-operation:${v.reason}@${v.opIndex}` : v.kind;
  }

  const indexOf = (name: keyof World["users"]) => world.chain.state.indexOf(world.users[name].address.toLowerCase())!;

  /** An honest commitment of `build`'s transactions (the state is left as it was). */
  async function honest(build: (add: (wallet: Wallet, tx: Record<string, unknown>) => Promise<void>) => Promise<void>, mutate: (c: Commitment) => void = () => {}): Promise<Buffer> {
    const chain = world.chain;
    const cp = chain.state.checkpoint();
    try {
      const b = chain.builder();
      await build(async (wallet, tx) => {
        b.addTransaction(await chain.parsed(wallet, tx));
      });
      const sealed = b.seal(CASE_TIMESTAMP);
      mutate(sealed.commitment);
      return encodeCommitment(sealed.commitment);
    } finally {
      chain.state.rollback(cp);
    }
  }

  describe("the flags byte, all 256 values", () => {
    it("submitBatch refuses exactly the bytes src/core does not define, with CommitmentBadFlags, wherever the commitment is", async () => {
      const tip = await proposer.tip();
      const rollup = world.rollup.connect(world.deployer);
      const submit = async (data: Buffer) => {
        try {
          await rollup.submitBatch.staticCall(tip.index, tip.pre, world.consumedQueue, data);
          return "accepted";
        } catch (e) {
          const r = decodeRevert(e);
          return `${r.name}(${r.args.join(",")})`;
        }
      };
      const first = spell({ flags: 0 });
      for (let f = 0; f < 256; f++) {
        const body = spell({ flags: f });
        const badFlags = (offset: number) => `CommitmentBadFlags(${offset},${f})`;
        expect(await submit(encodeBatch([body])), `flags ${f} first`).to.equal(coreDefinesFlags(f) ? "accepted" : badFlags(0));
        expect(await submit(encodeBatch([first, body])), `flags ${f} second`).to.equal(coreDefinesFlags(f) ? "accepted" : badFlags(2 + first.length));
        if (f & 1) {
          // A zero withdrawal root, and a body too short for the root it declares: the flags are checked first.
          const zeroRoot = spell({ flags: f, withdrawalRoot: Buffer.alloc(32) });
          expect(await submit(encodeBatch([zeroRoot])), `flags ${f}, zero root`).to.equal(coreDefinesFlags(f) ? "CommitmentZeroWithdrawalRoot(0)" : badFlags(0));
          const short = Buffer.concat([Buffer.alloc(32, 0xab), Buffer.of(f), Buffer.alloc(5)]);
          expect(await submit(encodeBatch([short])), `flags ${f}, short`).to.equal(coreDefinesFlags(f) ? "CommitmentTooShort(0,38)" : badFlags(0));
        }
      }
    });

    it("the verifier: a bare commitment and one whose operation fills the declared widths, under each flags byte", async () => {
      for (let f = 0; f < 256; f++) {
        const indexBits = (f >> 1) & 0x1f;
        const tokenClass = f >> 6;
        // Zero operations: canonical only for index width 0 and class 0.
        const bare = await judge(spell({ flags: f }), `flags ${f}, no operation`);
        if (!coreDefinesFlags(f)) expect(expectedOf(bare)).to.deep.equal(MALFORMED);
        // One token transfer whose largest index needs exactly `indexBits` bits and whose token id
        // needs exactly the class: the canonical spelling for these flags.
        const index = indexBits === 0 ? 0 : 2 ** (indexBits - 1);
        const tokenId = tokenClass === 0 ? 1 : 2 ** (8 * tokenClass);
        const op: SignedOp = { kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: index, to: index, tokenId, amount: 1n, sig: JUNK_SIG };
        await judge(spell({ flags: f, ops: [op] }), `flags ${f}, one operation at index ${index} and token ${tokenId}`);
        // The same under the withdrawals bit's other value.
        await judge(spell({ flags: f ^ 1, ops: [op] }), `flags ${f ^ 1}, one operation at index ${index} and token ${tokenId}`);
      }
    });
  });

  describe("commitments at the extremes of each field's width", () => {
    const transfer = (from: number, to: number, extra: Partial<SignedOp> = {}): SignedOp => ({ kind: OpKind.ETH_TRANSFER, feeIndex: 0, from, to, amount: 1n, sig: JUNK_SIG, ...extra }) as SignedOp;
    const tokenOp = (from: number, to: number, tokenId: number): SignedOp => ({ kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from, to, tokenId, amount: 1n, sig: JUNK_SIG });
    const bits = (v: number) => (v === 0 ? 0 : Math.floor(Math.log2(v)) + 1);

    it("account indices up to 2^24 − 1 in every role, at the width they need and one wider", async () => {
      const alice = indexOf("alice");
      const TOP = 2 ** 24 - 1;
      for (const [what, ops] of [
        ["sender 2^24 − 1", [transfer(TOP, 0)]],
        ["recipient 2^24 − 1", [transfer(alice, TOP)]],
        ["token recipient 2^24 − 1", [tokenOp(alice, TOP, 0)]],
        ["queue credit of account 2^24 − 1", [{ kind: OpKind.QUEUE, credit: "existing", index: TOP } as Op]],
        ["sender 2^23", [transfer(2 ** 23, 0)]],
        ["recipient the account count", [transfer(alice, world.chain.state.accountCount)]],
        ["recipient the last account", [transfer(alice, world.chain.state.accountCount - 1)]],
      ] as const) {
        let max = 0;
        for (const op of ops) for (const k of ["from", "to", "index"] as const) if (k in op && typeof (op as unknown as Record<string, unknown>)[k] === "number") max = Math.max(max, (op as unknown as Record<string, number>)[k]);
        for (const width of [bits(max), bits(max) + 1]) {
          for (const position of [defaultPosition(), { queueLimit: BigInt(world.chain.queue.length), lastInBatch: true }]) {
            await judge(spell({ flags: flagsOf(width, 0), ops: [...ops] }), `${what}, index width ${width}`, position);
          }
        }
      }
    });

    it("token ids at the edge of each width class, in their class and the next", async () => {
      const alice = indexOf("alice");
      const bob = indexOf("bob");
      for (const tokenId of [0, 1, 2, 255, 256, 65_535, 65_536, 2 ** 24 - 1]) {
        const cls = tokenId < 256 ? 0 : tokenId < 65_536 ? 1 : 2;
        for (const c of [cls, cls + 1].filter((x) => x <= 2)) {
          const width = bits(Math.max(alice, bob));
          await judge(spell({ flags: flagsOf(width, c), ops: [tokenOp(alice, bob, tokenId)] }), `token ${tokenId} in class ${c}`);
          await judge(
            spell({ flags: flagsOf(width, c), ops: [{ kind: OpKind.WITHDRAW_TOKEN, feeIndex: 0, from: alice, tokenId, amount: 1n, l1Recipient: world.users.alice.address.toLowerCase(), sig: JUNK_SIG }] }),
            `withdrawal of token ${tokenId} in class ${c}`,
          );
        }
      }
    });

    it("fee lists of 0, 1, 2, 15, 16, 17, 32 and 255 entries, operation counts up to 32 and past it", async () => {
      const alice = indexOf("alice");
      const bob = indexOf("bob");
      const width = bits(Math.max(alice, bob));
      const fee = (i: number): FeeEntry => (i % 2 ? { type: 0, gasPrice: 2n * BASE_FEE + BigInt(i), gasLimit: 100_000n } : { ...FEE, gasLimit: 100_000n + BigInt(i) });
      for (const n of [0, 1, 2, MAX_FEE_ENTRIES - 1, MAX_FEE_ENTRIES, MAX_FEE_ENTRIES + 1, 32]) {
        const fees = Array.from({ length: n }, (_, i) => fee(i));
        const ops = Array.from({ length: Math.max(1, Math.min(n, MAX_OPS_PER_COMMITMENT)) }, (_, i) => transfer(alice, bob, { feeIndex: Math.min(i, Math.max(0, n - 1)) }));
        await judge(spell({ flags: flagsOf(width, 0), fees, ops }), `${n} fee entries, ${ops.length} operations`);
      }
      // A fee count byte of 255 over one entry, and over no entry.
      await judge(spell({ flags: flagsOf(width, 0), feeCount: 255, ops: [transfer(alice, bob)] }), "fee count 255, one entry");
      await judge(spell({ flags: flagsOf(width, 0), fees: [], feeCount: 255 }), "fee count 255, no entry");
      // Operation counts: 31, 32 and 33 operations, and a count byte over what follows.
      for (const n of [31, MAX_OPS_PER_COMMITMENT, MAX_OPS_PER_COMMITMENT + 1]) {
        const ops = Array.from({ length: n }, () => transfer(alice, bob));
        await judge(spell({ flags: flagsOf(width, 0), ops }), `${n} operations`);
        await judge(spell({ flags: 0, fees: [], ops: Array.from({ length: n }, () => ({ kind: OpKind.QUEUE, credit: "none" }) as Op) }), `${n} queue operations`, {
          queueLimit: BigInt(world.chain.queue.length),
          lastInBatch: false,
        });
      }
      await judge(spell({ flags: flagsOf(width, 0), ops: [transfer(alice, bob)], opCount: 255 }), "operation count 255, one operation");
      await judge(spell({ flags: flagsOf(width, 0), ops: [transfer(alice, bob)], opCount: 0 }), "operation count 0, one operation");
    });

    it("amounts at 0, 1, 10^31, 2^256 − 1 and one spelling past it, in every amount field", async () => {
      const alice = indexOf("alice");
      const bob = indexOf("bob");
      const width = bits(Math.max(alice, bob));
      const values = [0n, 1n, 9n, 10n, 255n, 256n, 10n ** 31n, 10n ** 31n * 7n, 2n ** 255n, MAX_UINT256 - 1n, MAX_UINT256];
      for (const v of values) {
        await judge(spell({ flags: flagsOf(width, 0), baseFee: v, ops: [transfer(alice, bob)] }), `base fee ${v}`);
        await judge(spell({ flags: flagsOf(width, 0), ops: [transfer(alice, bob, { amount: v })] }), `operation amount ${v}`);
        for (const f of [
          { ...FEE, maxFeePerGas: v },
          { ...FEE, maxPriorityFeePerGas: v, maxFeePerGas: MAX_UINT256 },
          { ...FEE, gasLimit: v },
          { type: 0, gasPrice: v, gasLimit: 100_000n } as FeeEntry,
        ]) {
          await judge(spell({ flags: flagsOf(width, 0), fees: [f], ops: [transfer(alice, bob)] }), `fee entry ${JSON.stringify(f, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`);
        }
      }
      // Hand-spelled base fees: a 32-byte mantissa at exponent 0 (2^256 − 1), the same times 10,
      // 10^31 × a mantissa that overflows, the escape for 33 bytes, leading zeros, exponent 31.
      const ff = Buffer.alloc(32, 0xff);
      for (const [what, bytes] of [
        ["2^256 − 1 spelled out", Buffer.concat([Buffer.of((7 << 5) | 0, 32), ff])],
        ["(2^256 − 1) × 10", Buffer.concat([Buffer.of((7 << 5) | 1, 32), ff])],
        ["a 33-byte mantissa", Buffer.concat([Buffer.of((7 << 5) | 0, 33), Buffer.of(1), ff])],
        ["a 6-byte mantissa through the escape", Buffer.concat([Buffer.of((7 << 5) | 0, 6), Buffer.alloc(6, 0x11)])],
        ["a 7-byte mantissa through the escape", Buffer.concat([Buffer.of((7 << 5) | 0, 7), Buffer.alloc(7, 0x11)])],
        ["mantissa 1 at exponent 31", Buffer.of((1 << 5) | 31, 1)],
        ["mantissa 10 at exponent 31", Buffer.of((1 << 5) | 31, 10)],
        ["mantissa 10 at exponent 30", Buffer.of((1 << 5) | 30, 10)],
        ["a large mantissa at exponent 31", Buffer.concat([Buffer.of((7 << 5) | 31, 26), Buffer.alloc(26, 0xff)])],
        ["zero at exponent 1", Buffer.of(1)],
        ["zero as one byte", Buffer.of(1 << 5, 0)],
        ["cut short", Buffer.of(6 << 5)],
      ] as const) {
        await judge(spell({ flags: flagsOf(width, 0), baseFeeBytes: bytes, ops: [transfer(alice, bob)] }), `base fee ${what}`);
      }
    });

    it("fee recipients at each LEB128 length, and spellings past four bytes or with a redundant group", async () => {
      const alice = indexOf("alice");
      const bob = indexOf("bob");
      const width = bits(Math.max(alice, bob));
      for (const r of [0, 1, alice, world.chain.state.accountCount - 1, world.chain.state.accountCount, 127, 128, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 24 - 1, 2 ** 28 - 1]) {
        await judge(spell({ flags: flagsOf(width, 0), feeRecipient: r, ops: [transfer(alice, bob)] }), `fee recipient ${r}`);
        await judge(spell({ flags: 0, fees: [], feeRecipient: r }), `fee recipient ${r}, no operation`);
      }
      for (const bytes of [Buffer.of(0x80, 0x00), Buffer.of(0x81, 0x80, 0x00), Buffer.of(0xff, 0xff, 0xff, 0x7f), Buffer.of(0xff, 0xff, 0xff, 0xff, 0x01), Buffer.of(0x80, 0x80, 0x80, 0x80, 0x00), Buffer.of(0x80)]) {
        await judge(spell({ flags: flagsOf(width, 0), feeRecipientBytes: bytes, ops: [transfer(alice, bob)] }), `fee recipient bytes ${hex(bytes)}`);
      }
    });

    it("timestamps 0 and 2^40 − 1, and every prefix and a few extensions of an honest commitment", async () => {
      const alice = indexOf("alice");
      const bob = indexOf("bob");
      const width = bits(Math.max(alice, bob));
      for (const ts of [0, 2 ** 40 - 1]) await judge(spell({ flags: flagsOf(width, 0), timestamp: ts, ops: [transfer(alice, bob)] }), `timestamp ${ts}`);
      const { users } = world;
      const body = await honest(async (add) => {
        await add(users.alice, transferTo(users.bob.address, 5n));
        await add(users.alice, transferTo(namedWallet("split:fresh").address, 7n));
        await add(users.bob, tokenTransfer(world.l2Tokens[1], users.alice.address, 3n));
        await add(users.alice, withdrawEth(users.alice.address, 9n));
      });
      expect(label(await judge(body, "the honest commitment"))).to.equal("honest");
      for (let n = 0; n < body.length; n++) await judge(body.subarray(0, n), `the first ${n} bytes`);
      for (const tail of [Buffer.of(0), Buffer.of(0xff), Buffer.alloc(31), Buffer.alloc(32, 0xee)]) await judge(Buffer.concat([body, tail]), `with ${tail.length} more bytes`);
    });
  });

  describe("witnesses at their bounds", () => {
    async function creates(n: number): Promise<Buffer> {
      const { users } = world;
      return honest(async (add) => {
        for (let i = 0; i < n; i++) await add(users.alice, transferTo(namedWallet(`split:new:${i}`).address, BigInt(i + 1)));
      });
    }

    it("a commitment creating 32 accounts (the holder set and the created slots at their largest), honest and with a wrong root", async () => {
      const body = await creates(MAX_OPS_PER_COMMITMENT);
      expect(label(await judge(body, "32 creations"))).to.equal("honest");
      const wrong = Buffer.concat([Buffer.alloc(32, 0x99), body.subarray(32)]);
      expect(label(await judge(wrong, "32 creations, wrong root"))).to.equal("wrong-post-state");
      // The last creation's recipient already created by an earlier one: account-exists at op 31.
      const { users } = world;
      const dup = await honest(async (add) => {
        for (let i = 0; i < MAX_OPS_PER_COMMITMENT - 1; i++) await add(users.alice, transferTo(namedWallet(`split:new:${i}`).address, 1n));
        await add(users.bob, transferTo(namedWallet("split:new:30").address, 1n));
      });
      await judge(dup, "31 creations then a transfer to the 31st");
    });

    /** The core witness for `body`, with `edit` applied to it. */
    function witnessOf(body: Buffer, position: BatchPosition = defaultPosition()): Witness {
      const chain = world.chain;
      return buildFraudWitness(chain.state, body, { chainId: CHAIN_ID, queueEntry: chain.queueEntry, position }).witness;
    }

    /** The account part of `w` rebuilt for `indices` (witnessed as the state holds them), token lists kept. */
    function withAccounts(w: Witness, indices: number[]): Witness {
      const state = world.chain.state;
      const pre = Number(w.pre.accountCount);
      const byIndex = new Map(w.accounts.map((a) => [a.index, a]));
      const accounts = indices.map((i) => byIndex.get(i) ?? emptyOrHeld(i, pre));
      const mp = buildMultiProof(ACCOUNT_TREE_DEPTH, indices, (l, i) => state.accountNode(l, i), ACCOUNT_ZERO);
      return { ...w, accounts, accountProof: mp.proof.map(hex), accountZeroFlags: hex(mp.zeroFlags) };
    }

    function emptyOrHeld(index: number, pre: number): AccountWitness {
      return tokensOf({ index, empty: index >= pre, addr: "0x" + "00".repeat(20), nonce: 0n, balance: 0n, tokenRoot: hex(TOKEN_ZERO[TOKEN_TREE_DEPTH]), tokenIds: [], tokenBalances: [], tokenProof: [], tokenZeroFlags: "0x", allowanceRoot: hex(EMPTY_ALLOWANCE_ROOT), allowanceKeys: [], allowances: [], allowanceProof: [], allowanceZeroFlags: "0x" }, []);
    }

    /** `a` witnessing token balances `ids` (the state's values), with their multiproof. */
    function tokensOf(a: AccountWitness, ids: number[]): AccountWitness {
      return tokensIn(world.chain.state, a, ids);
    }

    function tokensIn(state: L2State, a: AccountWitness, ids: readonly number[]): AccountWitness {
      const held = a.empty ? undefined : state.peek(a.index);
      const tokens = held?.tokens ?? new Map<number, bigint>();
      const base = held ? { ...a, addr: held.address, nonce: held.nonce, balance: held.balance, tokenRoot: hex(tokenRoot(tokens)) } : a;
      if (ids.length === 0) return { ...base, tokenIds: [], tokenBalances: [], tokenProof: [], tokenZeroFlags: "0x" };
      const levels = tokenLevels(tokens);
      const mp = buildMultiProof(TOKEN_TREE_DEPTH, [...ids], (l, i) => levels[l].get(i) ?? TOKEN_ZERO[l], TOKEN_ZERO);
      return { ...base, tokenIds: [...ids], tokenBalances: ids.map((id) => tokens.get(id) ?? 0n), tokenProof: mp.proof.map(hex), tokenZeroFlags: hex(mp.zeroFlags) };
    }

    it("accounts holding 600 tokens witnessing 255 of them (a one-byte token count at its top, over 255 token siblings)", async () => {
      // A pre-state of its own: x holds tokens 0..599, y holds token 599; tokens 0 and 1 are the
      // world Bridge's (their L2 addresses go into what x signs), the rest only registered on L2.
      const [x, y, sink] = ["x", "y", "sink"].map((n) => namedWallet(`split:tokens:${n}`));
      const l1 = [await world.token.getAddress(), await world.liar.getAddress()].map((a) => a.toLowerCase());
      const tokens = Array.from({ length: 600 }, (_, i) => l1[i] ?? "0x" + (0x1000 + i).toString(16).padStart(40, "0"));
      const account = (w: Wallet | undefined, nonce: bigint, balance: bigint, held: Array<[number, bigint]>) => ({ address: w ? w.address.toLowerCase() : ZERO_ADDRESS, nonce, balance, tokens: held });
      const state = L2State.restore(
        [account(undefined, 0n, 0n, []), account(x, 3n, 10n ** 20n, Array.from({ length: 600 }, (_, i) => [i, BigInt(i + 1)] as [number, bigint])), account(y, 0n, 1n, [[599, 5n]]), account(sink, 0n, 0n, [])],
        { accountCount: 4, tokens, queueIndex: 0n, withdrawalCount: 0n },
      );
      const on: On = { state, queueEntry: () => undefined };
      const position = { queueLimit: 0n, lastInBatch: false };
      const cp = state.checkpoint();
      let body: Buffer;
      try {
        const b = new BlockBuilder(state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 3, queueEntry: () => undefined });
        const sign = async (nonce: number, tx: Record<string, unknown>) =>
          parseRawTransaction(await x.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, gasLimit: 100_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx }), CHAIN_ID);
        b.addTransaction(await sign(3, transferTo(y.address, 5n)));
        b.addTransaction(await sign(4, tokenTransfer(world.l2Tokens[1], y.address, 2n)));
        body = b.seal(CASE_TIMESTAMP).body;
      } finally {
        state.rollback(cp);
      }
      for (const [what, b] of [
        ["honest", body],
        ["wrong root", Buffer.concat([Buffer.alloc(32, 0x77), body.subarray(32)])],
      ] as const) {
        const check = buildFraudWitness(state, b, { chainId: CHAIN_ID, queueEntry: () => undefined, position });
        expect(label(check.verdict)).to.equal(what === "honest" ? "honest" : "wrong-post-state");
        await judge(b, `${what}, the core witness`, position, on);
        const run = (lo: number, hi: number, step: number) => Array.from({ length: Math.floor((hi - lo) / step) + 1 }, (_, k) => lo + k * step);
        for (const [who, index, ids] of [
          ["x", 1, [1, ...run(2, 508, 2)]],
          ["x", 1, [0, 1, ...run(2, 504, 2), 599]],
          ["y", 2, [1, ...run(3, 505, 2), 598, 599]],
        ] as const) {
          const edited: Witness = { ...check.witness, accounts: check.witness.accounts.map((a) => (a.index === index ? tokensIn(state, a, ids) : a)) };
          const acct = edited.accounts.find((a) => a.index === index)!;
          expect(acct.tokenIds.length).to.equal(255);
          if (who === "x") expect(acct.tokenProof.length, "token siblings sent").to.be.above(255);
          const got = await sameOnWitness(b, edited, `${what}, ${who} witnessing 255 tokens`, position, on);
          expect(got, `${what}, ${who} witnessing 255 tokens`).to.deep.equal(expectedOf(check.verdict));
        }
      }
    });

    it("extra accounts witnessed up to index 2^24 − 1 (the created-slot fast path misses), and no account at all", async () => {
      const body = await creates(3);
      const wrong = Buffer.concat([Buffer.alloc(32, 0x55), body.subarray(32)]);
      const count = world.chain.state.accountCount;
      for (const b of [body, wrong]) {
        const w = witnessOf(b);
        const base = w.accounts.map((a) => a.index);
        const expected = expectedOf(buildFraudWitness(world.chain.state, b, { chainId: CHAIN_ID, queueEntry: world.chain.queueEntry, position: defaultPosition() }).verdict);
        for (const extra of [[2 ** 24 - 1], [count + 3], [count + 3, count + 4, 2 ** 24 - 1], [0, 1], [count - 1, count + 10]]) {
          const indices = [...new Set([...base, ...extra])].sort((x, y) => x - y);
          const got = await sameOnWitness(b, withAccounts(w, indices), `extra accounts ${extra.join(",")}`);
          expect(got).to.deep.equal(expected);
        }
        // Without the created slots, or without the sender: both verifiers refuse the witness alike.
        await sameOnWitness(b, withAccounts(w, base.filter((i) => i < count)), "no created slots");
        await sameOnWitness(b, withAccounts(w, base.filter((i) => i !== indexOf("alice"))), "no sender");
        await sameOnWitness(b, { ...w, accounts: [], accountProof: [], accountZeroFlags: "0x" }, "no account");
      }
    });

    it("queue witnesses from none to 255 entries, and queue limits at their ends", async () => {
      const chain = world.chain;
      const pending = BigInt(chain.queue.length) - world.consumedQueue;
      const ops: Op[] = [
        { kind: OpKind.QUEUE, credit: "new" },
        { kind: OpKind.QUEUE, credit: "existing", index: indexOf("alice") },
      ];
      const body = spell({ flags: flagsOf(Math.ceil(Math.log2(indexOf("alice") + 1)), 0), fees: [], ops });
      for (const queueLimit of [0n, world.consumedQueue, world.consumedQueue + 1n, BigInt(chain.queue.length), 2n ** 64n - 1n]) {
        for (const lastInBatch of [false, true]) {
          if (queueLimit <= BigInt(chain.queue.length)) await judge(body, `queue limit ${queueLimit}${lastInBatch ? ", last" : ""}`, { queueLimit, lastInBatch });
          const w = witnessOf(body, { queueLimit: queueLimit > BigInt(chain.queue.length) ? BigInt(chain.queue.length) : queueLimit, lastInBatch });
          await sameOnWitness(body, w, `queue limit ${queueLimit}, core witness`, { queueLimit, lastInBatch });
          const all = Array.from({ length: Number(pending) }, (_, k) => chain.queueEntry(world.consumedQueue + BigInt(k))!);
          await sameOnWitness(body, { ...w, queue: all.map((e) => ({ kind: e.kind, account: e.account, tokenId: e.tokenId, amount: e.amount })) }, `queue limit ${queueLimit}, every pending entry`, { queueLimit, lastInBatch });
          const filler = Array.from({ length: 255 }, (_, k) => all[k % all.length]);
          await sameOnWitness(body, { ...w, queue: filler.map((e) => ({ kind: e.kind, account: e.account, tokenId: e.tokenId, amount: e.amount })) }, `queue limit ${queueLimit}, 255 entries`, { queueLimit, lastInBatch });
          await sameOnWitness(body, { ...w, queue: [] }, `queue limit ${queueLimit}, no entry`, { queueLimit, lastInBatch });
        }
      }
    });

    it(`${MUTATED_WITNESSES} mutated witnesses (bytes flipped, cut, added; counts changed): both verifiers answer or revert alike`, async () => {
      const { users } = world;
      const bodies = [
        await creates(2),
        await honest(async (add) => {
          await add(users.alice, tokenTransfer(world.l2Tokens[0], users.bob.address, 5n));
          await add(users.hoarder, transferTo(users.alice.address, 1n));
        }),
        spell({ flags: flagsOf(Math.ceil(Math.log2(indexOf("alice") + 1)), 0), fees: [], ops: [{ kind: OpKind.QUEUE, credit: "new" }, { kind: OpKind.QUEUE, credit: "existing", index: indexOf("alice") }] }),
      ];
      const position = { queueLimit: BigInt(world.chain.queue.length), lastInBatch: false };
      const rng = new Rng("split-review:witness-mutations");
      const kinds: Record<string, number> = {};
      for (let i = 0; i < MUTATED_WITNESSES; i++) {
        const body = rng.pick(bodies);
        const packed = Buffer.from(buildFraudWitness(world.chain.state, body, { chainId: CHAIN_ID, queueEntry: world.chain.queueEntry, position }).packed.slice(2), "hex");
        let m: Buffer = Buffer.from(packed);
        const how = rng.pick(["flip", "flip", "byte", "cut", "add", "insert", "delete"] as const);
        const at = rng.int(m.length);
        if (how === "flip") m[at] ^= 1 << rng.int(8);
        else if (how === "byte") m[at] = rng.pick([0x00, 0x01, 0x7f, 0x80, 0xff]);
        else if (how === "cut") m = m.subarray(0, at);
        else if (how === "add") m = Buffer.concat([m, rng.bytes(rng.range(1, 64))]);
        else if (how === "insert") m = Buffer.concat([m.subarray(0, at), rng.bytes(rng.range(1, 4)), m.subarray(at)]);
        else m = Buffer.concat([m.subarray(0, at), m.subarray(Math.min(m.length, at + rng.range(1, 4)))]);
        const got = await sameOnWitness(body, hex(m), `mutation ${i} (${how} at ${at})`, position);
        const key = "revert" in got ? got.name : `verdict ${got.kind}`;
        kinds[key] = (kinds[key] ?? 0) + 1;
      }
      console.log(`      mutated witnesses: ${JSON.stringify(kinds)}`);
    });
  });

  describe("generated adversarial commitments", () => {
    it(`${GENERATED_CASES} cases of the fuzz generators, every commitment up to the first fraud, judged directly`, async () => {
      const chain = world.chain;
      const ctx: CaseContext = { world, state: chain.state, queueEntry: chain.queueEntry, queueLength: BigInt(chain.queue.length) };
      const verdicts: Record<string, number> = {};
      const generatorFailures: string[] = [];
      for (let i = 0; i < GENERATED_CASES; i++) {
        let c;
        try {
          c = await generateCase(ctx, Rng.forCase("split-review", i));
        } catch (e) {
          // Not the verifier's: the generators sign through src/core's intake, which since 341b073
          // refuses gas limits above 30,000,000 (the extreme family signs larger ones).
          generatorFailures.push(`case ${i}: ${(e as Error).message.slice(0, 80)}`);
          continue;
        }
        let bodies: Buffer[];
        try {
          bodies = splitBatch(c.data);
        } catch {
          // An envelope that does not split is refused at submission: no proof runs on it.
          continue;
        }
        const cp = chain.state.checkpoint();
        try {
          for (let k = 0; k < bodies.length; k++) {
            const position = { queueLimit: c.queueCount, lastInBatch: k === bodies.length - 1 };
            const v = await judge(bodies[k], `case ${i} (${c.family}: ${c.note}) commitment ${k}`, position);
            verdicts[label(v).replace(/@\d+$/, "")] = (verdicts[label(v).replace(/@\d+$/, "")] ?? 0) + 1;
            if (!v.ok) break;
            replayCommitment(chain.state, bodies[k], { chainId: CHAIN_ID, queueEntry: chain.queueEntry, position });
          }
        } finally {
          chain.state.rollback(cp);
        }
      }
      console.log(`      generated verdicts: ${JSON.stringify(verdicts)}; ${generatorFailures.length} cases the generators could not build${generatorFailures.length ? ` (first: ${generatorFailures[0]})` : ""}`);
    });
  });
});
