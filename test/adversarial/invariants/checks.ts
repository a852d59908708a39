/**
 * The invariants, checked against L1 after every step of a run.
 */
import { ethers } from "hardhat";
import { Contract } from "ethers";
import { QueueKind, ZERO_ADDRESS } from "../../../src/core/constants";
import { headerOf, sameHeader } from "./model";
import type { RunContext } from "./context";

const balanceOf = (token: string) => new Contract(token, ["function balanceOf(address) view returns (uint256)"], ethers.provider);

/** Reads L1's new events, brings the replica up to L1, settles what is final, then checks every invariant. */
export async function observeAndCheck(ctx: RunContext): Promise<void> {
  const { model } = ctx;
  await model.observeEvents();
  await model.replicate();
  const now = await model.latestTimestamp();
  model.settle(now);
  await checkChain(ctx, now);
  await checkEscrow(ctx);
  checkPayouts(ctx);
  await checkBonds(ctx);
}

/**
 * L1's batch chain is the model's: same count and headers; final batches never change or go;
 * no lie is final; the fallback clock is the latest standing sequencer batch's submission time
 * (restored by a revert) and proposing opens when the model says; with no lie standing, the
 * replica and the sequencer are both at L1's tip.
 */
async function checkChain(ctx: RunContext, now: bigint): Promise<void> {
  const { rollup } = ctx.world;
  const { model } = ctx;
  const count = Number(await rollup.batchCount());
  ctx.check(count === model.batches.length, "chain agreement", () => `L1 holds ${count} batches, the model ${model.batches.length}`);
  for (const [index, header] of model.finalHeaders) {
    ctx.check(index < count, "final batches stand", () => `final batch ${index} is gone (L1 holds ${count})`);
    const onL1 = headerOf(await rollup.getBatch(index));
    ctx.check(sameHeader(onL1, header), "final batches stand", () => `final batch ${index} changed: ${JSON.stringify(onL1, big)} was ${JSON.stringify(header, big)}`);
  }
  for (const b of model.batches) {
    if (model.finalHeaders.has(b.index)) continue;
    const onL1 = headerOf(await rollup.getBatch(b.index));
    ctx.check(sameHeader(onL1, b.header), "chain agreement", () => `batch ${b.index} on L1 is not the one posted`);
    if (b.lie) ctx.check(!(await rollup.isFinal(b.index)), "no lie becomes final", () => `lying batch ${b.index} (${b.lie!.kind}) is final`);
  }
  const finalCount = model.batches.filter((b) => model.isFinalAt(b, now)).length;
  ctx.check((await rollup.finalBatchCount()) === BigInt(finalCount), "chain agreement", () => `finalBatchCount differs from the model's ${finalCount} at ${now}`);
  ctx.check((await rollup.tipStateRoot()) === ctx.tipRoot(), "chain agreement", () => `tipStateRoot is not the tip batch's post-state root`);
  ctx.check((await rollup.revertedBatchCount()) === model.revertedBatchCount, "chain agreement", () => `revertedBatchCount differs from the model's ${model.revertedBatchCount}`);
  const clock = await rollup.sequencerLastPostedAt();
  const expected = ctx.expectedFallbackClock();
  ctx.check(clock === expected, "fallback clock", () => `sequencerLastPostedAt is ${clock}; the latest standing sequencer batch's submission time (or deployment) is ${expected}`);
  const opensAt = await rollup.proposingOpensAt();
  ctx.check(opensAt === ctx.proposingOpensAt(), "fallback clock", () => `proposingOpensAt is ${opensAt}, the model's ${ctx.proposingOpensAt()}`);
  if (model.lies().length === 0) {
    const tip = ctx.tipRoot();
    ctx.check(model.replayed.length === count, "honest replay", () => `the replica replayed ${model.replayed.length} of ${count} honest batches (stuck: ${JSON.stringify(model.stuck?.verdict, big)})`);
    ctx.check("0x" + model.replica.root().toString("hex") === tip, "honest replay", () => `the replica's root is not L1's tip`);
    ctx.check("0x" + model.sequencer.root().toString("hex") === tip, "honest replay", () => `the sequencer's root is not L1's tip`);
  }
}

/**
 * For ETH and every registered token: what the Bridge holds equals the honest L2's balances, plus
 * deposits queued and not yet consumed by it, plus withdrawals it recorded that L1 has not paid.
 * The honest L2 is the replica: it holds only batches that replay, so a pending lie counts for
 * nothing. A fee-on-transfer deposit is queued with what the Bridge received.
 */
