/**
 * The actions a run draws from. Each resolves its random choices against the model, does one
 * thing on L1 (checking what that one thing must do: balance changes, events, the refusals the
 * contracts owe), updates the model, and returns a line for the run's log.
 */
import { ethers } from "hardhat";
import { Contract, parseEther, type ContractTransactionReceipt } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { encodeBatch, encodeCommitment } from "../../../src/core/commitment";
import { summarizeBatch } from "../../../src/core/batch";
import { onChainVerdict } from "../../../src/core/fraudProof";
import { ZERO_ADDRESS } from "../../../src/core/constants";
import { BASE_FEE, buildHonest, buildLie, fraudProofArgs, planTxs, proofOfWithdrawal, type BuiltBatch } from "./batches";
import { count, headerOf, LIE_KINDS, type Lie, type LieKind, type PostedBatch } from "./model";
import { INVARIANT_PARAMS, PROOF_GAS_LIMIT, type WorldToken } from "./world";
import type { RunContext } from "./context";
import type { Rng } from "./rng";

export type ActionKind =
  | "deposit-eth"
  | "deposit-token"
  | "register-token"
  | "force-withdrawal"
  | "honest-batch"
  | "lying-batch"
  | "prove-fraud"
  | "finalize"
  | "post-bond"
  | "request-bond-withdrawal"
  | "withdraw-bond"
  | "time-jump"
  | "challenge-final";

type Action = (ctx: RunContext, rng: Rng) => Promise<string>;

const hex = (b: Buffer) => "0x" + b.toString("hex");
const buf = (h: string) => Buffer.from(h.slice(2), "hex");
const short = (a: string) => a.slice(0, 8);
const W = INVARIANT_PARAMS;

async function tokenBalance(token: string, holder: string): Promise<bigint> {
  const erc20 = new Contract(token, ["function balanceOf(address) view returns (uint256)"], ethers.provider);
  return (await erc20.getFunction("balanceOf")(holder)) as bigint;
}

/** What a transfer of `amount` out of the Bridge delivers: the fee-on-transfer token burns 1%. */
function delivered(token: WorldToken | undefined, amount: bigint): bigint {
  return token?.kind === "fee-on-transfer" ? amount - amount / 100n : amount;
}

/**
 * Seconds the L1 clock may run ahead of the model between a decision and the transaction it
 * leads to: Hardhat stamps blocks with the wall clock, so a window that closes this close to the
 * latest block is treated as closed.
 */
const CLOCK_SLACK = 30n;

/** Pins the next L1 block to one second after the latest, so time-dependent expectations are exact. */
async function pinNextBlock(ctx: RunContext): Promise<bigint> {
  const at = (await ctx.model.latestTimestamp()) + 1n;
  await time.setNextBlockTimestamp(at);
  return at;
}

function feeOf(receipt: ContractTransactionReceipt): bigint {
  return receipt.gasUsed * receipt.gasPrice;
}

// --- L1 users -------------------------------------------------------------------------------

/** Half the time a user (who can also force withdrawals from L1), else any L2 wallet or a new one. */
function depositRecipient(ctx: RunContext, rng: Rng): string {
  if (rng.chance(0.5)) return rng.pick(ctx.world.users).address;
  return rng.chance(0.8) ? rng.pick([...ctx.wallets.keys()]) : ctx.newWallet().address.toLowerCase();
}

const depositEth: Action = async (ctx, rng) => {
  const { world } = ctx;
  const from = rng.pick([...world.depositors, ...world.users.map((u) => u.signer)]);
  const to = depositRecipient(ctx, rng);
  const amount = parseEther(rng.pick(["0.001", "0.05", "0.3", "1", "2.5"])) + BigInt(rng.int(1_000_000));
  const before = await ctx.balance(world.bridgeAddress);
  await ctx.accepted("deposits are accepted", () => world.bridge.connect(from).depositETH(to, { value: amount }));
  const after = await ctx.balance(world.bridgeAddress);
  ctx.check(after - before === amount, "escrow", () => `an ETH deposit of ${amount} raised the escrow by ${after - before}`);
  return `${short(from.address)} deposits ${amount} wei for ${short(to)}`;
};

