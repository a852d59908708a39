/**
 * Runs random action sequences against Cairn and checks the invariants after every step.
 *
 * A run is a plan — a list of (action, seed) pairs drawn from the run's seed — executed on a fresh
 * deployment. Each action resolves its own choices from its seed against the model, so a plan
 * with steps removed still runs (an action with nothing to act on says "skipped"): that is what
 * makes the shrinker possible. The same seed gives the same plan; a failure prints the seed, the
 * plan and the log of what each step did.
 */
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ACTIONS, type ActionKind } from "./actions";
import { observeAndCheck } from "./checks";
import { RunContext } from "./context";
import { InvariantViolation, count, emptyStats, type Stats } from "./model";
import { Rng } from "./rng";
import { deployWorld } from "./world";

export type PlanStep = [ActionKind, number];

export interface RunOptions {
  seed: number;
  steps: number;
  /** Invariants only counted (stats.warnings), not failed: for a fix known to be under way. */
  warnOnly?: ReadonlySet<string>;
  /** A plan to run instead of the seed's (a shrunk one, from a failure message). */
  plan?: PlanStep[];
}

/** A run that broke an invariant: everything needed to reproduce it. */
export class RunFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    readonly invariant: string,
    override readonly cause: Error,
    readonly plan: PlanStep[],
    readonly log: string[],
  ) {
    super(
      [
        `invariant "${invariant}" broken at step ${step} of the run with seed ${seed}:`,
        `  ${cause.message.split("\n").join("\n  ")}`,
        `steps:`,
        ...log.map((l) => `  ${l}`),
        `reproduce (the run's seed also draws the L2 wallets' keys, so keep it with the plan):`,
        `  INVARIANT_SEED=${seed} INVARIANT_PLAN='${JSON.stringify(plan.slice(0, step + 1))}' npx hardhat test --no-compile test/adversarial/invariants.test.ts`,
      ].join("\n"),
    );
  }
}

/** The plan a seed draws: actions by weight, each with its own seed. */
export function planFor(seed: number, steps: number): PlanStep[] {
  const rng = new Rng(seed);
  const kinds = Object.keys(ACTIONS) as ActionKind[];
  const total = kinds.reduce((s, k) => s + ACTIONS[k].weight, 0);
  const plan: PlanStep[] = [];
  for (let i = 0; i < steps; i++) {
    let r = rng.int(total);
    const kind = kinds.find((k) => (r -= ACTIONS[k].weight) < 0)!;
    plan.push([kind, rng.seed()]);
  }
  return plan;
}

/** Runs one plan on a fresh deployment; throws RunFailure at the first broken invariant. */
export async function runOnce(options: RunOptions, stats: Stats = emptyStats()): Promise<string[]> {
  const plan = options.plan ?? planFor(options.seed, options.steps);
  const world = await loadFixture(deployWorld);
  const ctx = new RunContext(world, options.seed, stats, options.warnOnly ?? new Set());
  const log: string[] = [];
  let step = -1;
  try {
    await observeAndCheck(ctx);
    for (step = 0; step < plan.length; step++) {
      const [kind, seed] = plan[step];
      count(stats.actions, kind);
      const line = await ACTIONS[kind].run(ctx, new Rng(seed));
      if (line.startsWith("skipped")) count(stats.skipped, kind);
      log.push(`${step} ${kind}: ${line}`);
      await observeAndCheck(ctx);
      stats.steps++;
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const invariant = error instanceof InvariantViolation ? error.invariant : "unexpected error";
    if (step >= 0 && step < plan.length && log.length === step) log.push(`${step} ${plan[step][0]}: (failed here)`);
    throw new RunFailure(options.seed, Math.max(step, 0), invariant, error, plan, log);
  }
  stats.runs++;
  return log;
}

/**
 * Removes steps from a failing plan while it still breaks the same invariant (halves, then
 * quarters, … single steps): what is left is a short sequence that shows the failure.
 */
export async function shrink(failure: RunFailure, warnOnly: ReadonlySet<string>, onProgress: (plan: PlanStep[]) => void = () => {}): Promise<RunFailure> {
  let best = failure;
  let plan = failure.plan.slice(0, failure.step + 1);
  for (let size = Math.ceil(plan.length / 2); size >= 1; size = size === 1 ? 0 : Math.ceil(size / 2)) {
    for (let at = 0; at < plan.length; ) {
      const candidate = [...plan.slice(0, at), ...plan.slice(at + size)];
      const result = await tryPlan(failure.seed, candidate, warnOnly);
      if (result && result.invariant === failure.invariant) {
        best = result;
        plan = candidate.slice(0, result.step + 1);
        onProgress(plan);
      } else {
        at += size;
      }
    }
  }
  return best;
}

async function tryPlan(seed: number, plan: PlanStep[], warnOnly: ReadonlySet<string>): Promise<RunFailure | null> {
  try {
    await runOnce({ seed, steps: plan.length, plan, warnOnly });
    return null;
  } catch (e) {
    if (e instanceof RunFailure) return e;
    throw e;
  }
}

/** Settings from the environment: INVARIANT_SEED, INVARIANT_RUNS, INVARIANT_STEPS, INVARIANT_PLAN, INVARIANT_WARN_ONLY. */
export function settingsFromEnv(defaults: { runs: number; steps: number; seed: number }) {
  const num = (name: string, fallback: number) => {
    const v = process.env[name];
    if (v === undefined || v === "") return fallback;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not "${v}"`);
    return n;
  };
  const planText = process.env.INVARIANT_PLAN;
  const plan = planText ? (JSON.parse(planText) as PlanStep[]) : undefined;
  if (plan && !plan.every(([k, s]) => k in ACTIONS && Number.isSafeInteger(s))) throw new Error("INVARIANT_PLAN must be a JSON list of [action, seed] pairs");
  const warnOnly = new Set((process.env.INVARIANT_WARN_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean));
  return {
    seed: num("INVARIANT_SEED", defaults.seed),
    runs: plan ? 1 : num("INVARIANT_RUNS", defaults.runs),
    steps: plan ? plan.length : num("INVARIANT_STEPS", defaults.steps),
    plan,
    warnOnly,
  };
}
