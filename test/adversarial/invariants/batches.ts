/**
 * Batches built with the real core — BlockBuilder on the sequencer's L2State, transactions signed
 * by ethers wallets and parsed as the sequencer's intake does — and the ways a batch can lie,
 * and fraud proofs of them built with buildFraudWitness, as test/helpers/fraudFixture.ts does.
 */
import { Wallet, type HDNodeWallet } from "ethers";
import { BlockBuilder, withdrawalTree } from "../../../src/core/blockBuilder";
import { encodeCommitment, type Commitment } from "../../../src/core/commitment";
import { summarizeBatch, withdrawalProof } from "../../../src/core/batch";
import { positionalProof } from "../../../src/core/merkle";
import { buildFraudWitness, FRAUD_KIND, FRAUD_REASON } from "../../../src/core/fraudProof";
import { replayCommitment, type Verdict } from "../../../src/core/replay";
import { parseRawTransaction, toSignedOp, type ParsedTx } from "../../../src/core/intake";
import { InvalidOperationError } from "../../../src/core/errors";
import { MAX_OPS_PER_COMMITMENT, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../../src/core/constants";
import type { Withdrawal } from "../../../src/core/hashing";
import type { L2State } from "../../../src/core/state";
import type { QueueEntry } from "../../../src/core/queueOps";
import { sameFeeEntry, type SignedOp } from "../../../src/core/ops";
import { erc20, predeploy } from "../../helpers/coreFixture";
import { CHAIN_ID } from "./world";
import type { Lie, LieKind } from "./model";
import type { Rng } from "./rng";

export const BASE_FEE = 10_000_000n;
const GAS_LIMIT = 100_000n;
const MAX_FEE = 2n * BASE_FEE;
/** What a sender must hold beyond the value: gasLimit × maxFee, charged up front. */
export const GAS_RESERVE = GAS_LIMIT * MAX_FEE;
const hex = (b: Buffer) => "0x" + b.toString("hex");

export type L2Wallet = Wallet | HDNodeWallet;

export interface BuildContext {
  state: L2State;
  queueEntry(i: bigint): QueueEntry | undefined;
  /** Every wallet that can sign on L2, by lowercase address. */
  wallets: Map<string, L2Wallet>;
  /** Makes a fresh L2-only wallet (deterministically, from the run's generator). */
  newWallet(): L2Wallet;
  /** L1 addresses withdrawals are paid to. */
  l1Recipients: readonly string[];
  /** The L2 timestamp every commitment of the batch carries (≤ the L1 block's, never decreasing). */
  timestamp: number;
}

export interface BuiltBatch {
  bodies: Buffer[];
  queueCount: bigint;
  /** Withdrawals each commitment made (what its withdrawal root commits to). */
  withdrawals: Withdrawal[][];
  txs: number;
  queueOps: number;
}

export interface TxPlan {
  /** Transactions per commitment. */
  txs: number[];
  /** Queue entries consumed per commitment. */
  queueOps: number[];
}

/** Signs `tx` with `wallet` at its current L2 nonce and parses it as the intake would. */
async function signed(ctx: BuildContext, wallet: L2Wallet, tx: { to: string; value?: bigint; data?: string }): Promise<ParsedTx> {
  const nonce = Number(ctx.state.accountOf(wallet.address.toLowerCase())?.nonce ?? 0n);
  const raw = await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, gasLimit: GAS_LIMIT, maxFeePerGas: MAX_FEE, maxPriorityFeePerGas: 0n, ...tx });
  return parseRawTransaction(raw, CHAIN_ID);
}

/** Wallets holding enough ETH on L2 to pay for a transaction. */
function funded(ctx: BuildContext): L2Wallet[] {
  return [...ctx.wallets.values()].filter((w) => (ctx.state.accountOf(w.address.toLowerCase())?.balance ?? 0n) > GAS_RESERVE);
}

