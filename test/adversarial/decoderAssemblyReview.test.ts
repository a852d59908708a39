import { expect } from "chai";
import { Wallet } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { CHAIN_ID } from "../helpers/fraudFixture";
import { L2State } from "../../src/core/state";
import { buildFraudWitness, onChainVerdict } from "../../src/core/fraudProof";
import { feeWidth } from "../../src/core/commitment";
import { writeFeeEntry } from "../../src/core/ops";
import { amountParts } from "../../src/core/amount";
import { BitWriter, ByteWriter, MAX_UINT256, bigintToBytes } from "../../src/core/bytes";
import { MAX_FEE_ENTRIES, OpKind, ZERO_ADDRESS } from "../../src/core/constants";
import { signingHash, type FeeEntry } from "../../src/core/txSigning";
import { readAmount } from "../../src/core/amount";
import { BlockBuilder, BlockFullError } from "../../src/core/blockBuilder";
import { parseRawTransaction } from "../../src/core/intake";
import { ByteReader } from "../../src/core/bytes";
import { SigningKey } from "ethers";

/**
 * Review of a33f9af (ByteReader.uintN / amountRest in assembly, fee tuples compared by hash,
 * MAX_FEE_ENTRIES 16): FraudVerifier against src/core on hand-spelled amounts in every amount
 * position and on fee lists with duplicates and 15/16/17 entries. Same verdict (kind, reason)
 * on every input, and the verifier never reverts on body bytes.
 */

const alice = Wallet.createRandom();
const E18 = 10n ** 18n;
const BASE_FEE = 10_000_000n;
const SIG = Buffer.concat([Buffer.alloc(32, 0x11), Buffer.alloc(32, 0x22)]);
const spelled = (v: bigint) => {
  const p = amountParts(v);
  return Buffer.concat([Buffer.of(p.head), p.rest]);
};
const fee2 = (gasLimit: bigint, maxFeePerGas = 2n * BASE_FEE, maxPriorityFeePerGas = 0n): FeeEntry => ({ type: 2, maxPriorityFeePerGas, maxFeePerGas, gasLimit });

async function fixture() {
  const f = await l1Fixture();
  return { verifier: f.verifier, bridge: await f.bridge.getAddress() };
}

function preState(): L2State {
  const accounts = [
    { address: ZERO_ADDRESS, nonce: 0n, balance: 0n, tokens: [], allowances: [] },
    { address: alice.address.toLowerCase(), nonce: 0n, balance: 10n * E18, tokens: [], allowances: [] },
  ];
  return L2State.restore(accounts as never, { accountCount: 2, tokens: [], queueIndex: 0n, withdrawalCount: 0n });
}

/** A raw amount (head byte then rest). */
type Raw = Buffer;

interface Shape {
  baseFee?: Raw;
  feeBytes?: Buffer; // the fee entries, raw
  feeCount?: number;
  opAmount?: Raw; // ETH transfer 1 → 1 amount, head in the op's bit head
  ops?: number[]; // fee index of each ETH transfer (default [0])
  truncateAt?: number; // cut the body to this length
  sig?: Buffer; // the operations' compact signature (r, yParity·2^255 | s)
}

function body(s: Shape): Buffer {
  const w = new ByteWriter();
  w.bytes(Buffer.alloc(32, 0xab)).u8(1 << 1); // index width 1, class 0, no withdrawals
  w.uint(1_700_000_100, 5);
  w.bytes(s.baseFee ?? spelled(BASE_FEE));
  w.varint(0);
  const feeBytes = s.feeBytes ?? (() => {
    const fw = new ByteWriter();
    writeFeeEntry(fw, fee2(100_000n));
    return fw.toBuffer();
  })();
  const feeCount = s.feeCount ?? 1;
  w.u8(feeCount).bytes(feeBytes);
  const ops = s.ops ?? [0];
  w.u8(ops.length);
  const amount = s.opAmount ?? spelled(1n);
  for (const x of ops) {
    const head = new BitWriter().bits(OpKind.ETH_TRANSFER, 3).bits(x, feeWidth(feeCount)).bits(1, 1).bits(1, 1).bits(amount[0], 8);
    w.bytes(head.toBuffer()).bytes(amount.subarray(1)).bytes(s.sig ?? SIG);
  }
  const out = w.toBuffer();
  return s.truncateAt === undefined ? out : out.subarray(0, s.truncateAt);
}

