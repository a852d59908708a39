/**
 * Attack 4, a queue flood during a sequencer silence: the sequencer stops (what it acknowledged
 * and did not post is only in its journal), an attacker floods the L1 queue with 1-wei forced
 * withdrawals from a contract, a user forces a withdrawal behind the flood, and L1 time passes
 * the sequencer timeout. The fallback proposer must work through the queue in batches that fit
 * L1, the user's withdrawal among them; then the sequencer comes back and carries on from L1.
 */
import { parseEther } from "ethers";
import { DEVNET_PARAMS } from "../../deploy/params";
import { outcome, waitFor, type AttackOutcome, type ChaosContext, type Figure } from "./context";

/** Entries per flooding transaction: ~10.7M gas, under the 16,777,216 per-transaction cap. */
const PER_FLOOD_TX = 400;
/** The Osaka per-transaction gas cap: every fallback batch must fit it. */
const TX_GAS_CAP = 16_777_216n;

export async function queueFloodAttack(ctx: ChaosContext): Promise<AttackOutcome> {
  const { devnet } = ctx;
  const firstBlock = await devnet.l1.latestBlockNumber();
  const fallbackBefore = devnet.fallback.batchesPosted;
  const silenceStarted = await devnet.l1.latestTimestamp();
  const rssMb: { [moment: string]: Figure } = { before: rss() };
  await devnet.stopSequencer();
  await floodQueue(ctx);
  rssMb.afterFlood = rss();
  const victim = devnet.victims[1];
  await ctx.forced.request(victim, parseEther("2"), ctx.phase);
  const queued = await devnet.d.bridge.queueLength();
  // Long enough that every entry is overdue when the fallback may post.
  await devnet.l1.warp(DEVNET_PARAMS.sequencerTimeout + DEVNET_PARAMS.inclusionWindow);
  const worked = await fallbackWorksThrough(ctx, queued);
  rssMb.afterFallback = rss();
  const victimL2 = devnet.fallback.challenger.state.accountOf(victim.address.toLowerCase())?.balance ?? 0n;
  const silenceL1Seconds = (await devnet.l1.latestTimestamp()) - silenceStarted;
  const restart = await sequencerComesBack(ctx);
  rssMb.afterRestart = rss();
  const gas = await fallbackBatchGas(ctx, devnet.fallbackAddress, firstBlock);

  const problems: string[] = [];
  if (worked.ms === null) problems.push(`the fallback proposer did not work through the queue within 180 s (at entry ${devnet.fallback.challenger.state.queueIndex} of ${queued})`);
  if (victimL2 > VICTIM_LEFT) problems.push("the forced withdrawal behind the flood was not applied on L2");
  if (gas.some((g) => g >= TX_GAS_CAP)) problems.push("a fallback batch used more gas than one L1 transaction may");
  if (restart.error) problems.push(`the sequencer did not come back after the silence: ${restart.error}`);
  return outcome(problems, {
    floodEntries: ctx.options.floodEntries,
    queueLength: Number(queued),
    silenceL1Seconds,
    fallbackBatches: devnet.fallback.batchesPosted - fallbackBefore,
    fallbackBatchGas: gas.map(Number),
    workedThroughMs: worked.ms,
    forcedWithdrawalAppliedOnL2: victimL2 <= VICTIM_LEFT,
    sequencerRestartMs: restart.ms,
    sequencerRestart: { ...devnet.node.startup },
    batchesOnL1: Number(await devnet.d.rollup.batchCount()),
    rssMb,
  });
}

/** What the victim (5 ETH on L2) has left once its 2 ETH forced withdrawal is applied, fees aside. */
const VICTIM_LEFT = parseEther("3.01");

/** The attacker's flood: 1-wei forced withdrawals from a contract, PER_FLOOD_TX a transaction. */
async function floodQueue(ctx: ChaosContext): Promise<void> {
  for (let left = ctx.options.floodEntries; left > 0; left -= PER_FLOOD_TX) {
    await (await ctx.devnet.flooder.floodForcedWithdrawals(Math.min(PER_FLOOD_TX, left), { gasLimit: 16_000_000 })).wait();
  }
}

/** Waits (up to 180 s) for the fallback proposer to have consumed `queued` entries; how long it took, or null. */
async function fallbackWorksThrough(ctx: ChaosContext, queued: bigint): Promise<{ ms: number | null }> {
  const started = Date.now();
  const done = await waitFor(() => ctx.devnet.fallback.challenger.state.queueIndex >= queued, 180_000);
  return { ms: done ? Date.now() - started : null };
}

/** The sequencer restarts on its data directory: how long it took, or why it could not. */
async function sequencerComesBack(ctx: ChaosContext): Promise<{ ms: number; error: string | null }> {
  const started = Date.now();
  const error = await ctx.devnet.restartSequencer().then(
    () => null,
    (e: unknown) => (e as Error).message.slice(0, 300),
  );
  return { ms: Date.now() - started, error };
}

/** The process's resident memory now, in MB. */
const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);

/** Gas used by each batch the fallback proposer posted since L1 block `from`. */
async function fallbackBatchGas(ctx: ChaosContext, proposer: string, from: number): Promise<bigint[]> {
  const { rollup } = ctx.devnet.d;
  const events = await rollup.queryFilter(rollup.filters.BatchSubmitted(), from);
  const gas: bigint[] = [];
  for (const e of events) {
    if (e.args.proposer.toLowerCase() !== proposer) continue;
    gas.push((await e.getTransactionReceipt()).gasUsed);
  }
  return gas;
}