/** A random valid-looking L2 transaction from a funded wallet: transfers and withdrawals, ETH and tokens. */
async function randomTx(ctx: BuildContext, rng: Rng): Promise<ParsedTx | null> {
  const senders = funded(ctx);
  if (senders.length === 0) return null;
  const from = rng.pick(senders);
  const account = ctx.state.accountOf(from.address.toLowerCase())!;
  const spendable = account.balance - GAS_RESERVE;
  const heldTokens = [...account.tokens].filter(([, v]) => v > 0n);
  const existing = [...ctx.wallets.values()].filter((w) => w !== from && ctx.state.indexOf(w.address.toLowerCase()) !== undefined);
  const recipient = (): string => (existing.length > 0 && rng.chance(0.7) ? rng.pick(existing) : ctx.newWallet()).address;
  const kind = rng.pick(heldTokens.length > 0 ? ["eth", "eth", "withdraw-eth", "token", "withdraw-token"] : ["eth", "eth", "withdraw-eth"]);
  switch (kind) {
    case "eth":
      return signed(ctx, from, { to: recipient(), value: rng.share(spendable) });
    case "withdraw-eth": {
      const amount = rng.share(spendable) || 1n;
      return signed(ctx, from, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [rng.pick(ctx.l1Recipients), ZERO_ADDRESS, amount]) });
    }
    default: {
      const [tokenId, held] = rng.pick(heldTokens);
      const l2Token = ctx.state.token(tokenId)!.l2Address;
      const amount = rng.share(held) || 1n;
      if (kind === "token") return signed(ctx, from, { to: l2Token, data: erc20.encodeFunctionData("transfer", [recipient(), amount]) });
      return signed(ctx, from, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [rng.pick(ctx.l1Recipients), l2Token, amount]) });
    }
  }
}

function builder(ctx: BuildContext, rng: Rng): BlockBuilder {
  // The fee recipient is any existing account: fees stay on L2 whoever receives them.
  return new BlockBuilder(ctx.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: rng.int(ctx.state.accountCount), queueEntry: ctx.queueEntry });
}

/** Splits `queueTotal` queue entries over `commitments` commitments, with up to 4 transactions each (sometimes a full commitment's worth). */
export function planTxs(rng: Rng, commitments: number, queueTotal: number): TxPlan {
  const queueOps = new Array<number>(commitments).fill(0);
  let left = queueTotal;
  for (let c = 0; c < commitments; c++) {
    const take = c === commitments - 1 ? left : rng.between(0, left);
    queueOps[c] = take;
    left -= take;
  }
  // Now and then a full commitment: the largest (and costliest) fraud proofs come from those.
  const txs = queueOps.map((q) => Math.min(rng.chance(0.1) ? MAX_OPS_PER_COMMITMENT : rng.between(0, 4), MAX_OPS_PER_COMMITMENT - q));
  return { txs, queueOps };
}

/**
 * Builds an honest batch on `ctx.state` (which it advances): each commitment consumes its share of
 * queue entries, then adds random transactions; one the core refuses is left out, as the
 * sequencer would. Queue entries never exceed 32 per commitment: extra commitments are added.
 */
export async function buildHonest(ctx: BuildContext, rng: Rng, plan: TxPlan): Promise<{ built: BuiltBatch; commitments: Commitment[] }> {
  const bodies: Buffer[] = [];
  const commitments: Commitment[] = [];
  const withdrawals: Withdrawal[][] = [];
  let txs = 0;
  let queueOps = 0;
  const seal = (b: BlockBuilder) => {
    const sealed = b.seal(ctx.timestamp);
    bodies.push(sealed.body);
    commitments.push(sealed.commitment);
    withdrawals.push(sealed.withdrawals);
  };
  for (let c = 0; c < plan.queueOps.length; c++) {
    let b = builder(ctx, rng);
    for (let q = 0; q < plan.queueOps[c]; q++) {
      if (b.isFull) {
        seal(b);
        b = builder(ctx, rng);
      }
      b.addQueueEntry();
      queueOps++;
    }
    for (let t = 0; t < plan.txs[c] && !b.isFull; t++) {
      const tx = await randomTx(ctx, rng);
      if (!tx) break;
      try {
        b.addTransaction(tx);
        txs++;
      } catch (e) {
        if (!(e instanceof InvalidOperationError)) throw e;
      }
    }
    seal(b);
  }
  return { built: { bodies, queueCount: ctx.state.queueIndex, withdrawals, txs, queueOps }, commitments };
}

