/**
 * Stateful invariants of Cairn's L1 contracts (soundness issue #13): random sequences of
 * deposits, token registrations, forced withdrawals, honest and lying batches, fraud proofs,
 * payouts, bonds and time jumps, with every invariant checked after every step. See
 * test/adversarial/invariants/ for the model, the actions and the checks.
 *
 * INVARIANT_SEED, INVARIANT_RUNS and INVARIANT_STEPS choose the runs (a failure prints its seed
 * and steps); INVARIANT_PLAN replays a plan printed by a failure. `npm run fuzz:invariants` runs
 * longer and prints counts.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { observeAndCheck } from "./invariants/checks";
import { RunContext } from "./invariants/context";
import { InvariantViolation, emptyStats, type Stats } from "./invariants/model";
import { RunFailure, runOnce, settingsFromEnv } from "./invariants/runner";
import { deployWorld, INVARIANT_PARAMS } from "./invariants/world";
import { postHonestBatch, postLyingBatch, proveLie } from "./invariants/actions";
import { Rng } from "./invariants/rng";

/** A world with a funded L2 account and an honest batch posted, and the run context checking it. */
async function startedRun(stats: Stats = emptyStats()): Promise<RunContext> {
  const world = await loadFixture(deployWorld);
  const ctx = new RunContext(world, 1, stats, new Set());
  const user = world.users[0];
  await (await world.bridge.connect(user.signer).depositETH(user.address, { value: ethers.parseEther("1") })).wait();
  await observeAndCheck(ctx);
  await postHonestBatch(ctx, new Rng(1), world.sequencer);
  await observeAndCheck(ctx);
  return ctx;
}

/** The invariant `run` breaks, or null. */
async function brokenBy(run: () => Promise<void>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (e) {
    if (e instanceof InvariantViolation) return e.invariant;
    throw e;
  }
}

describe("Cairn's L1 invariants hold under random action sequences", function () {
  const settings = settingsFromEnv({ runs: 3, steps: 40, seed: 13 });
  this.timeout(Math.max(120_000, settings.runs * settings.steps * 5_000));

  it(`keep escrow, payouts, finality, reverts and bonds right over ${settings.runs} runs of ${settings.steps} steps from seed ${settings.seed}`, async () => {
    const stats = emptyStats();
    for (let run = 0; run < settings.runs; run++) {
      const seed = settings.seed + run;
      try {
        await runOnce({ seed, steps: settings.steps, plan: settings.plan, warnOnly: settings.warnOnly }, stats);
      } catch (e) {
        if (e instanceof RunFailure) expect.fail(e.message);
        throw e;
      }
    }
    const { runs, steps, batchesPosted, batchesReverted, proofs, maxProofGas, withdrawalsPaid, refusalsChecked, warnings } = stats;
    console.log(`      ${JSON.stringify({ runs, steps, batchesPosted, batchesReverted, proofs, maxProofGas, withdrawalsPaid, refusalsChecked, warnings })}`);
    // Runs that never reach a batch, a proof or a payout test little: the plan's weights must get
    // there in any run of a reasonable length.
    if (settings.runs * settings.steps >= 100) {
      expect(stats.batchesPosted, "batches posted").to.be.greaterThan(0);
      expect(stats.proofs, "fraud proofs").to.be.greaterThan(0);
      expect(stats.withdrawalsPaid, "withdrawals paid").to.be.greaterThan(0);
    }
  });
});

describe("The invariant checks catch what they guard against", function () {
  this.timeout(120_000);

  it("escrow: a queued deposit the Bridge holds one wei less of", async () => {
    const ctx = await startedRun();
    const user = ctx.world.users[1];
    await (await ctx.world.bridge.connect(user.signer).depositETH(user.address, { value: 1000n })).wait();
    await observeAndCheck(ctx);
    ctx.model.queue.at(-1)!.amount += 1n;
    expect(await brokenBy(() => observeAndCheck(ctx))).to.equal("escrow");
  });

  it("payouts: a payout the honest L2 never recorded", async () => {
    const ctx = await startedRun();
    ctx.model.payouts.set(999n, { id: 999n, recipient: ctx.attacker, token: ethers.ZeroAddress, amount: 1n, batchIndex: 0 });
    expect(await brokenBy(() => observeAndCheck(ctx))).to.equal("payouts are owed");
  });

  it("finality: a lie nobody proved inside its window", async () => {
    const ctx = await startedRun();
    await postLyingBatch(ctx, new Rng(2), ctx.world.sequencer, "wrong-post-state");
    await observeAndCheck(ctx);
    await time.increase(INVARIANT_PARAMS.challengeWindow);
    expect(await brokenBy(() => observeAndCheck(ctx))).to.equal("no lie becomes final");
  });
});

describe("After a proven lie, what the revert must restore is restored", function () {
  this.timeout(120_000);

  it("the sequencer, whose batch on top of a fallback's lie was reverted with it, keeps its bond and gets it back after the usual delay", async () => {
    const ctx = await startedRun();
    const { world } = ctx;
    const [fallback] = world.fallbacks;
    await time.increase(INVARIANT_PARAMS.sequencerTimeout + 1);
    await observeAndCheck(ctx);
    await postLyingBatch(ctx, new Rng(3), fallback, "stolen-withdrawal");
    await observeAndCheck(ctx);
    await postHonestBatch(ctx, new Rng(4), world.sequencer);
    await observeAndCheck(ctx);
    const lie = ctx.model.batches.find((b) => b.lie)!;
    await proveLie(ctx, new Rng(5), lie);
    await observeAndCheck(ctx);
    expect(await world.rollup.batchCount()).to.equal(BigInt(lie.index));
    expect(await world.rollup.bonds(world.sequencer.address)).to.equal(INVARIANT_PARAMS.bondSize);

    await (await world.rollup.connect(world.sequencer).requestBondWithdrawal()).wait();
    const requestedAt = await world.rollup.bondWithdrawalRequestedAt(world.sequencer.address);
    ctx.model.bondRequestedAt.set(world.sequencer.address.toLowerCase(), requestedAt);
    await time.setNextBlockTimestamp(requestedAt + BigInt(INVARIANT_PARAMS.bondWithdrawalDelay));
    await expect(world.rollup.connect(world.sequencer).withdrawBond()).to.changeEtherBalance(world.sequencer, INVARIANT_PARAMS.bondSize, { includeFee: false });
    ctx.model.bonds.set(world.sequencer.address.toLowerCase(), 0n);
    ctx.model.bondRequestedAt.delete(world.sequencer.address.toLowerCase());
    await observeAndCheck(ctx);
  });
});
