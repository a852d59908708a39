/**
 * The end of a chaos run: let the sequencer post what it holds, let the challenge window pass,
 * pay out the forced withdrawals, and rebuild the L2 from L1 alone (a replica) to count what
 * became of every acknowledged transaction and deposit. The exit criteria are judged here.
 */
import hre from "hardhat";
import { DEVNET_PARAMS } from "../../deploy/params";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { silentLogger } from "../../src/shared/logger";
import { emptyRunOf } from "../../src/core/commitment";
import { allPosted, queueApplied, waitFor, type ChaosContext, type Figure } from "./context";
import type { Deposit } from "./honestUsers";

export interface Drain {
  /** Everything sealed was posted and the queue applied, within the drain time. */
  drained: boolean;
  ms: number;
  unpostedBlocks: number;
  /** The sequencer's latest error when it did not drain: why it stopped posting. */
  sequencerLastError: string | null;
}

/** Waits for the sequencer to seal and post everything, up to the drain time. */
export async function drain(ctx: ChaosContext): Promise<Drain> {
  const started = Date.now();
  const node = () => ctx.devnet.node;
  const drained = await waitFor(async () => !node().sequencer.hasOpenBlock && allPosted(ctx) && (await queueApplied(ctx)), ctx.options.drainSeconds * 1000);
  return { drained, ms: Date.now() - started, unpostedBlocks: node().chain.unbatched().filter((b) => emptyRunOf(b.body) === null).length, sequencerLastError: drained ? null : ctx.nodeLog.lastError("sequencer") };
}

export interface FromL1 {
  honest: { acknowledged: number; included: number; posted: number; final: number; lost: number; lostExamples: Figure[] };
  deposits: { made: number; credited: number; byPhase: { [phase: string]: Figure } };
  chain: { [k: string]: Figure };
  /** Longest wait, in L1 seconds, from a block's L2 timestamp to the L1 block carrying its batch. */
  longestPostingDelayL1Seconds: number;
}

/**
 * Rebuilds the L2 from L1 alone and counts: an acknowledged transaction is final when a batch
 * that L1 holds, and that is past its challenge window, carries it.
 */
export async function checkFromL1(ctx: ChaosContext, deposits: readonly Deposit[]): Promise<FromL1> {
  const { d } = ctx.devnet;
  const replica = new ReplicaNode({ l1Provider: hre.ethers.provider, addresses: d.addresses, startBlock: d.deployBlock, confirmations: 0, chainId: DEVNET_PARAMS.l2ChainId, pollMs: 3_600_000, logger: silentLogger });
  await replica.start();
  try {
    const finalBatches = Number(await d.rollup.finalBatchCount());
    const node = ctx.devnet.node;
    let included = 0;
    let posted = 0;
    let final = 0;
    const lost: Figure[] = [];
    for (const hash of ctx.senders.stats.acknowledged.keys()) {
      const inNode = node.chain.hasTx(hash);
      const onL1 = replica.chain.tx(hash);
      if (inNode) included++;
      if (onL1) posted++;
      const isFinal = onL1 !== undefined && onL1.block.batchIndex !== null && onL1.block.batchIndex < finalBatches;
      if (isFinal) final++;
      else if (lost.length < 10) lost.push({ hash, inSequencerChain: inNode, onL1: onL1 !== undefined });
    }
    const acknowledged = ctx.senders.stats.acknowledged.size;
    return {
      honest: { acknowledged, included, posted, final, lost: acknowledged - final, lostExamples: lost },
      deposits: countDeposits(replica, deposits),
      chain: await chainFigures(ctx, replica, finalBatches),
      longestPostingDelayL1Seconds: await longestL1Delay(replica),
    };
  } finally {
    await replica.stop();
  }
}

function countDeposits(replica: ReplicaNode, deposits: readonly Deposit[]): FromL1["deposits"] {
  const byPhase: { [phase: string]: { made: number; credited: number } } = {};
  let credited = 0;
  for (const dep of deposits) {
    const ok = replica.state.accountOf(dep.recipient)?.balance === dep.amount;
    if (ok) credited++;
    const p = (byPhase[dep.phase] ??= { made: 0, credited: 0 });
    p.made++;
    if (ok) p.credited++;
  }
  return { made: deposits.length, credited, byPhase };
}

/** Batches by proposer, and whether every party that follows L1 ends on the same state root. */
async function chainFigures(ctx: ChaosContext, replica: ReplicaNode, finalBatches: number): Promise<{ [k: string]: Figure }> {
  const { d, fallback, node } = ctx.devnet;
  const events = await d.rollup.queryFilter(d.rollup.filters.BatchSubmitted(), d.deployBlock);
  const byFallback = events.filter((e) => e.args.proposer.toLowerCase() === ctx.devnet.fallbackAddress).length;
  const tip = await d.rollup.tipStateRoot();
  const roots = {
    rollup: tip,
    replica: replica.chain.latest.stateRoot,
    sequencer: node.chain.latest.stateRoot,
    fallbackProposer: "0x" + fallback.challenger.state.root().toString("hex"),
  };
  return {
    l2Blocks: replica.chain.latest.number,
    batches: Number(await d.rollup.batchCount()),
    finalBatches,
    batchSubmissions: events.length,
    batchesByFallbackProposer: byFallback,
    batchesReverted: Number(await d.rollup.revertedBatchCount()),
    queueLength: Number(await d.bridge.queueLength()),
    sequencerStarts: ctx.devnet.starts,
    sequencerL1Resends: ctx.devnet.l1Resends,
    rootsAgree: Object.values(roots).every((r) => r === tip),
    ...(Object.values(roots).every((r) => r === tip) ? {} : { roots }),
  };
}

/** The L1 time from each block's L2 timestamp to the L1 block that posted it; the longest. */
async function longestL1Delay(replica: ReplicaNode): Promise<number> {
  let longest = 0;
  for (const batch of replica.chain.batches) {
    const l1Block = await hre.ethers.provider.getBlock(batch.l1Block);
    if (!l1Block) continue;
    let earliest = Infinity;
    for (let n = batch.firstBlock; n <= batch.lastBlock; n++) earliest = Math.min(earliest, replica.chain.block(n)!.timestamp);
    longest = Math.max(longest, l1Block.timestamp - earliest);
  }
  return longest;
}
