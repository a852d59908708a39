/**
 * Generators of what a malicious proposer posts, each case from its own seeded Rng:
 *
 * - random-body / random-envelope: random bytes as a commitment body, or as the whole batch;
 * - mutant: an honest commitment (validly signed transfers, token transfers, approvals,
 *   transferFroms, withdrawals and queue operations on the real pre-state) with bits flipped, bytes cut or added, operations
 *   swapped, dropped or repeated, a field replaced by an extreme value, or re-encoded in a
 *   non-canonical spelling;
 * - extreme: commitments built operation by operation with extreme values in every field —
 *   amounts, fee caps, priority fees, gas prices and limits, base fee, account, fee and token
 *   indices, counts, timestamps, fee recipient — where every signed operation is validly
 *   signed (ethers, by keys the suite holds, at the sender's nonce) so the replay gets past the
 *   signature to the fee, balance and overflow checks;
 * - multi: batches of several commitments of those kinds, each built on the state the previous
 *   one leaves;
 * - runs: empty runs (7-byte bodies, `[blocks u16][timestamp 5]`) alone, before, between and
 *   after such commitments — counts from 0 to 65,535, timestamps at, below and above their
 *   bounds, now and then 7 random bytes — with queue counts that the last body meets or not.
 *
 * Most generated commitments then claim the roots the replay computes ("fixed roots"), so the
 * only fraud left is in the operations, the encoding or the queue count: a commitment whose
 * operations are all valid is honest, and the verifier must agree.
 */