const depositToken: Action = async (ctx, rng) => {
  const { world } = ctx;
  const token = rng.pick(world.tokens);
  const from = rng.pick([...world.depositors, ...world.users.map((u) => u.signer)]);
  const to = depositRecipient(ctx, rng);
  const amount = BigInt(rng.between(1, 1_000_000)) * 10n ** BigInt(rng.pick([0, 6, 12, 15]));
  if (!ctx.registered.includes(token.address)) {
    await ctx.refused("unknown tokens are refused", world.bridge.connect(from).depositERC20(token.address, to, amount), world.bridge, "BridgeUnknownToken");
    return `${token.kind} deposit refused: not registered`;
  }
  const before = await tokenBalance(token.address, world.bridgeAddress);
  const queued = ctx.model.queue.length;
  await ctx.accepted("deposits are accepted", () => world.bridge.connect(from).depositERC20(token.address, to, amount));
  const received = (await tokenBalance(token.address, world.bridgeAddress)) - before;
  ctx.check(received === delivered(token, amount), "escrow", () => `a ${token.kind} deposit of ${amount} delivered ${received}`);
  await ctx.model.observeEvents();
  const entry = ctx.model.queue[queued];
  ctx.check(entry?.amount === received, "escrow", () => `a ${token.kind} deposit queued ${entry?.amount}, the Bridge received ${received}`);
  return `${short(from.address)} deposits ${amount} of ${token.kind} for ${short(to)} (received ${received})`;
};

const registerToken: Action = async (ctx, rng) => {
  const { world } = ctx;
  const token = rng.pick(world.tokens);
  const from = rng.pick(world.depositors);
  if (ctx.registered.includes(token.address)) {
    await ctx.refused("tokens register once", world.bridge.connect(from).registerToken(token.address), world.bridge, "BridgeTokenAlreadyRegistered");
    return `${token.kind} registration refused: already registered`;
  }
  await ctx.accepted("registrations are accepted", () => world.bridge.connect(from).registerToken(token.address));
  ctx.registered.push(token.address);
  return `registers ${token.kind} as token ${ctx.registered.length - 1}`;
};

const forceWithdrawal: Action = async (ctx, rng) => {
  const { world } = ctx;
  // Mostly a user with funds on L2, so that forced withdrawals take effect as well as fail.
  const holders = world.users.filter((u) => (ctx.model.sequencer.accountOf(u.address)?.balance ?? 0n) > 0n);
  const user = holders.length > 0 && rng.chance(0.8) ? rng.pick(holders) : rng.pick(world.users);
  const tokens = [ZERO_ADDRESS, ...ctx.registered];
  const token = rng.chance(0.1) ? rng.pick(world.tokens).address : rng.pick(tokens);
  const account = ctx.model.sequencer.accountOf(user.address);
  const id = ctx.registered.indexOf(token);
  const held = token === ZERO_ADDRESS ? (account?.balance ?? 0n) : id >= 0 ? (account?.tokens.get(id) ?? 0n) : 0n;
  // All or nothing on L2: sometimes more than is held, which must then take nothing.
  const amount = rng.chance(0.2) ? held + 1n : rng.share(held);
  if (amount === 0n) {
    await ctx.refused("forced withdrawals need an amount", world.bridge.connect(user.signer).forceWithdrawal(token, 0n), world.bridge, "BridgeZeroAmount");
    return `forced withdrawal of 0 refused`;
  }
  if (token !== ZERO_ADDRESS && id < 0) {
    await ctx.refused("unknown tokens are refused", world.bridge.connect(user.signer).forceWithdrawal(token, amount), world.bridge, "BridgeUnknownToken");
    return `forced withdrawal of an unregistered token refused`;
  }
  await ctx.accepted("forced withdrawals are queued", () => world.bridge.connect(user.signer).forceWithdrawal(token, amount));
  return `${short(user.address)} forces a withdrawal of ${amount} of ${token === ZERO_ADDRESS ? "ETH" : `token ${id}`} (holds ${held} in the sequencer's view)`;
};

// --- proposers --------------------------------------------------------------------------------

/**
 * A proposer that may post now. A fallback drawn before the sequencer timeout (or unbonded, or
 * leaving) must be refused, and is checked to be; then the sequencer posts, topping up its bond
 * after a slashing as the real one does. Null when nobody can (the sequencer is leaving).
 */
async function proposerFor(ctx: RunContext, rng: Rng, preIndex: number): Promise<HardhatEthersSigner | null> {
  const { rollup } = ctx.world;
  const drawn = rng.pick(ctx.proposers);
  const at = (await ctx.model.latestTimestamp()) + 1n;
  const may = await ctx.mayPropose(drawn, at);
  if (may.ok && (may.margin === undefined || may.margin > 5n)) return drawn;
  // Away from the timeout's edge, where the probe's block time is not the next block's.
  if (!may.ok && (may.margin === undefined || may.margin > 5n)) {
    const probe = rollup.connect(drawn).submitBatch.staticCall(preIndex, ctx.tipRoot(), ctx.consumedOnL1(), "0x");
    await ctx.refused("only eligible proposers post", probe, rollup, may.error!);
  }
  const { sequencer } = ctx.world;
  const address = sequencer.address.toLowerCase();
  if (ctx.model.bondRequestedAt.has(address)) {
    for (const p of ctx.world.fallbacks) {
      const m = await ctx.mayPropose(p, at);
      if (m.ok && m.margin! > 5n) return p;
    }
    return null;
  }
  const missing = W.bondSize - ctx.bondOf(address);
  if (missing > 0n) {
    await ctx.accepted("bonds are accepted", () => rollup.connect(sequencer).postBond({ value: missing }));
    ctx.model.bonds.set(address, W.bondSize);
  }
  return sequencer;
}