/** The commitment with one byte of its claimed post-state root changed. */
function wrongPostState(c: Commitment): Buffer {
  const root = Buffer.from(c.postStateRoot);
  root[7] ^= 0x5a;
  return encodeCommitment({ ...c, postStateRoot: root });
}

/**
 * Appends an operation the core refuses to commitment `c` (built on `state`, which is at the
 * commitment's post-state): a transfer whose signature recovers someone else, or one spending
 * more than the sender holds. The claimed roots are left as they were: the operation is the lie.
 */
async function withBadOp(ctx: BuildContext, rng: Rng, c: Commitment, kind: "bad-signature" | "insufficient-funds"): Promise<Buffer | null> {
  const senders = [...ctx.wallets.values()].filter((w) => ctx.state.indexOf(w.address.toLowerCase()) !== undefined);
  if (senders.length === 0 || c.ops.length >= MAX_OPS_PER_COMMITMENT) return null;
  const from = rng.pick(senders);
  const balance = ctx.state.accountOf(from.address.toLowerCase())!.balance;
  const others = [...ctx.wallets.values()].filter((w) => w !== from);
  const to = (others.length > 0 ? rng.pick(others) : ctx.newWallet()).address;
  const value = kind === "insufficient-funds" ? balance + 1n : rng.share(balance > GAS_RESERVE ? balance - GAS_RESERVE : 0n);
  const tx = await signed(ctx, from, { to, value });
  let op: SignedOp = toSignedOp(ctx.state, tx, 0, { checkNonce: false });
  if (kind === "bad-signature") {
    const r = Buffer.from(op.sig.r);
    r[31] ^= 1 + rng.int(255);
    op = { ...op, sig: { ...op.sig, r } };
  }
  const fees = c.fees.slice();
  let feeIndex = fees.findIndex((f) => sameFeeEntry(f, tx.fee));
  if (feeIndex < 0) feeIndex = fees.push(tx.fee) - 1;
  return encodeCommitment({ ...c, fees, ops: [...c.ops, { ...op, feeIndex }] });
}

/**
 * Adds `forged` (a withdrawal paying the attacker) to commitment `c`'s withdrawal root: the state
 * root stays right, so only the withdrawal root lies.
 */
function withStolenWithdrawal(c: Commitment, honest: Withdrawal[], forged: Withdrawal): { body: Buffer; list: Withdrawal[] } {
  const list = [...honest, forged];
  return { body: encodeCommitment({ ...c, withdrawalRoot: withdrawalTree(list)!.getRoot() }), list };
}

export interface LyingBatch {
  built: BuiltBatch;
  lie: Omit<Lie, "stolen">;
  /** For a stolen withdrawal: the forged leaf (the last of its commitment's withdrawals). */
  forged?: Withdrawal;
}

const invalidOp = (reason: "bad-signature" | "insufficient-funds") => ({ kind: FRAUD_KIND["invalid-operation"], reason: FRAUD_REASON[reason] });

/**
 * A batch that lies in `kind`, built on `ctx.state` and leaving it as it was. The honest part is
 * a normal batch; the lie is in commitment `c` (the last one for a bad operation, appended to
 * the builder's final state, and for a skipped deposit, a claim about the whole batch). Returns
 * null when the kind does not fit (no queue entry left to skip, a full last commitment).
 * Stolen withdrawal ids are the next id, or one the honest L2 already owes someone else (the
 * theft would then also block that payout).
 */
