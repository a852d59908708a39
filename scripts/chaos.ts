/**
 * The chaos run: a devnet under a mix of attacks — invalid token metadata, filter and
 * connection floods against the RPC, dropped L1 transactions, an L1 outage longer than the
 * inclusion window, a queue flood during a sequencer silence — while honest users keep sending
 * L2 transactions, depositing on L1 and polling their filters. Prints one JSON report; exits
 * non-zero if an acknowledged transaction was lost, posting stopped for good, or a forced
 * withdrawal never completed (or an attack left the system broken in another way it names).
 *
 *   npm run -s chaos [-- --seconds 150 --seed 1]
 *
 * or CHAOS_SECONDS / CHAOS_SEED; CHAOS_LOG=1 echoes the nodes' warnings to stderr (with
 * CHAOS_LOG_LEVEL=info, everything). `-s` keeps npm's banner off stdout, so it is only the JSON.
 * The seed fixes the accounts and every random draw; the interleaving of honest traffic with the
 * attacks still depends on the machine's timing.
 */
import { DEVNET_PARAMS } from "../deploy/params";
import { ChaosDevnet } from "./chaos/devnet";
import { countingLog } from "./chaos/nodeLog";
import { optionsFrom, type ChaosOptions } from "./chaos/options";
import { rng, sleep } from "./chaos/rng";
import { HttpRpc } from "./chaos/rpcClient";
import { HonestDepositors, HonestSenders, honestKeys, type HonestKey } from "./chaos/honestUsers";
import { ForcedWithdrawals } from "./chaos/forcedWithdrawals";
import { Monitor } from "./chaos/monitor";
import { outcome, type AttackOutcome, type ChaosContext, type Figure } from "./chaos/context";
import { hostileMetadataAttack } from "./chaos/hostileMetadata";
import { RpcFlood } from "./chaos/rpcFlood";
import { droppedTransactionsAttack } from "./chaos/droppedTransactions";
import { l1OutageAttack } from "./chaos/l1OutageAttack";
import { queueFloodAttack } from "./chaos/queueFlood";
import { checkFromL1, drain, type Drain, type FromL1 } from "./chaos/verdict";

export interface ChaosReport {
  ok: boolean;
  /** Why not ok: the exit criteria that failed first, then the attacks that broke something. */
  failures: string[];
  seed: number;
  seconds: number;
  wallSeconds: number;
  honestTransactions: FromL1["honest"] & { refusedOverloaded: number; refusedOverloadedByPhase: { [phase: string]: number }; unreachable: number; refused: { [k: string]: number } };
  postingDelay: { longestL1Seconds: number; inclusionWindowSeconds: number; longestSealedToPostedWallMs: number; longestAcknowledgedToPostedWallMs: number };
  posting: Drain & { stoppedForGood: boolean };
  forcedWithdrawals: { requested: number; completed: number; details: Figure[] };
  deposits: FromL1["deposits"];
  /** The whole process's: the in-process L1, the sequencer, the fallback proposer, the RPC, the attackers' clients. */
  peakRssMb: number;
  peakRssMbByPhase: { [phase: string]: number };
  chain: FromL1["chain"];
  attacks: { [name: string]: AttackOutcome };
  unhandledRejections: string[];
  /** The nodes' warnings and errors, by message. */
  nodeLog: { [message: string]: number };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = rng(options.seed);
  const log = countingLog(process.env.CHAOS_LOG === "1", process.env.CHAOS_LOG_LEVEL);
  const rejections: string[] = [];
  const onRejection = (e: unknown) => rejections.push(((e as Error)?.stack ?? String(e)).slice(0, 400));
  const keys = honestKeys(options.seed, options.senders);
  options.log(`deploying (seed ${options.seed}, ${options.seconds} s)`);
  const devnet = await ChaosDevnet.deploy(options, keys, log);
  const honestRpc = new HttpRpc(() => devnet.rpcUrl, "127.0.0.1", { keepAlive: true, maxSockets: options.senders + 2 });
  // Called only once the run is under way, by when ctx exists.
  const senders = new HonestSenders(keys, honestRpc, random, () => ctx.phase);
  const ctx: ChaosContext = { options, random, devnet, senders, forced: new ForcedWithdrawals(devnet.d.bridge), honestRpc, nodeLog: log, phase: "setup" };
  const monitor = new Monitor(() => devnet.node, senders.stats.acknowledged, () => ctx.phase);
  const depositors = new HonestDepositors(devnet.d.bridge, devnet.depositors, random, () => ctx.phase);
  // A promise nobody awaited that failed is a bug somewhere: count it rather than die of it.
  process.on("unhandledRejection", onRejection);
  try {
    devnet.onSequencer((node) => monitor.watch(node));
    await devnet.startNodes();
    monitor.start();
    senders.start();
    depositors.start();
    const attacks = await runAttacks(ctx, keys, started);
    await senders.stop();
    await depositors.stop();
    ctx.phase = "final checks";
    options.log("draining, then checking everything from L1");
    const posted = await drain(ctx);
    await devnet.l1.warp(DEVNET_PARAMS.challengeWindow + 1);
    await ctx.forced.finalizeAll(devnet.node.chain, honestRpc, devnet.funder);
    const fromL1 = await checkFromL1(ctx, depositors.deposits);
    monitor.stop();
    return report(ctx, { started, attacks, posted, fromL1, monitor, rejections, nodeLog: log.counts() });
  } finally {
    process.off("unhandledRejection", onRejection);
    monitor.stop();
    await senders.stop();
    await depositors.stop();
    honestRpc.close();
    await devnet.stop();
  }
}

/**
 * The attacks in order, then honest traffic alone until the run's seconds are up. An attack
 * that throws is recorded as broken and the run goes on: what follows may still tell something.
 */