async function checkEscrow(ctx: RunContext): Promise<void> {
  const { model, world } = ctx;
  const totals = model.replica.totals();
  const recount = model.replica.recountTotals();
  ctx.check(totals.eth === recount.eth, "escrow", () => `the replica's running ETH total ${totals.eth} is not its recount ${recount.eth}`);
  const pending = new Map<string, bigint>();
  const add = (key: string, v: bigint) => pending.set(key, (pending.get(key) ?? 0n) + v);
  for (let i = Number(model.replica.queueIndex); i < model.queue.length; i++) {
    const e = model.queue[i];
    if (e.kind === QueueKind.ETH_DEPOSIT) add(ZERO_ADDRESS, e.amount);
    if (e.kind === QueueKind.TOKEN_DEPOSIT) add(ctx.registered[e.tokenId], e.amount);
  }
  for (const [id, owed] of model.owed()) if (!model.payouts.has(id)) add(owed.withdrawal.l1Token, owed.withdrawal.amount);
  const eth = await ethers.provider.getBalance(world.bridgeAddress);
  const expectedEth = totals.eth + (pending.get(ZERO_ADDRESS) ?? 0n);
  ctx.check(eth === expectedEth, "escrow", () => `the Bridge holds ${eth} wei; L2 balances ${totals.eth} + queued deposits and unpaid withdrawals ${pending.get(ZERO_ADDRESS) ?? 0n} = ${expectedEth}`);
  const onL1 = Number(await world.bridge.tokenCount());
  ctx.check(onL1 === ctx.registered.length, "escrow", () => `the Bridge knows ${onL1} tokens, the model ${ctx.registered.length}`);
  for (let id = 0; id < ctx.registered.length; id++) {
    const token = ctx.registered[id];
    const held = (await balanceOf(token).getFunction("balanceOf")(world.bridgeAddress)) as bigint;
    const onL2 = totals.tokens.get(id) ?? 0n;
    ctx.check(onL2 === (recount.tokens.get(id) ?? 0n), "escrow", () => `the replica's running total of token ${id} is not its recount`);
    const expected = onL2 + (pending.get(token) ?? 0n);
    ctx.check(held === expected, "escrow", () => `the Bridge holds ${held} of token ${id} (${token}); L2 ${onL2} + queued and unpaid ${pending.get(token) ?? 0n} = ${expected}`);
  }
}

/**
 * Every payout L1 made (WithdrawalFinalized, which observeEvents also checks for repeats) is a
 * withdrawal the honest L2 recorded, to the same recipient, token and amount, from the batch
 * that holds it, and that batch is final.
 */
function checkPayouts(ctx: RunContext): void {
  const { model } = ctx;
  const owed = model.owed();
  for (const p of model.payouts.values()) {
    const o = owed.get(p.id);
    ctx.check(o !== undefined, "payouts are owed", () => `withdrawal ${p.id} paid ${p.amount} of ${p.token} to ${p.recipient}, but the honest L2 never recorded it`);
    if (!o) continue;
    const w = o.withdrawal;
    ctx.check(
      w.l1Recipient === p.recipient && w.l1Token === p.token && w.amount === p.amount && o.batchIndex === p.batchIndex,
      "payouts are owed",
      () => `withdrawal ${p.id} paid ${p.amount} of ${p.token} to ${p.recipient} from batch ${p.batchIndex}; owed ${w.amount} of ${w.l1Token} to ${w.l1Recipient} from batch ${o.batchIndex}`,
    );
    ctx.check(model.finalHeaders.has(p.batchIndex), "payouts are owed", () => `withdrawal ${p.id} was paid from batch ${p.batchIndex}, which the model has not seen final`);
  }
}

/** Bonds, pending requests and the burned total are the model's; the Rollup's ETH is exactly their sum. */
async function checkBonds(ctx: RunContext): Promise<void> {
  const { rollup, rollupAddress } = ctx.world;
  const { model } = ctx;
  let sum = 0n;
  for (const p of ctx.proposers) {
    const address = p.address.toLowerCase();
    const bond = await rollup.bonds(p.address);
    sum += bond;
    ctx.check(bond === ctx.bondOf(address), "bonds", () => `${address} has a bond of ${bond}, the model ${ctx.bondOf(address)}`);
    const requested = await rollup.bondWithdrawalRequestedAt(p.address);
    ctx.check(requested === (model.bondRequestedAt.get(address) ?? 0n), "bonds", () => `${address} asked for its bond back at ${requested}, the model ${model.bondRequestedAt.get(address) ?? 0n}`);
  }
  const burned = await rollup.burnedBonds();
  ctx.check(burned === model.burned, "bonds", () => `burnedBonds is ${burned}, the model ${model.burned}`);
  const held = await ethers.provider.getBalance(rollupAddress);
  ctx.check(held === sum + burned, "bonds", () => `the Rollup holds ${held} wei; bonds ${sum} + burned ${burned}`);
}

/** JSON.stringify replacer for bigint and Buffer fields. */
export function big(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v && typeof v === "object" && (v as { type?: string }).type === "Buffer") return "0x" + Buffer.from((v as { data: number[] }).data).toString("hex");
  return v;
}