/**
 * How far a batch must and may consume the queue: at least to the tip's queue count (L1 never
 * goes backwards, even after a lie that claimed more) and past every overdue entry; at most
 * everything queued. An entry is overdue once the inclusion window has passed, measured against
 * the batch's L2 time (`l2Time`) or, to be safe, against the next L1 block's time.
 */
function queueBounds(ctx: RunContext, l2Time: bigint, l1Time: bigint): { from: bigint; min: bigint; max: bigint; overdue: number } {
  const { model } = ctx;
  const from = model.sequencer.queueIndex;
  let min = ctx.consumedOnL1() > from ? ctx.consumedOnL1() : from;
  let overdue = -1;
  for (let i = Number(min); i < model.queue.length; i++) {
    const deadline = model.queue[i].l1Timestamp + BigInt(W.inclusionWindow);
    if (deadline < l2Time || deadline < l1Time + CLOCK_SLACK) overdue = i;
  }
  if (overdue >= 0) min = BigInt(overdue + 1);
  return { from, min, max: BigInt(model.queue.length), overdue };
}

/**
 * Probes the queue counts the next batch (`commitments`, honest and fresh) may claim: a count past
 * the queue must be refused with the range [the tip's queue count, the queue's length] — after a
 * revert, the reverted batches' consumption given back. An entry overdue by both L2 and L1 time
 * must not be left out.
 */
async function probeQueueRange(ctx: RunContext, rng: Rng, proposer: HardhatEthersSigner, commitments: Buffer[], l2Time: bigint): Promise<void> {
  const { rollup } = ctx.world;
  const index = ctx.model.batches.length;
  const data = encodeBatch(commitments);
  const queued = BigInt(ctx.model.queue.length);
  const consumed = ctx.consumedOnL1();
  const tooMany = rollup.connect(proposer).submitBatch.staticCall(index, ctx.tipRoot(), queued + 1n, data);
  await ctx.refused("queue position restored", tooMany, rollup, "RollupInvalidQueueCount", [queued + 1n, consumed, queued]);
  const late = ctx.model.queue[Number(consumed)];
  if (!late || !rng.chance(0.5)) return;
  const deadline = late.l1Timestamp + BigInt(W.inclusionWindow);
  if (deadline < l2Time && deadline + CLOCK_SLACK < (await ctx.model.latestTimestamp())) {
    const leftOut = rollup.connect(proposer).submitBatch.staticCall(index, ctx.tipRoot(), consumed, data);
    await ctx.refused("overdue entries are included", leftOut, rollup, "RollupQueueEntryOverdue");
  }
}

/**
 * An empty commitment on the tip, stamped with L1's latest time: a well-formed batch for probing
 * what submitBatch checks after the envelope.
 */
async function emptyCommitment(ctx: RunContext): Promise<{ body: Buffer; time: bigint }> {
  const time = await ctx.model.latestTimestamp();
  const body = encodeCommitment({ postStateRoot: buf(ctx.tipRoot()), withdrawalRoot: null, timestamp: Number(time), baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] });
  return { body, time };
}

/**
 * Right after a revert, the queue range the next batch may claim, probed from whichever proposer
 * may post now (often nobody: the slashed sequencer has no bond until it tops up; the next
 * submission probes then).
 */
async function probeAfterRevert(ctx: RunContext, rng: Rng): Promise<void> {
  const at = (await ctx.model.latestTimestamp()) + 1n;
  for (const p of ctx.proposers) {
    const may = await ctx.mayPropose(p, at);
    if (may.ok && (may.margin === undefined || may.margin > CLOCK_SLACK)) {
      const { body, time } = await emptyCommitment(ctx);
      return probeQueueRange(ctx, rng, p, [body], time);
    }
  }
}

/** Posts `built` as the next batch from `proposer` and records it. */
async function post(ctx: RunContext, proposer: HardhatEthersSigner, built: BuiltBatch, lie: Lie | null, checkpoint: PostedBatch["checkpoint"], anchored: boolean): Promise<PostedBatch> {
  if (proposer !== ctx.world.sequencer) ctx.stats.fallbackBatches++;
  const { rollup } = ctx.world;
  const index = ctx.model.batches.length;
  const pre = buf(ctx.tipRoot());
  const receipt = await ctx.accepted(lie ? "lies are accepted until proven" : "honest batches are accepted", () =>
    rollup.connect(proposer).submitBatch(index, hex(pre), built.queueCount, encodeBatch(built.bodies)),
  );
  const header = headerOf(await rollup.getBatch(index));
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  ctx.check(header.timestamp === BigInt(block!.timestamp), "chain agreement", () => `batch ${index} is stamped ${header.timestamp}, its block ${block!.timestamp}`);
  ctx.check(header.commitmentsRoot === hex(summarizeBatch(pre, built.bodies).commitmentsRoot), "chain agreement", () => `batch ${index}'s commitments root is not src/core's`);
  const batch: PostedBatch = { index, proposer: proposer.address.toLowerCase(), pre, bodies: built.bodies, queueCount: built.queueCount, header, lie, anchored, checkpoint };
  ctx.model.batches.push(batch);
  ctx.stats.batchesPosted++;
  return batch;
}

