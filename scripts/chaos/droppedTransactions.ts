/**
 * Attack 2, dropped L1 transactions: L1 is mined by hand, one block every few hundred
 * milliseconds, and every batch transaction of the sequencer found in the mempool is dropped
 * before the block is mined — as a fee spike's evictions or an L1 node restart would. Once
 * mining is normal again, the submitter must land what it holds (re-sent at the same nonce).
 */
import { Rollup__factory } from "../../typechain-types";
import { outcome, postedThrough, waitFor, type AttackOutcome, type ChaosContext } from "./context";
import { between, sleep } from "./rng";

const SUBMIT_BATCH = Rollup__factory.createInterface().getFunction("submitBatch").selector;

export async function droppedTransactionsAttack(ctx: ChaosContext): Promise<AttackOutcome> {
  const { l1, d, node } = ctx.devnet;
  const before = { batches: Number(await d.rollup.batchCount()), resends: node.txs.resends };
  let drops = 0;
  let blocks = 0;
  const end = Date.now() + ctx.options.dropMs;
  await l1.setAutomine(false);
  try {
    while (Date.now() < end) {
      drops += await dropBatchTransactions(ctx);
      await l1.mine();
      blocks++;
      await sleep(between(ctx.random, 250, 500));
    }
  } finally {
    // Mine what is left (the honest users' L1 transactions), then back to a block per transaction.
    await l1.mine();
    await l1.setAutomine(true);
  }
  const landedDuring = Number(await d.rollup.batchCount()) - before.batches;
  const sealedWhileDropping = node.chain.latest.number;
  const started = Date.now();
  const posted = await waitFor(() => postedThrough(ctx, sealedWhileDropping), 60_000);
  const problems: string[] = [];
  if (drops === 0) problems.push("no batch transaction was in the mempool to drop: the attack did not happen");
  if (!posted) problems.push(`the submitter did not post the blocks sealed while its transactions were dropped within 60 s of mining resuming (${node.chain.unbatched().length} blocks unposted)`);
  return outcome(problems, {
    droppedTransactions: drops,
    l1BlocksMinedByHand: blocks,
    batchesLandedWhileDropping: landedDuring,
    resends: ctx.devnet.node.txs.resends - before.resends,
    backlogPostedAfterMs: posted ? Date.now() - started : null,
  });
}

/** Drops the sequencer's submitBatch transactions waiting in the mempool; returns how many. */
async function dropBatchTransactions(ctx: ChaosContext): Promise<number> {
  const { l1, d } = ctx.devnet;
  let dropped = 0;
  for (const tx of await l1.pending()) {
    const mine = tx.from.toLowerCase() === ctx.devnet.sequencerAddress && tx.to?.toLowerCase() === d.addresses.rollup.toLowerCase() && tx.input.startsWith(SUBMIT_BATCH);
    if (mine && (await l1.drop(tx.hash))) dropped++;
  }
  return dropped;
}