const bn = (v: bigint, len: number) => (len === 0 ? Buffer.alloc(0) : Buffer.from(v.toString(16).padStart(2 * len, "0"), "hex"));

/** Mantissa byte strings of `len` bytes: boundary patterns. */
function mantissas(len: number): Buffer[] {
  if (len === 0) return [Buffer.alloc(0)];
  const out = [
    bn(1n << BigInt(8 * (len - 1)), len), // 0x01 00..: no trailing decimal zero
    Buffer.alloc(len, 0xff), // the largest of its length
    bn(10n << BigInt(8 * (len - 1)), len), // 0x0a 00..: a trailing decimal zero
    Buffer.concat([Buffer.of(0), Buffer.alloc(len - 1, 0x07)]), // a leading zero byte
    Buffer.alloc(len), // zero spelled with bytes
  ];
  return out;
}

/** Hand-spelled amounts: every head with boundary mantissas, escapes, overflow edges. */
function rawAmounts(heads: number[], escapeLengths: number[]): Raw[] {
  const out: Raw[] = [];
  for (const h of heads) {
    const len = h >> 5;
    if (len < 7) for (const m of mantissas(len)) out.push(Buffer.concat([Buffer.of(h), m]));
    else for (const L of escapeLengths) for (const m of mantissas(L)) out.push(Buffer.concat([Buffer.of(h, L), m]));
  }
  // Around uint256's top at every exponent: floor(MAX / 10^e) and one more (±1).
  for (let e = 0; e <= 31; e++) {
    const top = MAX_UINT256 / 10n ** BigInt(e);
    for (const m of [top - 1n, top, top + 1n]) {
      const bytes = bigintToBytes(m);
      const head = bytes.length < 7 ? (bytes.length << 5) | e : (7 << 5) | e;
      out.push(Buffer.concat([Buffer.of(head), bytes.length < 7 ? Buffer.alloc(0) : Buffer.of(bytes.length), bytes]));
    }
  }
  // 2^256 − 1 exactly (32 bytes, exponent 0), and 2^256 in 33 bytes.
  out.push(Buffer.concat([Buffer.of(0xe0, 32), Buffer.alloc(32, 0xff)]));
  out.push(Buffer.concat([Buffer.of(0xe0, 33, 1), Buffer.alloc(32, 0)]));
  // Trailing zeros at exponents 30 and 31 with and without escape; the canonical 10^k·10^31.
  for (const e of [29, 30, 31]) for (const m of [10n, 100n, 7n, 10n ** 20n, 10n ** 40n]) {
    const bytes = bigintToBytes(m);
    const head = bytes.length < 7 ? (bytes.length << 5) | e : (7 << 5) | e;
    out.push(Buffer.concat([Buffer.of(head), bytes.length < 7 ? Buffer.alloc(0) : Buffer.of(bytes.length), bytes]));
  }
  return out;
}

const ALL_HEADS = Array.from({ length: 256 }, (_, i) => i);
const SOME_HEADS = ALL_HEADS.filter((h) => [0, 1, 2, 30, 31].includes(h & 31));
/**
 * The base-fee sweep's head bytes: in `npm test` every length class (the top three bits) with the
 * exponents at its edges and a few between; all 256 under `npm run fuzz:decoder` (~7,000 bodies).
 */
const SWEPT_HEADS = process.env.DECODER_ALL_HEADS === "1" ? ALL_HEADS : ALL_HEADS.filter((h) => [0, 1, 2, 15, 16, 29, 30, 31].includes(h & 31));