const honestBatch: Action = async (ctx, rng) => {
  const proposer = await proposerFor(ctx, rng, ctx.model.batches.length);
  if (!proposer) return "skipped: nobody may post (the sequencer is leaving, the timeout has not passed)";
  return postHonestBatch(ctx, rng, proposer);
};

/** How many queue entries a batch built on the sequencer's state, stamped `l2Time`, consumes: within {@link queueBounds}. */
async function consumption(ctx: RunContext, rng: Rng, l2Time: bigint): Promise<{ consume: number; queueLength: bigint }> {
  const bounds = queueBounds(ctx, l2Time, (await ctx.model.latestTimestamp()) + 1n);
  const consume = Number(bounds.min - bounds.from) + rng.int(Number(bounds.max - bounds.min) + 1);
  return { consume, queueLength: bounds.max };
}

const sequencerAtTip = (ctx: RunContext) => "0x" + ctx.model.sequencer.root().toString("hex") === ctx.tipRoot();

/** Builds an honest batch on the sequencer's state and posts it from `proposer`. */
export async function postHonestBatch(ctx: RunContext, rng: Rng, proposer: HardhatEthersSigner): Promise<string> {
  const { model } = ctx;
  const index = model.batches.length;
  const build = await ctx.buildContext();
  const { consume } = await consumption(ctx, rng, BigInt(build.timestamp));
  const anchored = sequencerAtTip(ctx);
  const cp = model.sequencer.checkpoint();
  try {
    const { built } = await buildHonest(build, rng, planTxs(rng, rng.between(1, 3), consume));
    await probeQueueRange(ctx, rng, proposer, built.bodies, BigInt(build.timestamp));
    await post(ctx, proposer, built, null, cp, anchored);
    return `${short(proposer.address)} posts honest batch ${index}: ${built.bodies.length} commitments, ${built.queueOps} queue entries, ${built.txs} txs, ${built.withdrawals.flat().length} withdrawals`;
  } catch (e) {
    model.sequencer.rollback(cp);
    throw e;
  }
}

const lyingBatch: Action = async (ctx, rng) => {
  const proposer = await proposerFor(ctx, rng, ctx.model.batches.length);
  if (!proposer) return "skipped: nobody may post";
  return postLyingBatch(ctx, rng, proposer, rng.pick(LIE_KINDS));
};

/** Builds a batch that lies in `kind` (the sequencer's state is left as it was) and posts it from `proposer`. */
export async function postLyingBatch(ctx: RunContext, rng: Rng, proposer: HardhatEthersSigner, kind: LieKind): Promise<string> {
  const { model } = ctx;
  const index = model.batches.length;
  const build = await ctx.buildContext();
  const { consume, queueLength } = await consumption(ctx, rng, BigInt(build.timestamp));
  const anchored = sequencerAtTip(ctx);
  const owedIds = [...model.owed().keys()].filter((id) => !model.payouts.has(id));
  const forge = { attacker: ctx.attacker, ids: owedIds, tokens: ctx.registered, queueLength };
  const lying = await buildLie(build, rng, kind, planTxs(rng, rng.between(1, 3), consume), forge);
  if (!lying) return `skipped: a ${kind} lie does not fit this state`;
  // The lie changes nothing in the sequencer's view; the checkpoint marks where a revert returns to.
  const cp = model.sequencer.checkpoint();
  const lie: Lie = { ...lying.lie };
  const batch = await post(ctx, proposer, lying.built, lie, cp, anchored);
  count(ctx.stats.lies, kind);
  if (lying.forged) {
    const c = lie.commitment;
    const k = lying.built.withdrawals[c].length - 1;
    lie.stolen = { withdrawal: lying.forged, batchIndex: index, proof: proofOfWithdrawal(batch.pre, batch.bodies, lying.built.withdrawals, c, k) };
    await ctx.refused("stolen withdrawals are never paid", finalizeTx(ctx, lie.stolen.withdrawal, index, lie.stolen.proof), ctx.world.bridge, "BridgeBatchNotFinal", [index]);
  }
  return `${short(proposer.address)} posts lying batch ${index} (${kind} in commitment ${lie.commitment} of ${batch.bodies.length}${anchored ? "" : ", on top of another lie"})`;
}

