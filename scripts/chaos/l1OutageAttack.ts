/**
 * Attack 3, an L1 outage longer than the inclusion window: the sequencer's L1 provider fails
 * every request (refused for the first half, hung until the outage ends for the second) while
 * honest users keep sending L2 transactions, and L1 itself carries on — a deposit and a forced withdrawal are made, and L1
 * time passes the inclusion window. When L1 comes back, the backlog (sealed with stale L1
 * time) must post, and the entries that became overdue meanwhile must be included.
 */
import { parseEther } from "ethers";
import { DEVNET_PARAMS } from "../../deploy/params";
import { outcome, postedThrough, queueApplied, waitFor, type AttackOutcome, type ChaosContext } from "./context";
import { sleep } from "./rng";

/** L1 seconds the outage lasts past the inclusion window. */
const PAST_WINDOW = 60;

export async function l1OutageAttack(ctx: ChaosContext): Promise<AttackOutcome> {
  const { devnet, senders } = ctx;
  const refusalsBefore = senders.stats.refusedOverloaded;
  const batchesBefore = Number(await devnet.d.rollup.batchCount());
  const l1TimeBefore = await devnet.l1.latestTimestamp();
  devnet.outage.begin("refused");
  let whileDown: { unposted: number; lastBlock: number };
  try {
    await sleep(ctx.options.outageMs / 4);
    // L1 goes on without the sequencer: a user forces a withdrawal, and time passes the window.
    await ctx.forced.request(devnet.victims[0], parseEther("1"), ctx.phase);
    await devnet.l1.warp(DEVNET_PARAMS.inclusionWindow + PAST_WINDOW);
    await sleep(ctx.options.outageMs / 4);
    devnet.outage.begin("black hole");
    await sleep(ctx.options.outageMs / 2);
  } finally {
    whileDown = { unposted: devnet.node.chain.unbatched().length, lastBlock: devnet.node.chain.latest.number };
    devnet.outage.end();
  }
  const l1Skipped = (await devnet.l1.latestTimestamp()) - l1TimeBefore;
  const back = Date.now();
  const queued = await devnet.d.bridge.queueLength();
  const caughtUp = await waitFor(async () => (await queueApplied(ctx, queued)) && postedThrough(ctx, whileDown.lastBlock), ctx.options.drainSeconds * 1000);
  const problems: string[] = [];
  if (devnet.outage.failed === 0) problems.push("the sequencer made no L1 request during the outage: the attack did not happen");
  if (!caughtUp) {
    const unposted = devnet.node.chain.unbatched();
    problems.push(
      `the backlog did not post within ${ctx.options.drainSeconds} s of L1 returning: ${unposted.length} blocks unposted (the first ${unposted[0]?.number}), queue applied to ${devnet.node.state.queueIndex} of ${queued}`,
    );
  }
  return outcome(problems, {
    outageMs: ctx.options.outageMs,
    l1SecondsPassed: l1Skipped,
    inclusionWindowSeconds: DEVNET_PARAMS.inclusionWindow,
    l1RequestsFailed: devnet.outage.failed,
    blocksUnpostedWhenL1Returned: whileDown.unposted,
    caughtUpAfterMs: caughtUp ? Date.now() - back : null,
    batchesToCatchUp: Number(await devnet.d.rollup.batchCount()) - batchesBefore,
    transactionsRefusedOverloaded: senders.stats.refusedOverloaded - refusalsBefore,
  });
}
