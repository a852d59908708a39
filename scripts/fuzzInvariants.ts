/**
 * The invariant suite of test/adversarial/invariants.test.ts, run longer: `npm run
 * fuzz:invariants`. Every run is checked after every step; a failing run is reported (to stderr,
 * with its seed, steps and plan) and the next one starts. Prints the counts as JSON on stdout and
 * exits 1 if any invariant broke.
 *
 * INVARIANT_SEED (first run's seed, default 1000), INVARIANT_RUNS (default 20), INVARIANT_STEPS
 * (default 80), INVARIANT_PLAN (replay one printed plan), INVARIANT_WARN_ONLY (comma-separated
 * invariants to count instead of fail), INVARIANT_SHRINK=1 (cut each failing plan down to a short
 * sequence that still fails, and print that).
 */
import { emptyStats } from "../test/adversarial/invariants/model";
import { RunFailure, runOnce, settingsFromEnv, shrink } from "../test/adversarial/invariants/runner";

async function main(): Promise<number> {
  const settings = settingsFromEnv({ runs: 20, steps: 80, seed: 1000 });
  const stats = emptyStats();
  const started = Date.now();
  for (let run = 0; run < settings.runs; run++) {
    const seed = settings.seed + run;
    try {
      await runOnce({ seed, steps: settings.steps, plan: settings.plan, warnOnly: settings.warnOnly }, stats);
    } catch (e) {
      if (!(e instanceof RunFailure)) throw e;
      stats.failures.push({ seed, invariant: e.invariant, step: e.step, message: e.cause.message });
      console.error(e.message + "\n");
      if (process.env.INVARIANT_SHRINK === "1") {
        const small = await shrink(e, settings.warnOnly, (plan) => console.error(`  shrunk to ${plan.length} steps`));
        console.error(`shortest sequence found:\n${small.message}\n`);
      }
    }
  }
  const { runs, steps, actions, skipped, lies, proofs, proofsAtLastSecond, maxProofGas, batchesPosted, fallbackBatches, batchesReverted, withdrawalsPaid, refusalsChecked, bondsWithdrawnAfterReverts, warnings, failures } = stats;
  const report = {
    firstSeed: settings.seed,
    runs,
    steps,
    stepsByAction: actions,
    skippedByAction: skipped,
    liesPosted: lies,
    proofs,
    proofsAtLastSecond,
    maxProofGas,
    batchesPosted,
    fallbackBatches,
    batchesReverted,
    withdrawalsPaid,
    refusalsChecked,
    bondsWithdrawnAfterReverts,
    warnings,
    failures: failures.map((f) => ({ ...f, message: f.message.split("\n")[0] })),
    seconds: Math.round((Date.now() - started) / 1000),
  };
  console.log(JSON.stringify(report, null, 2));
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