// --- fraud proofs -------------------------------------------------------------------------------

/**
 * Proves the lie in `batch` (anchored: its pre-state is the sequencer's state at its checkpoint),
 * optionally in the last second of its window, and checks what the revert must restore and pay.
 */
export async function proveLie(ctx: RunContext, rng: Rng, batch: PostedBatch): Promise<string> {
  const { model, world } = ctx;
  const { rollup } = world;
  const lie = batch.lie!;
  const n = model.batches.length;
  const deadline = batch.header.timestamp + BigInt(W.challengeWindow) - 1n;
  const latest = await model.latestTimestamp();
  // Only for the oldest lie: jumping to a later one's last second would let an older one close unproven.
  const oldest = model.lies()[0] === batch;
  const lastSecond = rng.chance(0.3) && oldest && deadline > latest;
  const challenger = rng.pick(world.challengers);
  const reverted = model.batches.slice(batch.index);
  model.revertFrom(batch.index);
  ctx.check("0x" + model.sequencer.root().toString("hex") === hex(batch.pre), "model", () => `the sequencer's state is not batch ${batch.index}'s pre-state`);
  const { verdict, args } = fraudProofArgs(model.sequencer, model.queueEntry, batch, lie.commitment);
  const got = onChainVerdict(verdict);
  ctx.check(got.kind === lie.expected.kind && got.reason === lie.expected.reason, "src/core finds each lie", () => `a ${lie.kind} lie replays as ${JSON.stringify(got)}, expected ${JSON.stringify(lie.expected)}`);
  const bond = ctx.bondOf(batch.proposer);
  const burnedBefore = await rollup.burnedBonds();
  const balanceBefore = await ctx.balance(challenger.address);
  if (lastSecond) await time.setNextBlockTimestamp(deadline);
  const receipt = await ctx.accepted("lies are proven inside the window", () => rollup.connect(challenger).proveFraud(...args));
  const gas = Number(receipt.gasUsed);
  ctx.stats.proofs++;
  if (lastSecond) ctx.stats.proofsAtLastSecond++;
  ctx.stats.maxProofGas = Math.max(ctx.stats.maxProofGas, gas);
  ctx.check(receipt.gasUsed < PROOF_GAS_LIMIT, "proof gas", () => `the proof of a ${lie.kind} lie used ${gas} gas`);
  const reward = bond / 2n;
  checkFraudProven(ctx, receipt, [batch.index, lie.commitment, challenger.address, batch.proposer, lie.expected.kind, lie.expected.reason, n - batch.index, reward, bond - reward]);
  // What the revert restores: the batch count and tip (checked with the chain after the step),
  // the fallback clock (likewise), and the bonds: all of the liar's, half to the challenger.
  ctx.check((await rollup.batchCount()) === BigInt(batch.index), "fraud proofs revert and slash", () => `batchCount after the proof is not ${batch.index}`);
  ctx.check((await rollup.bonds(batch.proposer)) === 0n, "fraud proofs revert and slash", () => `the liar keeps a bond`);
  const burnedRise = (await rollup.burnedBonds()) - burnedBefore;
  ctx.check(burnedRise === bond - reward, "fraud proofs revert and slash", () => `burnedBonds rose by ${burnedRise}, not ${bond - reward}`);
  const balanceAfter = await ctx.balance(challenger.address);
  ctx.check(balanceAfter - balanceBefore === reward - feeOf(receipt), "fraud proofs revert and slash", () => `the challenger gained ${balanceAfter - balanceBefore}, expected ${reward} less ${feeOf(receipt)} gas`);
  recordRevert(ctx, batch, reverted, bond, reward);
  await probeAfterRevert(ctx, rng);
  await ctx.refused("a proof works once", rollup.connect(challenger).proveFraud(...args), rollup, "RollupUnknownBatch", [batch.index, batch.index]);
  return `${short(challenger.address)} proves batch ${batch.index} (${lie.kind}) ${lastSecond ? "in the last second of its window" : ""}: ${n - batch.index} reverted, ${gas} gas`;
}

/** FraudProven's arguments (the op index aside) are `expected`, compared as lowercase strings. */
function checkFraudProven(ctx: RunContext, receipt: ContractTransactionReceipt, expected: Array<string | number | bigint>): void {
  const { rollup } = ctx.world;
  const event = receipt.logs.map((l) => rollup.interface.parseLog(l)).find((l) => l?.name === "FraudProven");
  // FraudProven(batchIndex, commitmentIndex, challenger, proposer, kind, reason, opIndex, batchesReverted, reward, burned)
  const seen = event ? [0, 1, 2, 3, 4, 5, 7, 8, 9].map((i) => String(event.args[i]).toLowerCase()) : [];
  const want = expected.map((v) => String(v).toLowerCase());
  ctx.check(seen.join() === want.join(), "fraud proofs revert and slash", () => `FraudProven(${seen.join(", ")}), expected (${want.join(", ")})`);
}