export async function buildLie(
  ctx: BuildContext,
  rng: Rng,
  kind: LieKind,
  plan: TxPlan,
  forge: { attacker: string; ids: bigint[]; tokens: string[]; queueLength: bigint },
): Promise<LyingBatch | null> {
  const cp = ctx.state.checkpoint();
  try {
    const { built, commitments } = await buildHonest(ctx, rng, plan);
    const last = built.bodies.length - 1;
    const bodies = built.bodies.slice();
    const withdrawals = built.withdrawals.slice();
    switch (kind) {
      case "wrong-post-state": {
        const c = rng.int(bodies.length);
        bodies[c] = wrongPostState(commitments[c]);
        return { built: { ...built, bodies }, lie: { kind, commitment: c, expected: { kind: FRAUD_KIND["wrong-post-state"], reason: 0 } } };
      }
      case "bad-signature":
      case "insufficient-funds": {
        const body = await withBadOp(ctx, rng, commitments[last], kind);
        if (!body) return null;
        bodies[last] = body;
        return { built: { ...built, bodies }, lie: { kind, commitment: last, expected: invalidOp(kind) } };
      }
      case "stolen-withdrawal": {
        const c = rng.int(bodies.length);
        const id = forge.ids.length > 0 && rng.chance(0.5) ? rng.pick(forge.ids) : ctx.state.withdrawalCount;
        const forged: Withdrawal = { id, l2Sender: rng.pick([...ctx.wallets.keys()]), l1Recipient: forge.attacker, l1Token: rng.pick([ZERO_ADDRESS, ...forge.tokens]), amount: 10n ** 18n };
        const { body, list } = withStolenWithdrawal(commitments[c], built.withdrawals[c], forged);
        bodies[c] = body;
        withdrawals[c] = list;
        return { built: { ...built, bodies, withdrawals }, lie: { kind, commitment: c, expected: { kind: FRAUD_KIND["wrong-withdrawal-root"], reason: 0 } }, forged };
      }
      case "deposit-skipped":
        if (forge.queueLength <= built.queueCount) return null;
        return { built: { ...built, queueCount: built.queueCount + 1n }, lie: { kind, commitment: last, expected: { kind: FRAUD_KIND["queue-count-mismatch"], reason: 0 } } };
    }
  } finally {
    ctx.state.rollback(cp);
  }
}

/** The Merkle proof of withdrawal `k` of commitment `c` in a batch of `bodies` (pre-state `pre`). */
export function proofOfWithdrawal(pre: Buffer, bodies: Buffer[], withdrawals: Withdrawal[][], c: number, k: number): Buffer[] {
  const roots = summarizeBatch(pre, bodies).withdrawalRoots;
  // The commitment's position among those with a withdrawal root: the leaves of the batch tree.
  const position = withdrawals.slice(0, c).filter((ws) => ws.length > 0).length;
  return withdrawalProof(withdrawals[c], k, roots, position);
}

export interface FraudProofArgs {
  verdict: Verdict;
  args: readonly [number, number, string, string, string[], string];
}

/**
 * Arguments for proveFraud on commitment `c` of a posted batch; `state` must be at the batch's
 * pre-state and is left there. Commitments before `c` are honest: they are replayed to reach
 * its pre-state.
 */
export function fraudProofArgs(
  state: L2State,
  queueEntry: (i: bigint) => QueueEntry | undefined,
  batch: { index: number; pre: Buffer; bodies: Buffer[]; queueCount: bigint },
  c: number,
): FraudProofArgs {
  const params = (i: number) => ({ chainId: CHAIN_ID, queueEntry, position: { queueLimit: batch.queueCount, lastInBatch: i === batch.bodies.length - 1 } });
  const cp = state.checkpoint();
  try {
    for (let i = 0; i < c; i++) {
      const r = replayCommitment(state, batch.bodies[i], params(i));
      if (!r.verdict.ok) throw new Error(`commitment ${i} of batch ${batch.index} is not honest`);
    }
    const pre = state.root();
    const check = buildFraudWitness(state, batch.bodies[c], params(c));
    const path = positionalProof(summarizeBatch(batch.pre, batch.bodies).leaves, c);
    return { verdict: check.verdict, args: [batch.index, c, hex(pre), hex(batch.bodies[c]), path.map(hex), check.packed] as const };
  } finally {
    state.rollback(cp);
  }
}