async function runAttacks(ctx: ChaosContext, keys: HonestKey[], started: number): Promise<{ [name: string]: AttackOutcome }> {
  const attacks: { [name: string]: AttackOutcome } = {};
  const run = async (name: string, attack: () => Promise<AttackOutcome>) => {
    ctx.phase = name;
    ctx.options.log(`attack: ${name}`);
    try {
      attacks[name] = await attack();
    } catch (e) {
      attacks[name] = outcome([`the attack could not run to its end: ${(e as Error).message.slice(0, 400)}`], {});
    }
    if (!attacks[name].held) ctx.options.log(`  ${name} broke something: ${attacks[name].problems.join("; ")}`);
  };
  // A moment of honest traffic first: the throughput the RPC flood is measured against.
  await sleep(1_000);
  await run("hostileMetadata", () => hostileMetadataAttack(ctx, keys));
  // The RPC flood stays in place (the honest clients keep polling) through the next two attacks.
  const rpcFlood = new RpcFlood(ctx);
  ctx.phase = "rpcFloods";
  ctx.options.log("attack: rpcFloods");
  const flooded = await rpcFlood.attack(Math.round(ctx.options.seconds * 100)).then(
    () => null,
    (e: unknown) => `the flood could not run to its end: ${(e as Error).message.slice(0, 400)}`,
  );
  await run("droppedL1Transactions", () => droppedTransactionsAttack(ctx));
  await run("l1Outage", () => l1OutageAttack(ctx));
  await run("rpcFloods", async () => {
    const o = await rpcFlood.finish();
    return flooded ? outcome([flooded, ...o.problems], o.figures) : o;
  });
  await run("queueFloodDuringSilence", () => queueFloodAttack(ctx));
  ctx.phase = "steady";
  const left = started + ctx.options.seconds * 1000 - Date.now();
  ctx.options.log(`steady traffic for ${Math.max(2_000, left)} ms`);
  await sleep(Math.max(2_000, left));
  return attacks;
}

interface Gathered {
  started: number;
  attacks: { [name: string]: AttackOutcome };
  posted: Drain;
  fromL1: FromL1;
  monitor: Monitor;
  rejections: string[];
  nodeLog: { [message: string]: number };
}

/** The report, and the exit criteria judged on it. */
function report(ctx: ChaosContext, g: Gathered): ChaosReport {
  const forced = ctx.forced.requests;
  const completed = forced.filter((r) => r.paid).length;
  const failures: string[] = [];
  if (g.fromL1.honest.lost > 0) failures.push(`${g.fromL1.honest.lost} acknowledged transactions are not final on L1`);
  if (!g.posted.drained) failures.push(`posting stopped: ${g.posted.unpostedBlocks} blocks still unposted ${ctx.options.drainSeconds} s after the attacks ended (the sequencer's last error: ${g.posted.sequencerLastError ?? "none"})`);
  if (completed < forced.length) failures.push(`${forced.length - completed} of ${forced.length} forced withdrawals never completed`);
  if (g.fromL1.honest.acknowledged === 0) failures.push("no honest transaction was acknowledged: the run measured nothing");
  for (const [name, a] of Object.entries(g.attacks)) for (const p of a.problems) failures.push(`${name}: ${p}`);
  if (g.fromL1.deposits.credited < g.fromL1.deposits.made) failures.push(`${g.fromL1.deposits.made - g.fromL1.deposits.credited} L1 deposits were not credited on L2`);
  if (g.fromL1.chain.rootsAgree !== true) failures.push("the sequencer, a replica, the fallback proposer and the Rollup do not end on the same state root");
  if (g.rejections.length > 0) failures.push(`${g.rejections.length} unhandled promise rejections`);
  const s = ctx.senders.stats;
  return {
    ok: failures.length === 0,
    failures,
    seed: ctx.options.seed,
    seconds: ctx.options.seconds,
    wallSeconds: Math.round((Date.now() - g.started) / 1000),
    honestTransactions: { ...g.fromL1.honest, refusedOverloaded: s.refusedOverloaded, refusedOverloadedByPhase: s.refusedOverloadedByPhase, unreachable: s.unreachable, refused: s.refused },
    postingDelay: {
      longestL1Seconds: g.fromL1.longestPostingDelayL1Seconds,
      inclusionWindowSeconds: DEVNET_PARAMS.inclusionWindow,
      longestSealedToPostedWallMs: g.monitor.longestSealedToPostedMs,
      longestAcknowledgedToPostedWallMs: g.monitor.longestAcknowledgedToPostedMs,
    },
    posting: { ...g.posted, stoppedForGood: !g.posted.drained },
    forcedWithdrawals: {
      requested: forced.length,
      completed,
      details: forced.map((r) => ({ phase: r.phase, amountWei: r.amount.toString(), id: r.id === undefined ? null : Number(r.id), paid: r.paid, ...(r.failure ? { failure: r.failure } : {}) })),
    },
    deposits: g.fromL1.deposits,
    peakRssMb: Math.round(g.monitor.peakRss / 2 ** 20),
    peakRssMbByPhase: g.monitor.peakRssMbByPhase,
    chain: g.fromL1.chain,
    attacks: g.attacks,
    unhandledRejections: g.rejections,
    nodeLog: g.nodeLog,
  };
}

if (require.main === module) {
  const options = optionsFrom(process.argv.slice(2), process.env, (line) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`));
  runChaos(options)
    .then((r) => {
      process.stdout.write(JSON.stringify(r, null, 2) + "\n");
      process.exit(r.ok ? 0 : 1);
    })
    .catch((e: unknown) => {
      process.stderr.write(`the chaos run could not run: ${(e as Error).stack}\n`);
      process.exit(2);
    });
}