/** The model's side of a revert: bonds, the burned total, counts, and who lost batches without being slashed. */
function recordRevert(ctx: RunContext, batch: PostedBatch, reverted: PostedBatch[], bond: bigint, reward: bigint): void {
  const { model } = ctx;
  model.bonds.set(batch.proposer, 0n);
  model.bondRequestedAt.delete(batch.proposer);
  model.burned += bond - reward;
  model.revertedBatchCount += BigInt(reverted.length);
  model.provenLies.push(batch.lie!);
  ctx.stats.batchesReverted += reverted.length;
  for (const b of reverted) if (b.proposer !== batch.proposer) model.revertedUnslashed.add(b.proposer);
}

const proveFraud: Action = async (ctx, rng) => {
  const targets = ctx.model.batches.filter((b) => b.lie && b.anchored);
  if (targets.length > 0) {
    return proveLie(ctx, rng, rng.pick(targets));
  }
  return challengeHonest(ctx, rng);
};

/**
 * An honest batch cannot be proven wrong: the replica's latest non-final batch, with a witness
 * src/core builds for it, must be refused as not fraudulent.
 */
async function challengeHonest(ctx: RunContext, rng: Rng): Promise<string> {
  const { model, world } = ctx;
  const last = model.replayed.at(-1);
  const latest = await model.latestTimestamp();
  if (!last || !last.checkpoint || last.header.timestamp + BigInt(W.challengeWindow) < latest + CLOCK_SLACK) {
    return "skipped: no lie to prove, no honest batch in its window";
  }
  const posted = model.batches[last.index];
  model.replica.rollback(last.checkpoint);
  model.replayed.pop();
  model.stuck = null;
  const c = rng.int(posted.bodies.length);
  const { verdict, args } = fraudProofArgs(model.replica, model.queueEntry, posted, c);
  ctx.check(verdict.ok, "honest batches replay", () => `src/core finds honest batch ${last.index} wrong: ${JSON.stringify(verdict)}`);
  await ctx.refused("honest batches cannot be proven wrong", world.rollup.connect(rng.pick(world.challengers)).proveFraud(...args), world.rollup, "RollupNotFraudulent", [last.index, c]);
  await model.replicate();
  return `proving honest batch ${last.index} (commitment ${c}) is refused`;
}

const challengeFinal: Action = async (ctx, rng) => {
  const { model, world } = ctx;
  const finals = [...model.finalHeaders.keys()].filter((i) => i < model.batches.length);
  if (finals.length === 0) return "skipped: no final batch";
  const index = rng.pick(finals);
  const b = model.batches[index];
  // The finality check comes first: the witness does not matter, and none could succeed.
  const proof = world.rollup.proveFraud(index, 0, hex(b.pre), hex(b.bodies[0]), [], "0x");
  await ctx.refused("final batches stand", proof, world.rollup, "RollupBatchFinal", [index]);
  return `proving final batch ${index} is refused`;
};

// --- withdrawals ------------------------------------------------------------------------------

function finalizeTx(ctx: RunContext, w: { id: bigint; l2Sender: string; l1Recipient: string; l1Token: string; amount: bigint }, batchIndex: number, proof: Buffer[]) {
  return ctx.world.bridge.connect(ctx.world.relayer).finalizeWithdrawal(w, batchIndex, proof.map(hex));
}