import { concat, encodeRlp, keccak256, toBeArray, type HDNodeWallet, type TransactionRequest, type Wallet } from "ethers";
import { MAX_UINT256, Rng } from "./rng";
import { NON_CANONICAL_AMOUNT_FORMS, neededIndexBits, packCommitment, paddedVarint, type PackKnobs } from "./packer";
import { CASE_TIMESTAMP, GENESIS_TIMESTAMP, type World } from "./world";
import { BASE_FEE, CHAIN_ID, erc20, predeploy } from "../helpers/fraudFixture";
import { ACCOUNT_TREE_DEPTH, MAX_FEE_ENTRIES, MAX_OPS_PER_COMMITMENT, OpKind, QueueKind, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { decodeCommitment, encodeBatch, encodeEmptyRun, feeWidth, type Commitment } from "../../src/core/commitment";
import { applyOp, type BlockEnv } from "../../src/core/execute";
import { isForcedWithdrawal, type QueueEntry } from "../../src/core/queueOps";
import { gasUsedOn, maxFeePerGas } from "../../src/core/gas";
import { InvalidOperationError } from "../../src/core/errors";
import { parseRawTransaction, toSignedOp } from "../../src/core/intake";
import { opSlots, sameFeeEntry, type Op, type QueueOp, type SignedOp } from "../../src/core/ops";
import { replayCommitment } from "../../src/core/replay";
import type { FeeEntry } from "../../src/core/txSigning";
import type { L2State } from "../../src/core/state";
import { allowanceKeyParts } from "../../src/core/allowanceTree";
import { OutOfRangeError } from "../../src/core/errors";

export const FAMILIES = ["random-body", "random-envelope", "mutant", "extreme", "multi", "runs"] as const;
export type Family = (typeof FAMILIES)[number];

/** One thing to post: the `commitments` argument verbatim and the queue count claimed. */
export interface AdversarialCase {
  family: Family;
  data: Buffer;
  queueCount: bigint;
  /** What the generator did, for the report. */
  note: string;
}

/** What the generators read: the pre-state (left as it was) and the L1 queue. */
export interface CaseContext {
  world: World;
  state: L2State;
  queueEntry(index: bigint): QueueEntry | undefined;
  queueLength: bigint;
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
type Mode = "sane" | "extreme";

/** The family weights of a run: the structured families cost signatures and replays, and find the most. */
const FAMILY_WEIGHTS: ReadonlyArray<readonly [number, Family]> = [
  [2, "random-body"],
  [1, "random-envelope"],
  [4, "mutant"],
  [6, "extreme"],
  [2, "multi"],
  [2, "runs"],
];

/** Case `rng` of a run; `family` forces one family (the others' draws are not taken then). */
export async function generateCase(ctx: CaseContext, rng: Rng, only?: Family): Promise<AdversarialCase> {
  const family = only ?? rng.weighted(FAMILY_WEIGHTS);
  const cp = ctx.state.checkpoint();
  try {
    switch (family) {
      case "random-body":
        return randomBody(ctx, rng);
      case "random-envelope":
        return await randomEnvelope(ctx, rng);
      case "runs":
        return await runsBatch(ctx, rng);
      default:
        return await structuredBatch(ctx, rng, family);
    }
  } finally {
    ctx.state.rollback(cp);
  }
}

// ---------------------------------------------------------------------------------------------
// Random bytes
// ---------------------------------------------------------------------------------------------

/** A header the Rollup's envelope check lets through (root, flags, timestamp), then `tail`. */
function plausibleHeader(rng: Rng, tail: Buffer): Buffer {
  const withdrawals = rng.chance(0.1);
  const flags = (rng.range(0, ACCOUNT_TREE_DEPTH) << 1) | (withdrawals ? 1 : 0);
  const ts = Buffer.alloc(5);
  ts.writeUIntBE(CASE_TIMESTAMP, 0, 5);
  return Buffer.concat([rng.bytes(32), Buffer.of(flags), withdrawals ? Buffer.concat([Buffer.of(1), rng.bytes(31)]) : Buffer.alloc(0), ts, tail]);
}

function randomBody(ctx: CaseContext, rng: Rng): AdversarialCase {
  const shape = rng.weighted<string>([
    [1, "short"],
    [2, "random"],
    [5, "header+random"],
    [3, "header+fees+random"],
  ]);
  let body: Buffer;
  if (shape === "short") body = rng.bytes(rng.range(0, 40));
  else if (shape === "random") body = rng.bytes(rng.range(38, 400));
  else if (shape === "header+random") body = plausibleHeader(rng, rng.bytes(rng.range(0, 200)));
  else {
    // Fields that decode — base fee 10, fee recipient 0, one EIP-1559 entry (priority 0, max
    // fee 20, gas limit 10^5), an operation count — then random operations.
    const fees = Buffer.of(0x21, 1, 0x00, 1, 2, 0x00, 0x21, 2, 0x25, 1, rng.range(0, 4));
    body = plausibleHeader(rng, Buffer.concat([fees, rng.bytes(rng.range(0, 250))]));
  }
  // The envelope by hand: 7 random bytes read as an empty run of up to 65,535 blocks, which
  // encodeBatch refuses and the Rollup must refuse too.
  const data = Buffer.concat([Buffer.of(body.length >> 8, body.length & 0xff), body]);
  return { family: "random-body", data, queueCount: pickQueueCount(ctx, rng, ctx.state.queueIndex), note: `${shape}, ${body.length} bytes` };
}

async function randomEnvelope(ctx: CaseContext, rng: Rng): Promise<AdversarialCase> {
  const shape = rng.weighted<string>([
    [3, "random"],
    [1, "empty"],
    [2, "lengths-off"],
    [2, "trailing"],
    [1, "many-small"],
  ]);
  let data: Buffer;
  if (shape === "random") data = rng.bytes(rng.range(1, 300));
  else if (shape === "empty") data = Buffer.alloc(0);
  else if (shape === "many-small") data = encodeBatch(Array.from({ length: rng.range(2, 40) }, () => plausibleHeader(rng, Buffer.of(0x00, 0x00, 0x00, 0x00))));
  else {
    const honest = encodeBatch([(await commitment(ctx, rng, "sane")).body]);
    if (shape === "trailing") data = Buffer.concat([honest, rng.bytes(rng.range(1, 3))]);
    else {
      data = Buffer.from(honest);
      data.writeUInt16BE(Math.max(0, Math.min(0xffff, data.readUInt16BE(0) + rng.pick([-2, -1, 1, 2, 1000]))), 0);
    }
  }
  return { family: "random-envelope", data, queueCount: pickQueueCount(ctx, rng, ctx.state.queueIndex), note: `${shape}, ${data.length} bytes` };
}

// ---------------------------------------------------------------------------------------------
// Structured batches
// ---------------------------------------------------------------------------------------------

async function structuredBatch(ctx: CaseContext, rng: Rng, family: Family): Promise<AdversarialCase> {
  const s = ctx.state;
  const count = family === "multi" ? rng.range(2, 3) : 1;
  const bodies: Buffer[] = [];
  const notes: string[] = [];
  const queueAtStart = s.queueIndex;
  for (let i = 0; i < count; i++) {
    // In a multi batch the fraud, if any, often comes after honest commitments.
    const kind = family === "multi" ? rng.pick(["sane", "mutant", "extreme"] as const) : family;
    const fix = kind === "sane" || rng.chance(kind === "mutant" ? 0.5 : 0.75);
    const mode: Mode = kind === "sane" || rng.chance(0.15) ? "sane" : "extreme";
    const built = kind === "mutant" ? await mutant(ctx, rng) : await commitment(ctx, rng, mode);
    const body = fix ? fixRoots(ctx, built.body) : built.body;
    bodies.push(body);
    notes.push(`${built.note}${fix ? " (roots fixed)" : ""}`);
    // The next commitment starts where this one leaves the state (if it is valid at all).
    const r = replayCommitment(s, body, { chainId: CHAIN_ID, queueEntry: ctx.queueEntry });
    if (!r.verdict.ok) break;
  }
  return { family, data: encodeBatch(bodies), queueCount: pickQueueCount(ctx, rng, s.queueIndex, queueAtStart), note: notes.join(" | ") };
}

/**
 * Empty runs among 0–3 commitments (built as the multi family builds them): one leaf each, no
 * state change, so the verdicts that can differ are the last body's queue count and, for the
 * Rollup, the counts and timestamps it checks at submission.
 */
async function runsBatch(ctx: CaseContext, rng: Rng): Promise<AdversarialCase> {
  const s = ctx.state;
  const queueAtStart = s.queueIndex;
  const commitments = rng.weighted<number>([
    [2, 0],
    [3, 1],
    [2, 2],
    [1, 3],
  ]);
  const bodies: Buffer[] = [];
  const notes: string[] = [];
  for (let i = 0; i < commitments; i++) {
    const kind = rng.weighted<"sane" | "mutant" | "extreme">([
      [5, "sane"],
      [1, "mutant"],
      [1, "extreme"],
    ]);
    const built = kind === "mutant" ? await mutant(ctx, rng) : await commitment(ctx, rng, kind);
    const body = kind === "sane" || rng.chance(0.75) ? fixRoots(ctx, built.body) : built.body;
    bodies.push(body);
    notes.push(built.note);
    // The next commitment starts where this one leaves the state (if it is valid at all).
    if (!replayCommitment(s, body, { chainId: CHAIN_ID, queueEntry: ctx.queueEntry }).verdict.ok) break;
  }
  // Runs go anywhere: before, between and after the commitments, several in a row, or alone.
  const runs = rng.weighted<number>([
    [4, 1],
    [3, 2],
    [2, rng.range(3, 6)],
  ]);
  for (let r = 0; r < runs; r++) {
    const at = rng.weighted<number>([
      [2, bodies.length],
      [1, 0],
      [1, rng.range(0, bodies.length)],
    ]);
    // Mostly a timestamp the Rollup takes there — in [the bodies' before, the bodies' after],
    // from batch 0's floor (GENESIS_TIMESTAMP) — and now and then one at or past a bound.
    const lo = Math.max(GENESIS_TIMESTAMP, ...bodies.slice(0, at).map(bodyTimestamp));
    const hi = Math.min(2 ** 40 - 1, ...bodies.slice(at).map(bodyTimestamp));
    const timestamp = rng.weighted<number>([
      [10, lo <= CASE_TIMESTAMP && CASE_TIMESTAMP <= hi ? CASE_TIMESTAMP : lo],
      [3, lo],
      [1, lo - 1],
      [1, hi === 2 ** 40 - 1 ? hi : hi + 1],
      [1, rng.pick([0, 2 ** 40 - 1])],
    ]);
    const others = bodies.reduce((n, b) => n + (b.length === 7 ? b.readUInt16BE(0) : 1), 0);
    const blocks = rng.weighted<number>([
      [10, 1],
      [5, rng.range(2, 100)],
      [2, rng.range(100, 2000)],
      [1, Math.max(1, 4096 - others)],
      [1, rng.pick([4097, 0xffff, Math.max(1, Math.min(0xffff, 4097 - others))])],
      [1, 0],
    ]);
    let run: Buffer;
    if (rng.chance(0.05)) run = rng.bytes(7);
    else if (blocks === 0) run = Buffer.concat([Buffer.alloc(2), encodeEmptyRun({ blocks: 1, timestamp }).subarray(2)]);
    else run = encodeEmptyRun({ blocks, timestamp });
    bodies.splice(at, 0, run);
    notes.splice(at, 0, `run ${run.readUInt16BE(0)} @ ${run.readUIntBE(2, 5)}`);
  }
  // The envelope written by hand: encodeBatch refuses more than 4,096 blocks, which the Rollup must refuse too.
  const data = Buffer.concat(bodies.flatMap((b) => [Buffer.of(b.length >> 8, b.length & 0xff), b]));
  return { family: "runs", data, queueCount: pickQueueCount(ctx, rng, s.queueIndex, queueAtStart), note: notes.join(" | ") };
}

/** The L2 timestamp a body carries, as the Rollup reads it (a run's, or a commitment header's; 0 if too short to say). */
function bodyTimestamp(b: Buffer): number {
  if (b.length === 7) return b.readUIntBE(2, 5);
  const at = b.length > 32 && b[32] & 1 ? 65 : 33;
  return b.length >= at + 5 ? b.readUIntBE(at, 5) : 0;
}

/** Mostly the count the commitments consume (the honest claim); now and then another, or one the Rollup must refuse. */
function pickQueueCount(ctx: CaseContext, rng: Rng, consumed: bigint, atStart = ctx.state.queueIndex): bigint {
  return rng.weighted<bigint>([
    [16, consumed],
    [2, rng.bigintIn(atStart, ctx.queueLength)],
    [1, ctx.queueLength],
    [1, rng.pick([atStart - 1n, ctx.queueLength + 1n])],
  ]);
}

/**
 * Replays `body` on the state and, where its only fault is a claimed root, claims the right one:
 * the result is honest unless an operation, the encoding or the queue count is wrong.
 */
export function fixRoots(ctx: CaseContext, body: Buffer): Buffer {
  let out = body;
  for (let attempt = 0; attempt < 2; attempt++) {
    const cp = ctx.state.checkpoint();
    let verdict;
    try {
      verdict = replayCommitment(ctx.state, out, { chainId: CHAIN_ID, queueEntry: ctx.queueEntry }).verdict;
    } finally {
      ctx.state.rollback(cp);
    }
    if (verdict.ok) break;
    if (verdict.kind === "wrong-withdrawal-root") out = withWithdrawalRoot(out, verdict.expected);
    else if (verdict.kind === "wrong-post-state") out = Buffer.concat([verdict.expected, out.subarray(32)]);
    else break;
  }
  return out;
}

function withWithdrawalRoot(body: Buffer, root: Buffer | null): Buffer {
  const flags = body[32];
  const rest = body.subarray(flags & 1 ? 65 : 33);
  return Buffer.concat([body.subarray(0, 32), Buffer.of((flags & 0xfe) | (root ? 1 : 0)), root ?? Buffer.alloc(0), rest]);
}

// ---------------------------------------------------------------------------------------------
// One commitment, operation by operation
// ---------------------------------------------------------------------------------------------

interface Draft {
  baseFee: bigint;
  feeRecipient: number;
  fees: FeeEntry[];
  ops: Op[];
  env: BlockEnv;
}

/** A commitment on the current state: in "sane" mode every operation is valid; in "extreme" mode anything goes. */
async function commitment(ctx: CaseContext, rng: Rng, mode: Mode): Promise<{ body: Buffer; note: string }> {
  const draft = await draftCommitment(ctx, rng, mode);
  const c = asCommitment(ctx, rng, draft, mode);
  if (mode === "sane" || !rng.chance(0.12)) return { body: packOrCanonical(c, {}), note: mode };
  const spelling = nonCanonicalKnobs(rng, c);
  return { body: packOrCanonical(c, spelling.knobs), note: `${mode}, ${spelling.note}` };
}

async function draftCommitment(ctx: CaseContext, rng: Rng, mode: Mode): Promise<Draft> {
  const s = ctx.state;
  const fees: FeeEntry[] = [];
  const baseFee = mode === "sane" || rng.chance(0.5) ? BASE_FEE : pickBaseFee(rng);
  const feeRecipient = pickFeeRecipient(ctx, rng, mode);
  const env: BlockEnv = { chainId: CHAIN_ID, baseFee, feeRecipient, fees, queueEntry: ctx.queueEntry };
  const draft: Draft = { baseFee, feeRecipient, fees, ops: [], env };
  // Full commitments now and then: the heaviest proofs replay 32 operations.
  const opCount = mode === "sane" ? rng.weighted<number>([[20, rng.range(1, 4)], [1, MAX_OPS_PER_COMMITMENT]]) : rng.weighted<number>([[1, 0], [12, rng.range(1, 4)], [2, rng.range(5, 8)], [1, MAX_OPS_PER_COMMITMENT]]);
  const cp = s.checkpoint();
  try {
    // Now and then the pending queue first, honestly: it registers token 2 and funds it, for the operations after.
    if (rng.chance(0.15)) drainQueue(ctx, draft);
    for (let i = 0; i < opCount && draft.ops.length < MAX_OPS_PER_COMMITMENT; i++) {
      const op = await nextOp(ctx, rng, draft, mode);
      if (!op) continue;
      // A sane commitment fits its 32 slots (an approve or transferFrom takes two); an extreme one may not.
      if (mode === "sane" && draft.ops.reduce((n, o) => n + opSlots(o), 0) + opSlots(op) > MAX_OPS_PER_COMMITMENT) continue;
      try {
        applyOp(s, op, env);
      } catch (e) {
        if (!(e instanceof InvalidOperationError)) throw e;
        // Sane commitments hold valid operations only; an extreme one keeps its invalid one.
        if (mode === "sane") {
          dropUnusedFees(draft);
          continue;
        }
      }
      draft.ops.push(op);
    }
  } finally {
    s.rollback(cp);
  }
  if (mode === "extreme") extremeCounts(rng, draft);
  return draft;
}

function drainQueue(ctx: CaseContext, draft: Draft): void {
  while (ctx.queueEntry(ctx.state.queueIndex) && draft.ops.length < MAX_OPS_PER_COMMITMENT) {
    const op = honestQueueOp(ctx);
    applyOp(ctx.state, op, draft.env);
    draft.ops.push(op);
  }
}

/** Removes fee entries no operation uses (a sane draft's dropped operation may have added one). */
function dropUnusedFees(draft: Draft): void {
  while (draft.fees.length > 0 && !draft.ops.some((o) => o.kind !== OpKind.QUEUE && o.feeIndex === draft.fees.length - 1)) draft.fees.pop();
}

/** Fee tables and fee indices at their limits: unused entries up to 32, an index one past the table. */
function extremeCounts(rng: Rng, draft: Draft): void {
  if (rng.chance(0.05)) {
    while (draft.fees.length < MAX_FEE_ENTRIES) draft.fees.push({ type: 2, maxPriorityFeePerGas: rng.extreme(), maxFeePerGas: rng.extreme(), gasLimit: rng.extreme() });
  }
  const signed = draft.ops.filter((o): o is SignedOp => o.kind !== OpKind.QUEUE);
  if (signed.length > 0 && rng.chance(0.05)) {
    const op = rng.pick(signed);
    const past = draft.fees.length;
    if (past < 2 ** feeWidth(draft.fees.length)) op.feeIndex = past;
  }
}

function asCommitment(ctx: CaseContext, rng: Rng, draft: Draft, mode: Mode): Commitment {
  const timestamp = mode === "extreme" && rng.chance(0.03) ? rng.pick([0, GENESIS_TIMESTAMP - 1, GENESIS_TIMESTAMP, 2 ** 32, 2 ** 40 - 1]) : CASE_TIMESTAMP;
  const withdrawalRoot = rng.chance(0.1) ? Buffer.concat([Buffer.of(1), rng.bytes(31)]) : null;
  // Claimed roots are placeholders unless fixRoots sets them.
  const postStateRoot = rng.pick([() => ctx.state.root(), () => rng.bytes(32), () => Buffer.alloc(32)])();
  return { postStateRoot, withdrawalRoot, timestamp, baseFee: draft.baseFee, feeRecipient: draft.feeRecipient, fees: draft.fees, ops: draft.ops };
}

/** Packs `c` with `knobs`, or canonically when the knobs leave a field too narrow for its value (a width the value does not fit). */
function packOrCanonical(c: Commitment, knobs: PackKnobs): Buffer {
  try {
    return packCommitment(c, knobs);
  } catch (e) {
    if (!(e instanceof RangeError || e instanceof OutOfRangeError)) throw e;
    return packCommitment(c, {});
  }
}

/** One non-canonical spelling of the same values, and what it is. */
function nonCanonicalKnobs(rng: Rng, c: Commitment): { knobs: PackKnobs; note: string } {
  const which = rng.pick(["fee-recipient", "amount", "amount-everywhere", "index-width"] as const);
  if (which === "fee-recipient") {
    const extra = rng.range(1, 2);
    return { knobs: { feeRecipientBytes: paddedVarint(c.feeRecipient, extra) }, note: `fee recipient ${c.feeRecipient} as a varint with ${extra} redundant zero group(s)` };
  }
  if (which === "index-width") {
    const needed = neededIndexBits(c.ops);
    const indexBits = Math.min(30, needed + rng.range(1, 3));
    return { knobs: { indexBits }, note: `index width ${indexBits} bits where ${needed} hold every index` };
  }
  const form = rng.pick(NON_CANONICAL_AMOUNT_FORMS);
  if (which === "amount-everywhere") return { knobs: { amountForm: () => form }, note: `every amount ${form}` };
  const site = rng.pick(amountSites(c));
  return { knobs: { amountForm: (at) => (at === site ? form : "canonical") }, note: `amount ${site} ${form}` };
}

function amountSites(c: Commitment): string[] {
  const sites = ["base-fee"];
  c.fees.forEach((f, i) => {
    if (f.type === 2) sites.push(`fee${i}.priority`, `fee${i}.maxFee`);
    else sites.push(`fee${i}.gasPrice`);
    sites.push(`fee${i}.gasLimit`);
  });
  c.ops.forEach((op, i) => {
    if (op.kind !== OpKind.QUEUE) sites.push(`op${i}`);
  });
  return sites;
}

function pickBaseFee(rng: Rng): bigint {
  return rng.weighted<bigint>([
    [6, BASE_FEE],
    [6, rng.extreme()],
    [3, (1n << 255n) + rng.bits(255)],
    [2, 0n],
    [1, MAX_UINT256],
  ]);
}

function pickFeeRecipient(ctx: CaseContext, rng: Rng, mode: Mode): number {
  const s = ctx.state;
  const rich = s.indexOf(ctx.world.users.rich.address.toLowerCase()) ?? 0;
  if (mode === "sane") return rng.pick([0, rich, rng.int(s.accountCount)]);
  return rng.weighted<number>([
    [3, 0],
    [4, rich],
    [3, rng.int(s.accountCount)],
    [1, s.accountCount - 1],
    [2, s.accountCount],
    [2, Number(rng.extreme(28))],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

type AllowanceKind = "approve" | "approve-new" | "transfer-from" | "transfer-from-new";
type SignedKind = "eth" | "eth-new" | "token" | "token-new" | "withdraw-eth" | "withdraw-token" | AllowanceKind;
const isAllowanceKind = (k: SignedKind): k is AllowanceKind => k === "approve" || k === "approve-new" || k === "transfer-from" || k === "transfer-from-new";

async function nextOp(ctx: CaseContext, rng: Rng, draft: Draft, mode: Mode): Promise<Op | null> {
  const pending = ctx.queueEntry(ctx.state.queueIndex) !== undefined;
  const what = rng.weighted<SignedKind | "queue">([
    [pending ? 3 : mode === "extreme" ? 1 : 0, "queue"],
    [6, "eth"],
    [2, "eth-new"],
    [3, "token"],
    [1, "token-new"],
    [2, "withdraw-eth"],
    [1, "withdraw-token"],
    [2, "approve"],
    [1, "approve-new"],
    [3, "transfer-from"],
    [1, "transfer-from-new"],
  ]);
  if (what === "queue") return queueOp(ctx, rng, mode);
  const op = await signedOp(ctx, rng, draft, what, mode);
  if (op && mode === "extreme" && rng.chance(0.12)) return handMadeFault(ctx, rng, op);
  return op;
}

/** The queue operation the honest builder would write, or in extreme mode now and then another. */
function queueOp(ctx: CaseContext, rng: Rng, mode: Mode): QueueOp {
  const s = ctx.state;
  if (mode === "extreme" && rng.chance(0.3)) {
    return rng.pick<QueueOp>([
      { kind: OpKind.QUEUE, credit: "none" },
      { kind: OpKind.QUEUE, credit: "new" },
      { kind: OpKind.QUEUE, credit: "existing", index: rng.int(s.accountCount) },
      { kind: OpKind.QUEUE, credit: "existing", index: Math.min(2 ** ACCOUNT_TREE_DEPTH - 1, Number(rng.extreme(24))) },
    ]);
  }
  return honestQueueOp(ctx);
}

/** What BlockBuilder.addQueueEntry writes for the next entry. */
function honestQueueOp(ctx: CaseContext): QueueOp {
  const s = ctx.state;
  const entry = ctx.queueEntry(s.queueIndex);
  if (!entry || entry.kind === QueueKind.TOKEN_REGISTRATION) return { kind: OpKind.QUEUE, credit: "none" };
  const index = s.indexOf(entry.account.toLowerCase());
  if (index !== undefined) return { kind: OpKind.QUEUE, credit: "existing", index };
  return isForcedWithdrawal(entry.kind) ? { kind: OpKind.QUEUE, credit: "none" } : { kind: OpKind.QUEUE, credit: "new" };
}

/** A user whose key the suite holds, its account index and wallet. */
interface Sender {
  wallet: Wallet | HDNodeWallet;
  index: number;
}

function pickSender(ctx: CaseContext, rng: Rng, kind: SignedKind, mode: Mode): Sender {
  const u = ctx.world.users;
  const token = kind === "token" || kind === "token-new" || kind === "withdraw-token" || isAllowanceKind(kind);
  const pool = mode === "sane" ? (token ? [u.alice, u.bob, u.hoarder] : [u.alice, u.bob, u.whale, u.rich, u.hoarder]) : Object.values(u);
  const wallet = rng.pick(pool);
  return { wallet, index: ctx.state.indexOf(wallet.address.toLowerCase())! };
}

/** A token the sender holds (sane), or any known one (extreme). */
function pickToken(ctx: CaseContext, rng: Rng, sender: Sender, mode: Mode): number {
  const s = ctx.state;
  const held = s.tokens.filter((t) => s.tokenBalance(sender.index, t.id) > 0n).map((t) => t.id);
  if (mode === "sane" && held.length > 0) return rng.pick(held);
  return rng.int(Math.max(1, s.tokenCount));
}

/**
 * Which fields of an extreme operation take extreme values: one dimension at a time (the others
 * sane) gets past the checks before it, so every rule is reached; "all" is everything at once.
 */
type Focus = "fee" | "amount" | "recipient" | "nonce" | "overflow" | "all";

function pickFocus(rng: Rng): Focus {
  return rng.weighted<Focus>([
    [4, "fee"],
    [3, "amount"],
    [2, "recipient"],
    [1, "nonce"],
    [2, "overflow"],
    [2, "all"],
  ]);
}

async function signedOp(ctx: CaseContext, rng: Rng, draft: Draft, kind: SignedKind, mode: Mode): Promise<SignedOp | null> {
  const focus: Focus | null = mode === "extreme" ? pickFocus(rng) : null;
  if (isAllowanceKind(kind)) return allowanceOp(ctx, rng, draft, kind, focus);
  if (focus === "overflow") {
    const credit = overflowingCredit(ctx, rng);
    if (credit) return signAndPack(ctx, rng, draft, "token", credit.sender, credit.recipient, credit.tokenId, credit.amount, null);
  }
  const extreme = (f: Focus) => focus === f || focus === "all";
  const s = ctx.state;
  const sender = pickSender(ctx, rng, kind, extreme("all") ? "extreme" : "sane");
  const tokenId = kind === "token" || kind === "token-new" || kind === "withdraw-token" ? pickToken(ctx, rng, sender, extreme("all") ? "extreme" : "sane") : null;
  const recipient = pickRecipient(ctx, rng, kind, extreme("recipient") ? "extreme" : "sane", sender, tokenId);
  const held = tokenId === null ? s.account(sender.index).balance : s.tokenBalance(sender.index, tokenId);
  const amount = extreme("amount") ? rng.extreme() : saneAmount(rng, held, tokenId === null);
  const nonceShift = extreme("nonce") ? rng.pick([1n, -1n, 1000n, 0n]) : 0n;
  return signAndPack(ctx, rng, draft, kind, sender, recipient, tokenId, amount, { fee: extreme("fee"), amount: extreme("amount"), nonceShift, otherChain: extreme("nonce") && rng.chance(0.3) });
}

/**
 * An approve of a spender (an account or a new address), or a transferFrom by a spender the
 * suite holds the key of: in sane mode of an allowance the state holds, within it and within
 * the owner's balance; with extreme amounts at the edges of both (the infinite allowance too).
 */
async function allowanceOp(ctx: CaseContext, rng: Rng, draft: Draft, kind: AllowanceKind, focus: Focus | null): Promise<SignedOp | null> {
  const extreme = (f: Focus) => focus === f || focus === "all";
  const knobs = focus === null ? null : { fee: extreme("fee"), amount: false, nonceShift: extreme("nonce") ? rng.pick([1n, -1n, 0n]) : 0n, otherChain: extreme("nonce") && rng.chance(0.3) };
  const s = ctx.state;
  const clamp = (v: bigint) => (v > MAX_UINT256 ? MAX_UINT256 : v);
  if (kind === "approve" || kind === "approve-new") {
    const sender = pickSender(ctx, rng, kind, extreme("all") ? "extreme" : "sane");
    const tokenId = pickToken(ctx, rng, sender, extreme("all") ? "extreme" : "sane");
    const spender = pickRecipient(ctx, rng, kind === "approve" ? "token" : "token-new", extreme("recipient") ? "extreme" : "sane", sender, null);
    const prior = "index" in spender ? s.allowance(sender.index, tokenId, spender.index) : 0n;
    const amount = extreme("amount")
      ? rng.pick([0n, prior, prior + 1n, MAX_UINT256, MAX_UINT256 - 1n, rng.extreme()])
      : rng.weighted<bigint>([[4, rng.bigintIn(1n, 10n ** 18n)], [1, MAX_UINT256], [1, 0n], [1, prior]]);
    return signAndPack(ctx, rng, draft, kind, sender, spender, tokenId, clamp(amount), knobs);
  }
  const grants: Array<{ owner: number; tokenId: number; spender: Sender }> = [];
  for (const wallet of ctx.world.keys.values()) {
    const index = s.indexOf(wallet.address.toLowerCase());
    if (index === undefined) continue;
    for (let owner = 0; owner < s.accountCount; owner++) {
      for (const key of s.peek(owner)!.allowances.keys()) {
        const { tokenId, spender } = allowanceKeyParts(key);
        if (spender === index) grants.push({ owner, tokenId, spender: { wallet, index } });
      }
    }
  }
  const grant = grants.length > 0 && !extreme("all") ? rng.pick(grants) : null;
  const sender = grant?.spender ?? pickSender(ctx, rng, kind, "extreme");
  const owner = grant?.owner ?? rng.int(s.accountCount);
  const tokenId = grant?.tokenId ?? pickToken(ctx, rng, sender, "extreme");
  const recipient = pickRecipient(ctx, rng, kind === "transfer-from" ? "token" : "token-new", extreme("recipient") ? "extreme" : "sane", sender, tokenId);
  const held = s.tokenBalance(owner, tokenId);
  const allowance = s.allowance(owner, tokenId, sender.index);
  const amount = extreme("amount")
    ? rng.pick([allowance, allowance + 1n, held, held + 1n, 0n, MAX_UINT256, rng.extreme()])
    : saneAmount(rng, held < allowance ? held : allowance, false);
  return signAndPack(ctx, rng, draft, kind, sender, recipient, tokenId, clamp(amount), knobs, { index: owner, address: s.peek(owner)!.address });
}

/** A token credit that the recipient's balance cannot take (or exactly can): token balances near 2^256 come from the rogue token. */
function overflowingCredit(ctx: CaseContext, rng: Rng): { sender: Sender; recipient: Recipient; tokenId: number; amount: bigint } | null {
  const s = ctx.state;
  const senders = [...ctx.world.keys.values()].map((wallet) => ({ wallet, index: s.indexOf(wallet.address.toLowerCase())! }));
  const options: Array<{ sender: Sender; recipient: Recipient; tokenId: number; amount: bigint }> = [];
  for (const sender of senders) {
    for (const t of s.tokens) {
      const held = s.tokenBalance(sender.index, t.id);
      if (held === 0n) continue;
      for (let j = 0; j < s.accountCount; j++) {
        const room = MAX_UINT256 - s.tokenBalance(j, t.id);
        if (j === sender.index || room >= held) continue;
        options.push({ sender, recipient: { index: j, address: s.account(j).address }, tokenId: t.id, amount: rng.pick([room, room + 1n, held]) });
      }
    }
  }
  return options.length > 0 ? rng.pick(options) : null;
}

/**
 * Chooses the fee (extreme when `extreme.fee`), settles the amount (at the edges of the balance
 * when `extreme.amount`), signs at the sender's nonce (shifted for nonce faults) and converts the
 * transaction into its packed operation as the sequencer's intake would.
 */
async function signAndPack(
  ctx: CaseContext,
  rng: Rng,
  draft: Draft,
  kind: SignedKind,
  sender: Sender,
  recipient: Recipient,
  tokenId: number | null,
  provisional: bigint,
  extreme: { fee: boolean; amount: boolean; nonceShift: bigint; otherChain: boolean } | null,
  owner?: { index: number; address: string },
): Promise<SignedOp | null> {
  const s = ctx.state;
  const account = s.account(sender.index);
  const gasUsed = gasUsedOn(s, skeletonOp(kind, sender.index, recipient, provisional, tokenId ?? 0, owner?.index ?? 0));
  const fee = extreme?.fee ? pickFee(rng, draft, "extreme", gasUsed, account.balance) : feeCovering(rng, draft, gasUsed);
  const amount = extreme?.amount ? extremeAmount(rng, ctx, sender, tokenId, recipient, fee, provisional) : provisional;
  const nonce = account.nonce + (extreme?.nonceShift ?? 0n);
  const chainId = extreme?.otherChain ? 1n : CHAIN_ID;
  if (nonce < 0n) return null;
  const feeIndex = feeIndexOf(draft, fee);
  if (feeIndex === null) return null;
  const tx = txRequest(ctx, kind, recipient, tokenId, amount, owner?.address ?? ZERO_ADDRESS);
  const raw = await signTransaction(sender.wallet, { ...tx, ...feeFields(fee), chainId, nonce: Number(nonce) }, fee);
  const parsed = parseRawTransaction(raw, chainId);
  let op: SignedOp;
  try {
    op = toSignedOp(s, parsed, feeIndex, { checkNonce: false });
  } catch (e) {
    if (e instanceof InvalidOperationError) return null;
    throw e;
  }
  // A "new" recipient that already has an account: the signed transaction is the same, only the packing lies.
  if (kind === "eth-new" && op.kind === OpKind.ETH_TRANSFER) return { ...op, kind: OpKind.ETH_TRANSFER_NEW, to: s.account(op.to).address };
  if (kind === "token-new" && op.kind === OpKind.TOKEN_TRANSFER) return { ...op, kind: OpKind.TOKEN_TRANSFER_NEW, to: s.account(op.to).address };
  if (kind === "approve-new" && op.kind === OpKind.APPROVE) return { ...op, kind: OpKind.APPROVE_NEW, spender: s.account(op.spender).address };
  if (kind === "transfer-from-new" && op.kind === OpKind.TRANSFER_FROM) return { ...op, kind: OpKind.TRANSFER_FROM_NEW, to: s.account(op.to).address };
  return op;
}

/** A fee tuple that prices the commitment's base fee: the node's quotes, or (for an extreme base fee) exactly it. */
function feeCovering(rng: Rng, draft: Draft, gasUsed: bigint): FeeEntry {
  if (draft.baseFee <= BASE_FEE) return pickFee(rng, draft, "sane", gasUsed, 0n);
  const reuse = draft.fees.find((f) => maxFeePerGas(f) >= draft.baseFee && f.gasLimit >= gasUsed);
  return reuse ?? { type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: draft.baseFee, gasLimit: gasUsed };
}

function feeIndexOf(draft: Draft, fee: FeeEntry): number | null {
  const at = draft.fees.findIndex((f) => sameFeeEntry(f, fee));
  if (at >= 0) return at;
  if (draft.fees.length >= MAX_FEE_ENTRIES) return null;
  return draft.fees.push(fee) - 1;
}

/** Where the operation sends: an existing account's index, or an address. */
type Recipient = { index: number; address: string } | { address: string };

function pickRecipient(ctx: CaseContext, rng: Rng, kind: SignedKind, mode: Mode, sender: Sender, tokenId: number | null): Recipient {
  const s = ctx.state;
  if (kind === "withdraw-eth" || kind === "withdraw-token") {
    const address = mode === "extreme" ? rng.weighted<string>([[8, rng.address()], [1, ZERO_ADDRESS], [1, "0x" + "ff".repeat(20)]]) : rng.address();
    return { address };
  }
  if (kind === "eth-new" || kind === "token-new") {
    if (mode === "extreme" && rng.chance(0.25)) return { address: rng.pick([ZERO_ADDRESS, s.account(rng.int(s.accountCount)).address]) };
    return { address: rng.address() };
  }
  let index = rng.int(s.accountCount);
  // Sane token transfers avoid recipients whose balance a credit would overflow.
  if (mode === "sane" && tokenId !== null && s.tokenBalance(index, tokenId) > MAX_UINT256 / 2n) index = sender.index;
  if (mode === "extreme" && rng.chance(0.2)) index = sender.index;
  return { index, address: s.account(index).address };
}

function saneAmount(rng: Rng, held: bigint, isEth: boolean): bigint {
  const cap = isEth ? held / 4n : held;
  return rng.weighted<bigint>([
    [3, rng.bigintIn(0n, cap < 10n ** 15n ? cap : 10n ** 15n)],
    [1, cap],
    [1, rng.bigintIn(0n, cap)],
  ]);
}

/** Amounts at the edges of what the sender holds and what the recipient can take. */
function extremeAmount(rng: Rng, ctx: CaseContext, sender: Sender, tokenId: number | null, recipient: Recipient, fee: FeeEntry, provisional: bigint): bigint {
  const s = ctx.state;
  const balance = s.account(sender.index).balance;
  const upfront = fee.gasLimit * maxFeePerGas(fee);
  const held = tokenId === null ? (balance > upfront ? balance - upfront : 0n) : s.tokenBalance(sender.index, tokenId);
  const room = "index" in recipient ? MAX_UINT256 - (tokenId === null ? s.account(recipient.index).balance : s.tokenBalance(recipient.index, tokenId)) : MAX_UINT256;
  const v = rng.weighted<bigint>([
    [4, provisional],
    [3, held],
    [2, held + 1n],
    [1, held > 0n ? held - 1n : 0n],
    [2, room],
    [2, room + 1n],
    [1, 0n],
    [1, MAX_UINT256],
  ]);
  return v > MAX_UINT256 ? MAX_UINT256 : v;
}

function skeletonOp(kind: SignedKind, from: number, recipient: Recipient, amount: bigint, tokenId: number, owner: number): SignedOp {
  const sig = { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 as const };
  const to = "index" in recipient ? recipient.index : 0;
  const base = { feeIndex: 0, from, amount, sig };
  switch (kind) {
    case "eth":
      return { kind: OpKind.ETH_TRANSFER, to, ...base };
    case "eth-new":
      return { kind: OpKind.ETH_TRANSFER_NEW, to: recipient.address, ...base };
    case "token":
      return { kind: OpKind.TOKEN_TRANSFER, tokenId, to, ...base };
    case "token-new":
      return { kind: OpKind.TOKEN_TRANSFER_NEW, tokenId, to: recipient.address, ...base };
    case "withdraw-eth":
      return { kind: OpKind.WITHDRAW_ETH, l1Recipient: recipient.address, ...base };
    case "approve":
      return { kind: OpKind.APPROVE, tokenId, spender: to, ...base };
    case "approve-new":
      return { kind: OpKind.APPROVE_NEW, tokenId, spender: recipient.address, ...base };
    case "transfer-from":
      return { kind: OpKind.TRANSFER_FROM, tokenId, owner, to, ...base };
    case "transfer-from-new":
      return { kind: OpKind.TRANSFER_FROM_NEW, tokenId, owner, to: recipient.address, ...base };
    default:
      return { kind: OpKind.WITHDRAW_TOKEN, tokenId, l1Recipient: recipient.address, ...base };
  }
}

/** The transaction a wallet signs for the operation (Cairn's table in docs/architecture.md). */
function txRequest(ctx: CaseContext, kind: SignedKind, recipient: Recipient, tokenId: number | null, amount: bigint, owner: string): TransactionRequest {
  const l2Token = tokenId === null ? ZERO_ADDRESS : (ctx.state.token(tokenId)?.l2Address ?? ZERO_ADDRESS);
  switch (kind) {
    case "eth":
    case "eth-new":
      return { to: recipient.address, value: amount };
    case "token":
    case "token-new":
      return { to: l2Token, data: erc20.encodeFunctionData("transfer", [recipient.address, amount]) };
    case "withdraw-eth":
      return { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [recipient.address, ZERO_ADDRESS, amount]) };
    case "approve":
    case "approve-new":
      return { to: l2Token, data: erc20.encodeFunctionData("approve", [recipient.address, amount]) };
    case "transfer-from":
    case "transfer-from-new":
      return { to: l2Token, data: erc20.encodeFunctionData("transferFrom", [owner, recipient.address, amount]) };
    default:
      return { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [recipient.address, l2Token, amount]) };
  }
}

/**
 * Signs as a wallet does (Wallet.signTransaction). Ethers refuses to sign a priority fee above
 * the max fee, which a proposer may still post (fee-too-low): that one is RLP-encoded and signed
 * here with ethers' primitives, the same bytes a laxer wallet would produce.
 */
async function signTransaction(wallet: Wallet | HDNodeWallet, tx: TransactionRequest, fee: FeeEntry): Promise<string> {
  if (fee.type === 0 || fee.maxPriorityFeePerGas <= fee.maxFeePerGas) return wallet.signTransaction(tx);
  const int = (v: bigint | number | undefined) => toBeArray(BigInt(v ?? 0));
  const fields = [int(tx.chainId as bigint), int(tx.nonce ?? 0), int(fee.maxPriorityFeePerGas), int(fee.maxFeePerGas), int(fee.gasLimit), tx.to as string, int(tx.value as bigint | undefined), (tx.data as string | undefined) ?? "0x", []];
  const payload = concat(["0x02", encodeRlp(fields)]);
  const sig = wallet.signingKey.sign(keccak256(payload));
  return concat(["0x02", encodeRlp([...fields, int(sig.yParity), toBeArray(sig.r), toBeArray(sig.s)])]);
}

function feeFields(f: FeeEntry): TransactionRequest {
  return f.type === 2
    ? { type: 2, maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas, gasLimit: f.gasLimit }
    : { type: 0, gasPrice: f.gasPrice, gasLimit: f.gasLimit };
}

const SANE_FEES: readonly FeeEntry[] = [
  { type: 2, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, gasLimit: 100_000n },
  { type: 2, maxFeePerGas: 3n * BASE_FEE, maxPriorityFeePerGas: 1_000n, gasLimit: 200_000n },
  { type: 0, gasPrice: 2n * BASE_FEE, gasLimit: 100_000n },
];

/** A fee tuple: the node's quotes (sane), or values at the edges of every check (extreme). */
function pickFee(rng: Rng, draft: Draft, mode: Mode, gasUsed: bigint, balance: bigint): FeeEntry {
  if (draft.fees.length > 0 && rng.chance(mode === "sane" ? 0.6 : 0.3)) return draft.fees[rng.int(draft.fees.length)];
  if (mode === "sane") return rng.pick(SANE_FEES);
  const strategy = rng.weighted<string>([
    [4, "independent"],
    [5, "tight"],
    [1, "quoted"],
  ]);
  if (strategy === "quoted") return rng.pick(SANE_FEES);
  const clamp = (v: bigint) => (v < 0n ? 0n : v > MAX_UINT256 ? MAX_UINT256 : v);
  const base = draft.baseFee;
  let gasLimit: bigint;
  let maxFee: bigint;
  let priority: bigint;
  if (strategy === "independent") {
    gasLimit = rng.extreme();
    maxFee = rng.extreme();
    priority = rng.extreme();
  } else {
    gasLimit = clamp(rng.pick([gasUsed - 1n, gasUsed, gasUsed + 1n, gasUsed + rng.extreme(64), MAX_UINT256]));
    const affordable = gasLimit === 0n ? MAX_UINT256 : balance / gasLimit;
    maxFee = clamp(rng.pick([base - 1n, base, base + 1n, affordable, affordable + 1n, MAX_UINT256, rng.extreme()]));
    priority = clamp(rng.pick([0n, maxFee, maxFee + 1n, maxFee - base, maxFee - base + 1n, MAX_UINT256 - base + 1n, rng.extreme()]));
  }
  return rng.chance(0.25) ? { type: 0, gasPrice: maxFee, gasLimit } : { type: 2, maxPriorityFeePerGas: priority, maxFeePerGas: maxFee, gasLimit };
}

/** A validly signed operation turned invalid by hand: what no wallet signs but a proposer can post. */
function handMadeFault(ctx: CaseContext, rng: Rng, op: SignedOp): SignedOp {
  const s = ctx.state;
  const outOfRange = () => rng.pick([s.accountCount, s.accountCount + 1, 2 ** ACCOUNT_TREE_DEPTH - 1, Math.min(2 ** ACCOUNT_TREE_DEPTH - 1, Number(rng.extreme(24)))]);
  const fault = rng.pick(["unknown-sender", "unheld-sender", "unknown-recipient", "unknown-owner", "unknown-token", "high-s", "zero-r", "flipped-sig"] as const);
  switch (fault) {
    case "unknown-sender":
      return { ...op, from: outOfRange() };
    case "unheld-sender": {
      // Accounts whose keys nobody here holds: the zero address, the deposit-only newbie and forcer.
      const unheld = [0, ...[...Array(s.accountCount).keys()].filter((i) => !ctx.world.keys.has(s.account(i).address))];
      return { ...op, from: rng.pick(unheld) };
    }
    case "unknown-recipient":
      if (op.kind === OpKind.APPROVE) return { ...op, spender: outOfRange() };
      return op.kind === OpKind.ETH_TRANSFER || op.kind === OpKind.TOKEN_TRANSFER || op.kind === OpKind.TRANSFER_FROM ? { ...op, to: outOfRange() } : op;
    case "unknown-owner":
      // An owner out of range, or one that gave the signer nothing (account 0 included).
      return op.kind === OpKind.TRANSFER_FROM || op.kind === OpKind.TRANSFER_FROM_NEW ? { ...op, owner: rng.pick([outOfRange(), 0, rng.int(s.accountCount)]) } : op;
    case "unknown-token":
      return "tokenId" in op ? { ...op, tokenId: rng.pick([s.tokenCount, 255]) } : op;
    case "high-s": {
      // The same signer with s in the upper half: valid ECDSA, refused by Ethereum (EIP-2).
      const high = SECP256K1_N - BigInt("0x" + op.sig.s.toString("hex"));
      return { ...op, sig: { r: op.sig.r, s: Buffer.from(high.toString(16).padStart(64, "0"), "hex"), yParity: op.sig.yParity === 0 ? 1 : 0 } };
    }
    case "zero-r":
      return { ...op, sig: { ...op.sig, r: Buffer.alloc(32) } };
    default: {
      const r = Buffer.from(op.sig.r);
      r[rng.int(32)] ^= 1 << rng.int(8);
      return { ...op, sig: { ...op.sig, r } };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations of honest commitments
// ---------------------------------------------------------------------------------------------

const MUTATIONS = ["flip-bits", "truncate", "extend", "splice", "swap-ops", "drop-op", "repeat-op", "field", "field", "field", "re-encode", "re-encode", "count"] as const;

async function mutant(ctx: CaseContext, rng: Rng): Promise<{ body: Buffer; note: string }> {
  const honest = fixRoots(ctx, (await commitment(ctx, rng, "sane")).body);
  const how = rng.pick(MUTATIONS);
  if (how === "re-encode") {
    const c = decodeCommitment(honest);
    const spelling = nonCanonicalKnobs(rng, c);
    return { body: packOrCanonical(c, spelling.knobs), note: `mutant re-encode: ${spelling.note}` };
  }
  return { body: mutate(ctx, rng, honest, how), note: `mutant ${how}` };
}

function mutate(ctx: CaseContext, rng: Rng, body: Buffer, how: Exclude<(typeof MUTATIONS)[number], "re-encode">): Buffer {
  const out = Buffer.from(body);
  switch (how) {
    case "flip-bits":
      for (let i = rng.range(1, 4); i > 0; i--) {
        const at = rng.int(out.length);
        out[at] ^= 1 << rng.int(8);
      }
      return out;
    case "truncate":
      return out.subarray(0, rng.int(out.length));
    case "extend":
      return Buffer.concat([out, rng.bytes(rng.range(1, 8))]);
    case "splice": {
      const at = rng.int(out.length);
      rng.bytes(Math.min(rng.range(1, 8), out.length - at)).copy(out, at);
      return out;
    }
    default: {
      const c = decodeCommitment(body);
      if (how === "swap-ops" && c.ops.length >= 2) {
        const i = rng.int(c.ops.length);
        const j = (i + 1 + rng.int(c.ops.length - 1)) % c.ops.length;
        [c.ops[i], c.ops[j]] = [c.ops[j], c.ops[i]];
      } else if (how === "drop-op" && c.ops.length > 0) {
        c.ops.splice(rng.int(c.ops.length), 1);
      } else if (how === "repeat-op" && c.ops.length > 0 && c.ops.length < MAX_OPS_PER_COMMITMENT) {
        const i = rng.int(c.ops.length);
        c.ops.splice(i, 0, c.ops[i]);
      } else if (how === "count") {
        // A fee or operation count that does not match what follows (33: one past the maximum).
        const lie = rng.pick([-1, 1, 33]);
        return packOrCanonical(c, rng.chance(0.5) ? { opCount: lie === 33 ? 33 : c.ops.length + lie } : { feeCount: lie === 33 ? 33 : c.fees.length + lie });
      } else {
        replaceField(ctx, rng, c);
      }
      return packOrCanonical(c, {});
    }
  }
}

/** Replaces one field with an extreme value: what the signature does not cover is where a proposer can lie freely. */
function replaceField(ctx: CaseContext, rng: Rng, c: Commitment): void {
  const s = ctx.state;
  const field = rng.pick(["base-fee", "fee-recipient", "fee", "fee-type", "timestamp", "amount", "from", "to", "token", "fee-index", "address", "queue-credit", "withdrawal-root"] as const);
  const op = c.ops.length > 0 ? c.ops[rng.int(c.ops.length)] : undefined;
  const signed = op && op.kind !== OpKind.QUEUE ? op : undefined;
  switch (field) {
    case "base-fee":
      c.baseFee = rng.weighted<bigint>([[3, rng.extreme()], [1, 0n], [1, c.baseFee + 1n], [1, c.baseFee - 1n < 0n ? 0n : c.baseFee - 1n]]);
      return;
    case "fee-recipient":
      c.feeRecipient = rng.pick([0, s.accountCount - 1, s.accountCount, Number(rng.extreme(28)), rng.int(s.accountCount)]);
      return;
    case "fee": {
      if (c.fees.length === 0) return;
      const i = rng.int(c.fees.length);
      const f = c.fees[i];
      const v = rng.extreme();
      if (f.type === 2) c.fees[i] = rng.pick([{ ...f, maxFeePerGas: v }, { ...f, maxPriorityFeePerGas: v }, { ...f, gasLimit: v }]);
      else c.fees[i] = rng.pick([{ ...f, gasPrice: v }, { ...f, gasLimit: v }]);
      return;
    }
    case "fee-type": {
      if (c.fees.length === 0) return;
      const i = rng.int(c.fees.length);
      const f = c.fees[i];
      c.fees[i] = f.type === 2 ? { type: 0, gasPrice: f.maxFeePerGas, gasLimit: f.gasLimit } : { type: 2, maxFeePerGas: f.gasPrice, maxPriorityFeePerGas: 0n, gasLimit: f.gasLimit };
      return;
    }
    case "timestamp":
      c.timestamp = rng.pick([0, GENESIS_TIMESTAMP - 1, CASE_TIMESTAMP + 1, 2 ** 40 - 1]);
      return;
    case "amount":
      if (signed) signed.amount = rng.extreme();
      return;
    case "from":
      if (signed) signed.from = rng.pick([0, rng.int(s.accountCount), s.accountCount, 2 ** ACCOUNT_TREE_DEPTH - 1]);
      return;
    case "to":
      if (signed && (signed.kind === OpKind.ETH_TRANSFER || signed.kind === OpKind.TOKEN_TRANSFER)) signed.to = rng.pick([0, signed.from, s.accountCount, 2 ** ACCOUNT_TREE_DEPTH - 1]);
      return;
    case "token":
      if (signed && "tokenId" in signed) signed.tokenId = rng.pick([0, 1, 2, 255]);
      return;
    case "fee-index":
      if (signed) signed.feeIndex = rng.int(2 ** feeWidth(c.fees.length));
      return;
    case "address":
      if (signed && (signed.kind === OpKind.WITHDRAW_ETH || signed.kind === OpKind.WITHDRAW_TOKEN)) signed.l1Recipient = rng.pick([ZERO_ADDRESS, rng.address()]);
      if (signed && (signed.kind === OpKind.ETH_TRANSFER_NEW || signed.kind === OpKind.TOKEN_TRANSFER_NEW)) signed.to = rng.pick([ZERO_ADDRESS, s.account(rng.int(s.accountCount)).address, rng.address()]);
      return;
    case "queue-credit":
      if (op && op.kind === OpKind.QUEUE) c.ops[c.ops.indexOf(op)] = rng.pick<QueueOp>([{ kind: OpKind.QUEUE, credit: "none" }, { kind: OpKind.QUEUE, credit: "new" }, { kind: OpKind.QUEUE, credit: "existing", index: rng.int(s.accountCount + 2) }]);
      else c.ops.push({ kind: OpKind.QUEUE, credit: "new" });
      return;
    default:
      c.withdrawalRoot = c.withdrawalRoot ? null : Buffer.concat([Buffer.of(1), rng.bytes(31)]);
  }
}