describe("decoder in assembly (a33f9af): FraudVerifier against src/core", function () {
  this.timeout(600_000);
  const state = preState();
  const tally = { calls: 0, malformed: 0, other: new Map<string, number>() };

  after(() => console.log(`      ${tally.calls} bodies, ${tally.malformed} MALFORMED, others ${JSON.stringify([...tally.other])}`));

  async function agree(f: Awaited<ReturnType<typeof fixture>>, b: Buffer, what: string) {
    const check = buildFraudWitness(state, b, { chainId: CHAIN_ID, queueEntry: () => undefined, position: { queueLimit: 0n, lastInBatch: false } });
    const core = onChainVerdict(check.verdict);
    const ctx = { preStateRoot: "0x" + state.root().toString("hex"), chainId: CHAIN_ID, bridge: f.bridge, queueLimit: 0n, lastInBatch: false };
    let chain: { kind: number; reason: number };
    try {
      const [kind, reason] = await f.verifier.verify(b, check.packed, ctx);
      chain = { kind: Number(kind), reason: Number(reason) };
    } catch (e) {
      throw new Error(`${what}: verifier reverted on 0x${b.toString("hex")} (core ${JSON.stringify(core)}): ${(e as Error).message.slice(0, 200)}`);
    }
    expect(chain, `${what}: 0x${b.toString("hex")}`).to.deep.equal(core);
    tally.calls++;
    if (core.kind === 1) tally.malformed++;
    else tally.other.set(`${core.kind}/${core.reason}`, (tally.other.get(`${core.kind}/${core.reason}`) ?? 0) + 1);
    return core;
  }

  /**
   * `agree` on every body, two at a time, verdicts in order: each builds its witness before its
   * call, so the next body's witness is built while Hardhat runs the call before it.
   */
  async function agreeAll(f: Awaited<ReturnType<typeof fixture>>, bodies: Array<[Buffer, string]>) {
    const verdicts: Array<{ kind: number; reason: number }> = [];
    for (let i = 0; i < bodies.length; i += 2) verdicts.push(...(await Promise.all(bodies.slice(i, i + 2).map(([b, what]) => agree(f, b, what)))));
    return verdicts;
  }

  it(`the base fee: ${SWEPT_HEADS.length} head bytes of 0..255 (every length class, its edge exponents) with boundary mantissas, and each spelling cut at every byte (the body ends inside or exactly at it)`, async () => {
    const f = await loadFixture(fixture);
    const prefix = 32 + 1 + 5;
    const bodies: Array<[Buffer, string]> = [];
    for (const raw of rawAmounts(SWEPT_HEADS, [0, 6, 7, 32, 33])) {
      bodies.push([body({ baseFee: raw }), `base fee ${raw.toString("hex")}`]);
      const cuts = raw.length <= 2 ? [raw.length - 1] : [1, raw.length - 1];
      for (const cut of cuts) bodies.push([body({ baseFee: raw, truncateAt: prefix + cut }), `base fee ${raw.toString("hex")} cut at ${cut}`]);
    }
    await agreeAll(f, bodies);
  });

  it("the escape's length byte 0..255 (exponents 0 and 31), with that many mantissa bytes, and too few", async () => {
    const f = await loadFixture(fixture);
    const bodies: Array<[Buffer, string]> = [];
    for (const h of [0xe0, 0xff]) for (let L = 0; L < 256; L += L < 40 ? 1 : 17) {
      const m = L === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.of(0x01), Buffer.alloc(L - 1, 0x03)]);
      bodies.push([body({ baseFee: Buffer.concat([Buffer.of(h, L), m]) }), `escape ${h} length ${L}`]);
      bodies.push([body({ baseFee: Buffer.concat([Buffer.of(h, L), m.subarray(0, Math.max(0, L - 1))]), truncateAt: 38 + 2 + Math.max(0, L - 1) }), `escape ${h} length ${L}, one byte short`]);
    }
    await agreeAll(f, bodies);
  });

  it("every fee field (type 2 and legacy) and the operation amount, with boundary amounts", async () => {
    const f = await loadFixture(fixture);
    const raws = rawAmounts(ALL_HEADS.filter((h) => [0, 30, 31].includes(h & 31)), [6, 7, 32, 33]);
    const amt = (v: bigint) => spelled(v);
    const bodies: Array<[Buffer, string]> = [];
    for (const raw of raws) {
      const t2 = (mp: Buffer, mf: Buffer, gl: Buffer) => Buffer.concat([Buffer.of(2), mp, mf, gl]);
      const t0 = (gp: Buffer, gl: Buffer) => Buffer.concat([Buffer.of(0), gp, gl]);
      bodies.push([body({ feeBytes: t2(raw, amt(2n * BASE_FEE), amt(100_000n)) }), `max priority ${raw.toString("hex")}`]);
      bodies.push([body({ feeBytes: t2(amt(0n), raw, amt(100_000n)) }), `max fee ${raw.toString("hex")}`]);
      bodies.push([body({ feeBytes: t2(amt(0n), amt(2n * BASE_FEE), raw) }), `gas limit ${raw.toString("hex")}`]);
      bodies.push([body({ feeBytes: t0(raw, amt(100_000n)) }), `gas price ${raw.toString("hex")}`]);
      bodies.push([body({ feeBytes: t0(amt(2n * BASE_FEE), raw) }), `legacy gas limit ${raw.toString("hex")}`]);
      bodies.push([body({ opAmount: raw }), `op amount ${raw.toString("hex")}`]);
    }
    await agreeAll(f, bodies);
    // Values: max fee at the base fee and one below it, gas limit at 21,000 and one below, base
    // fee spelled with every exponent (its value decides FEE_TOO_LOW).
    for (const v of [BASE_FEE - 1n, BASE_FEE, 21_000n - 1n, 21_000n, MAX_UINT256, MAX_UINT256 - 1n, 10n ** 76n, 10n ** 77n]) {
      await agree(f, body({ feeBytes: t2b(amt(0n), amt(v), amt(100_000n)) }), `max fee ${v}`);
      await agree(f, body({ feeBytes: t2b(amt(0n), amt(2n * BASE_FEE), amt(v)) }), `gas limit ${v}`);
      await agree(f, body({ baseFee: amt(v), feeBytes: t2b(amt(0n), amt(v), amt(100_000n)) }), `base fee = max fee = ${v}`);
      if (v > 0n) await agree(f, body({ baseFee: amt(v), feeBytes: t2b(amt(0n), amt(v - 1n), amt(100_000n)) }), `max fee one below base fee ${v}`);
    }
  });

  it("values: every spelling src/core accepts, in every fee field and as the amount, signed by alice over the values src/core reads (a value read differently is a bad signature on one side only)", async () => {
    const f = await loadFixture(fixture);
    const decodes = (raw: Buffer): bigint | null => {
      try {
        const r = new ByteReader(raw);
        const v = readAmount(r, "x");
        return r.remaining === 0 ? v : null;
      } catch {
        return null;
      }
    };
    const valid = rawAmounts(SOME_HEADS, [7, 8, 31, 32])
      .map((raw) => ({ raw, v: decodes(raw) }))
      .filter((x): x is { raw: Buffer; v: bigint } => x.v !== null);
    expect(valid.length).to.be.greaterThan(40);
    const key = new SigningKey(alice.privateKey);
    const signed = (fe: FeeEntry, value: bigint) => {
      const sig = key.sign(signingHash({ fee: fe, chainId: CHAIN_ID, nonce: 0n, to: alice.address.toLowerCase(), value, data: Buffer.alloc(0) }));
      const s = BigInt(sig.s) | (BigInt(sig.yParity) << 255n);
      return Buffer.concat([Buffer.from(sig.r.slice(2), "hex"), Buffer.from(s.toString(16).padStart(64, "0"), "hex")]);
    };
    const amt = (v: bigint) => spelled(v);
    const seen = new Map<string, number>();
    const bodies: Array<[Buffer, string]> = [];
    const labels: Array<[string, bigint]> = [];
    for (const { raw, v } of valid) {
      const cases: Array<[string, FeeEntry, Buffer, bigint, Buffer | undefined]> = [
        ["max priority", fee2(100_000n, 2n * BASE_FEE, v), t2b(raw, amt(2n * BASE_FEE), amt(100_000n)), 1n, undefined],
        ["max fee", fee2(100_000n, v), t2b(amt(0n), raw, amt(100_000n)), 1n, undefined],
        ["gas limit", fee2(v), t2b(amt(0n), amt(2n * BASE_FEE), raw), 1n, undefined],
        ["gas price", { type: 0, gasPrice: v, gasLimit: 100_000n }, Buffer.concat([Buffer.of(0), raw, amt(100_000n)]), 1n, undefined],
        ["legacy gas limit", { type: 0, gasPrice: 2n * BASE_FEE, gasLimit: v }, Buffer.concat([Buffer.of(0), amt(2n * BASE_FEE), raw]), 1n, undefined],
        ["amount", fee2(100_000n), t2b(amt(0n), amt(2n * BASE_FEE), amt(100_000n)), v, raw],
      ];
      for (const [what, fe, feeBytes, value, opAmount] of cases) {
        bodies.push([body({ feeBytes, opAmount, sig: signed(fe, value) }), `${what} ${raw.toString("hex")} = ${v}`]);
        labels.push([what, v]);
      }
    }
    const verdicts = await agreeAll(f, bodies);
    verdicts.forEach((verdict, i) => {
      const [what, v] = labels[i];
      expect(`${verdict.kind}/${verdict.reason}`, `${what} ${v}: src/core must see alice's signature`).to.not.equal("2/1");
      seen.set(`${what} ${verdict.kind}/${verdict.reason}`, (seen.get(`${what} ${verdict.kind}/${verdict.reason}`) ?? 0) + 1);
    });
    console.log(`      ${valid.length} accepted spellings: ${JSON.stringify([...seen])}`);
  });

  it("the block builder: a 17th distinct fee tuple does not fit (BlockFullError), and its 16-tuple commitment is not MALFORMED on either side", async () => {
    const f = await loadFixture(fixture);
    const s = preState();
    const b = new BlockBuilder(s, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: () => undefined });
    let refused = -1;
    for (let i = 0; i < 17; i++) {
      const raw = await alice.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: i, to: alice.address, value: 1n, gasLimit: 100_000n + BigInt(i), maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n });
      try {
        b.addTransaction(parseRawTransaction(raw, CHAIN_ID));
      } catch (e) {
        expect(e).to.be.instanceOf(BlockFullError);
        refused = i;
        break;
      }
    }
    expect(refused).to.equal(16);
    const sealed = b.seal(1_700_000_100);
    expect(sealed.commitment.fees.length).to.equal(16);
    const v = await agree(f, sealed.body, "builder's 16 tuples");
    expect(v).to.deep.equal({ kind: 0, reason: 0 });
  });

  const distinct = (n: number) => Array.from({ length: n }, (_, i) => fee2(100_000n + BigInt(i)));
  const feeList = (fees: FeeEntry[]) => {
    const w = new ByteWriter();
    for (const fe of fees) writeFeeEntry(w, fe);
    return w.toBuffer();
  };

  it("fee lists: 15, 16 and 17 distinct entries, duplicates at (0,1), (0,15), (14,15), (7,8), legacy and type 2 with equal numbers", async () => {
    const f = await loadFixture(fixture);
    expect(MAX_FEE_ENTRIES).to.equal(16);
    const verdicts: Record<string, string> = {};
    const run = async (name: string, fees: FeeEntry[], ops = fees.map((_, i) => i)) => {
      const v = await agree(f, body({ feeBytes: feeList(fees), feeCount: fees.length, ops }), name);
      verdicts[name] = `${v.kind}/${v.reason}`;
    };
    for (const n of [1, 2, 15, 16, 17]) await run(`${n} distinct`, distinct(n));
    for (const [i, j, n] of [[0, 1, 16], [0, 15, 16], [14, 15, 16], [7, 8, 16], [0, 1, 2], [0, 14, 15], [13, 14, 15]]) {
      const fees = distinct(n);
      fees[j] = { ...fees[i] };
      await run(`${n} with ${i} = ${j}`, fees);
    }
    // Legacy vs type 2 with the same numbers: distinct tuples.
    const legacy: FeeEntry = { type: 0, gasPrice: 2n * BASE_FEE, gasLimit: 100_000n };
    await run("legacy then type 2 equal numbers", [legacy, fee2(100_000n, 2n * BASE_FEE, 0n)]);
    await run("type 2 then legacy equal numbers, at 0 and 15", [fee2(100_000n, 2n * BASE_FEE, 0n), ...distinct(16).slice(1, 15), legacy]);
    await run("two legacy equal", [legacy, { ...legacy }]);
    // 16 entries used out of order, and one unused.
    await run("16, first use out of order", distinct(16), [1, 0, ...Array.from({ length: 14 }, (_, i) => i + 2)]);
    await run("16, last unused", distinct(16), Array.from({ length: 15 }, (_, i) => i));
    // A fee count byte of 17 to 255 with no entries after it.
    for (const c of [17, 32, 33, 255]) await agree(f, body({ feeBytes: Buffer.alloc(0), feeCount: c, ops: [] }), `fee count ${c}, nothing after`);
    console.log(`      ${JSON.stringify(verdicts)}`);
    expect(verdicts["16 distinct"]).to.not.equal("1/0");
    expect(verdicts["17 distinct"]).to.equal("1/0");
    for (const k of ["16 with 0 = 1", "16 with 0 = 15", "16 with 14 = 15", "16 with 7 = 8", "2 with 0 = 1", "two legacy equal"]) expect(verdicts[k], k).to.equal("1/0");
    expect(verdicts["legacy then type 2 equal numbers"]).to.not.equal("1/0");
    expect(verdicts["type 2 then legacy equal numbers, at 0 and 15"]).to.not.equal("1/0");
  });
});

function t2b(mp: Buffer, mf: Buffer, gl: Buffer): Buffer {
  return Buffer.concat([Buffer.of(2), mp, mf, gl]);
}