const finalize: Action = async (ctx, rng) => {
  const { model, world } = ctx;
  const owed = [...model.owed().values()];
  const final = owed.filter((o) => model.finalHeaders.has(o.batchIndex));
  const payable = final.filter((o) => !model.payouts.has(o.withdrawal.id));
  const paid = final.filter((o) => model.payouts.has(o.withdrawal.id));
  const early = owed.filter((o) => !model.finalHeaders.has(o.batchIndex));
  const stolen = [...model.provenLies, ...model.lies().map((b) => b.lie!)].filter((l) => l.stolen);
  const options = [...(payable.length ? ["pay", "pay", "pay"] : []), ...(paid.length ? ["again"] : []), ...(early.length ? ["early"] : []), ...(stolen.length ? ["stolen"] : [])];
  if (options.length === 0) return "skipped: no withdrawal recorded";
  const choice = rng.pick(options);
  const proofOf = (o: (typeof owed)[number]) => {
    const b = model.batches[o.batchIndex];
    const r = model.replayed[o.batchIndex];
    return proofOfWithdrawal(b.pre, b.bodies, r.withdrawals, o.commitment, o.indexInCommitment);
  };
  if (choice === "again") {
    const o = rng.pick(paid);
    await ctx.refused("no withdrawal pays twice", finalizeTx(ctx, o.withdrawal, o.batchIndex, proofOf(o)), world.bridge, "BridgeWithdrawalAlreadyFinalized", [o.withdrawal.id]);
    return `paying withdrawal ${o.withdrawal.id} again is refused`;
  }
  if (choice === "early") {
    const o = rng.pick(early);
    await ctx.refused("withdrawals wait for finality", finalizeTx(ctx, o.withdrawal, o.batchIndex, proofOf(o)), world.bridge, "BridgeBatchNotFinal", [o.batchIndex]);
    return `paying withdrawal ${o.withdrawal.id} before batch ${o.batchIndex} is final is refused`;
  }
  if (choice === "stolen") {
    const claim = rng.pick(stolen).stolen!;
    try {
      await finalizeTx(ctx, claim.withdrawal, claim.batchIndex, claim.proof);
      ctx.fail("stolen withdrawals are never paid", `withdrawal ${claim.withdrawal.id} to the attacker was paid from batch ${claim.batchIndex}`);
    } catch {
      ctx.stats.refusalsChecked++;
    }
    return `the stolen withdrawal ${claim.withdrawal.id} of batch ${claim.batchIndex} is refused`;
  }
  const o = rng.pick(payable);
  const w = o.withdrawal;
  const token = world.tokens.find((t) => t.address === w.l1Token);
  const read = (who: string) => (w.l1Token === ZERO_ADDRESS ? ctx.balance(who) : tokenBalance(w.l1Token, who));
  const [recipientBefore, bridgeBefore] = [await read(w.l1Recipient), await read(world.bridgeAddress)];
  await ctx.accepted("owed withdrawals are paid", () => finalizeTx(ctx, w, o.batchIndex, proofOf(o)));
  const [recipientAfter, bridgeAfter] = [await read(w.l1Recipient), await read(world.bridgeAddress)];
  ctx.check(recipientAfter - recipientBefore === delivered(token, w.amount), "payouts are owed", () => `withdrawal ${w.id} of ${w.amount} gave its recipient ${recipientAfter - recipientBefore}`);
  ctx.check(bridgeBefore - bridgeAfter === w.amount, "escrow", () => `withdrawal ${w.id} of ${w.amount} took ${bridgeBefore - bridgeAfter} from the Bridge`);
  ctx.stats.withdrawalsPaid++;
  return `pays withdrawal ${w.id}: ${w.amount} of ${w.l1Token === ZERO_ADDRESS ? "ETH" : (token?.kind ?? w.l1Token)} to ${short(w.l1Recipient)}`;
};

// --- bonds ------------------------------------------------------------------------------------

const postBond: Action = async (ctx, rng) => {
  const p = rng.pick(ctx.proposers);
  const amount = rng.pick([W.bondSize, W.bondSize / 2n, 2n * W.bondSize]);
  await ctx.accepted("bonds are accepted", () => ctx.world.rollup.connect(p).postBond({ value: amount }));
  const address = p.address.toLowerCase();
  ctx.model.bonds.set(address, ctx.bondOf(address) + amount);
  return `${short(p.address)} bonds ${amount}`;
};

const requestBondWithdrawal: Action = async (ctx, rng) => {
  // Mostly the fallbacks (a sequencer that leaves stops the chain until its bond comes back), but
  // first a proposer whose batches a proof reverted without slashing it: its bond must come back.
  const unslashed = ctx.proposers.filter((q) => ctx.model.revertedUnslashed.has(q.address.toLowerCase()) && !ctx.model.bondRequestedAt.has(q.address.toLowerCase()));
  const p = unslashed.length > 0 && rng.chance(0.5) ? rng.pick(unslashed) : rng.chance(0.8) ? rng.pick(ctx.world.fallbacks) : ctx.world.sequencer;
  const { rollup } = ctx.world;
  const address = p.address.toLowerCase();
  if (ctx.bondOf(address) === 0n) {
    await ctx.refused("bonds", rollup.connect(p).requestBondWithdrawal(), rollup, "RollupNoBond", [p.address]);
    return `${short(p.address)} asks for a bond it does not have: refused`;
  }
  const receipt = await ctx.accepted("bonds", () => rollup.connect(p).requestBondWithdrawal());
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  ctx.model.bondRequestedAt.set(address, BigInt(block!.timestamp));
  return `${short(p.address)} asks for its bond back`;
};

const withdrawBond: Action = async (ctx, rng) => {
  const { model, world } = ctx;
  const { rollup } = world;
  const leaving = ctx.proposers.filter((p) => model.bondRequestedAt.has(p.address.toLowerCase()));
  const p = leaving.length > 0 && rng.chance(0.85) ? rng.pick(leaving) : rng.pick(ctx.proposers);
  const address = p.address.toLowerCase();
  const requestedAt = model.bondRequestedAt.get(address);
  const at = await pinNextBlock(ctx);
  if (requestedAt === undefined) {
    await ctx.refused("bonds", rollup.connect(p).withdrawBond(), rollup, "RollupBondWithdrawalNotRequested", [p.address]);
    return `${short(p.address)} withdraws a bond it did not ask for: refused`;
  }
  const readyAt = requestedAt + BigInt(W.bondWithdrawalDelay);
  if (at < readyAt) {
    await ctx.refused("bonds", rollup.connect(p).withdrawBond(), rollup, "RollupBondWithdrawalTooEarly", [readyAt]);
    return `${short(p.address)} withdraws its bond ${readyAt - at} s early: refused`;
  }
  // A bond answers for its proposer's batches until they are final: none may be standing and open.
  const open = model.batches.filter((b) => b.proposer === address && !model.isFinalAt(b, at));
  ctx.check(open.length === 0, "bonds", () => `${address} may withdraw with batch ${open[0].index} still challengeable`);
  const bond = ctx.bondOf(address);
  const before = await ctx.balance(p.address);
  const receipt = await ctx.accepted("a leaving proposer gets its bond back after the delay", () => rollup.connect(p).withdrawBond());
  const after = await ctx.balance(p.address);
  ctx.check(after - before === bond - feeOf(receipt), "bonds", () => `withdrawBond paid ${after - before + feeOf(receipt)}, the bond was ${bond}`);
  model.bonds.set(address, 0n);
  model.bondRequestedAt.delete(address);
  if (model.revertedUnslashed.has(address)) ctx.stats.bondsWithdrawnAfterReverts++;
  return `${short(p.address)} withdraws its bond of ${bond}`;
};

// --- time -------------------------------------------------------------------------------------

/**
 * Moves L1 time forward: past a challenge window, the bond delay, the inclusion window, the
 * sequencer timeout, or a little. The honest challenger acts first: every lie whose window would
 * close is proven before the clock passes it (the one assumption Cairn's safety rests on).
 */
const timeJump: Action = async (ctx, rng) => {
  const { model } = ctx;
  const now = await model.latestTimestamp();
  const oldestOpen = model.batches.find((b) => !model.isFinalAt(b, now));
  const oldestQueued = model.queue[Number(ctx.consumedOnL1())];
  const request = [...model.bondRequestedAt.values()][0];
  const targets: Array<[string, bigint]> = [
    ["a little", now + BigInt(rng.between(1, 600))],
    ["past the challenge window", (oldestOpen ? oldestOpen.header.timestamp : now) + BigInt(W.challengeWindow) + BigInt(rng.int(3))],
    ["past the bond delay", (request ?? now) + BigInt(W.bondWithdrawalDelay) + BigInt(rng.int(3))],
    ["past the inclusion window", (oldestQueued ? oldestQueued.l1Timestamp : now) + BigInt(W.inclusionWindow) + 1n + BigInt(rng.int(3))],
    ["past the sequencer timeout", ctx.proposingOpensAt() + 1n + BigInt(rng.int(3))],
  ];
  const [what, wanted] = rng.pick(targets);
  const target = wanted > now + 1n ? wanted : now + 1n;
  const proven: string[] = [];
  for (let lie = firstLieClosingBy(ctx, target); lie; lie = firstLieClosingBy(ctx, target)) {
    proven.push(await proveLie(ctx, rng, lie));
  }
  // A proof in its window's last second may have moved the clock past the target already.
  const latest = await model.latestTimestamp();
  const reached = target > latest ? target : latest + 1n;
  await time.increaseTo(reached);
  return `time +${reached - now} s (${what})${proven.length ? `; first: ${proven.join("; ")}` : ""}`;
};

/** The oldest standing lie whose last provable second comes before `target`. */
function firstLieClosingBy(ctx: RunContext, target: bigint): PostedBatch | undefined {
  return ctx.model.batches.find((b) => b.lie && b.header.timestamp + BigInt(W.challengeWindow) <= target + CLOCK_SLACK);
}

export const ACTIONS: Record<ActionKind, { weight: number; run: Action }> = {
  "deposit-eth": { weight: 8, run: depositEth },
  "deposit-token": { weight: 6, run: depositToken },
  "register-token": { weight: 2, run: registerToken },
  "force-withdrawal": { weight: 3, run: forceWithdrawal },
  "honest-batch": { weight: 11, run: honestBatch },
  "lying-batch": { weight: 5, run: lyingBatch },
  "prove-fraud": { weight: 5, run: proveFraud },
  finalize: { weight: 7, run: finalize },
  "post-bond": { weight: 2, run: postBond },
  "request-bond-withdrawal": { weight: 2, run: requestBondWithdrawal },
  "withdraw-bond": { weight: 2, run: withdrawBond },
  "time-jump": { weight: 6, run: timeJump },
  "challenge-final": { weight: 1, run: challengeFinal },
};
