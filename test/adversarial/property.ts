/**
 * The soundness property of fraud proofs, checked case by case against the in-process L1:
 *
 *   for every batch Rollup.submitBatch accepts, the TypeScript replay (replayCommitment, as the
 *   challenger runs it) rejects a commitment if and only if Rollup.proveFraud, with the
 *   challenger's witness (buildFraudWitness), succeeds on it.
 *
 * Each case is posted as batch 1 on the same L1 snapshot (batch 0 holds the honest pre-state of
 * world.ts). The first commitment the replay rejects is proven — the proof must land, delete the
 * batch and cost under 3,000,000 gas — and every commitment before it (all of them, for an
 * honest batch) must make proveFraud revert with exactly RollupNotFraudulent. Any other revert
 * (a Panic, a witness error on a correct witness, running out of gas) is a disagreement: on an
 * honest commitment it would be harmless, but on a fraudulent one it means fraud cannot be
 * proven, and a panic on proposer-controlled data is the first sign of that.
 *
 * Also checked: a commitment the replay accepts is in the one canonical encoding
 * (encodeCommitment of its decoding gives its bytes back) — two spellings of one block would
 * be two block hashes for the same transactions.
 */
import { ethers, network } from "hardhat";
import { Transaction, type Signer } from "ethers";
import { generateCase, type AdversarialCase, type CaseContext, type Family, FAMILIES } from "./generators";
import { MaliciousProposer, TX_GAS_CAP, decodeRevert, describeRevert, type PostedBatch } from "./maliciousProposer";
import { Rng } from "./rng";
import { buildWorld, l1Account, type World } from "./world";
import { decodeCommitment, emptyRunOf, encodeCommitment, encodeEmptyRun, splitBatch } from "../../src/core/commitment";
import { OpKind } from "../../src/core/constants";
import { onChainVerdict } from "../../src/core/fraudProof";
import { replayCommitment, type ReplayResult, type Verdict } from "../../src/core/replay";
import type { Rollup } from "../../typechain-types";

/** A fraud proof must fit well inside an L1 block: docs/architecture.md, *Gas*. */
export const PROOF_GAS_LIMIT = 3_000_000n;

export interface Disagreement {
  seed: string;
  caseIndex: number;
  family: Family | "given";
  note: string;
  queueCount: string;
  /** The `commitments` argument posted, hex. */
  data: string;
  problems: string[];
  reproduce: string;
}

export interface Report {
  seed: string;
  cases: number;
  refusedAtSubmission: number;
  honest: number;
  fraudProven: number;
  disagreements: number;
  /** Commitments the replay accepted in a non-canonical encoding. */
  nonCanonicalAccepted: number;
  /** Proofs that landed with another kind, reason or operation than src/core's verdict. */
  verdictMismatches: number;
  byFamily: Record<string, { cases: number; refused: number; honest: number; proven: number; disagreements: number }>;
  /** Why submitBatch refused, by error. */
  refusals: Record<string, number>;
  /** The verdicts proven, by src/core's kind and reason. */
  verdicts: Record<string, number>;
  maxProofGas: number;
  seconds: number;
  failures: Disagreement[];
  mismatches: string[];
}

type Outcome =
  | { kind: "refused"; reason: string }
  /** src/core could not judge the batch at all (it threw): the challenger cannot follow it. */
  | { kind: "unjudged"; problems: string[]; nonCanonical: number[] }
  | { kind: "honest"; problems: string[]; nonCanonical: number[] }
  | { kind: "proven"; problems: string[]; nonCanonical: number[]; verdict: Verdict; gas: bigint; mismatch?: string };

/** What the replay says about a batch: the first commitment it rejects (null: none), or that it threw. */
interface TsVerdict {
  first: number | null;
  verdict: Verdict;
  threw?: string;
  nonCanonical: number[];
  /** Accepted operations that are not the transaction their sender signed, by ethers' reading. */
  forged: string[];
}

/**
 * Operations the replay accepted whose rebuilt raw transaction ethers does not read as signed by
 * their sender: a check of src/core's signing-hash reconstruction that does not use src/core
 * (a mistake shared by replayCommitment and the verifier would pass the property above).
 */
function forgedOperations(results: ReplayResult["results"], c: number): string[] {
  const out: string[] = [];
  results.forEach((r, i) => {
    if (r.type !== "tx") return;
    let signer: string | undefined;
    try {
      signer = Transaction.from("0x" + r.raw.toString("hex")).from?.toLowerCase();
    } catch (e) {
      signer = `unreadable (${(e as Error).message.slice(0, 80)})`;
    }
    if (signer !== r.from) out.push(`commitment ${c} operation ${i}: accepted as signed by ${r.from}, but ethers reads its transaction as signed by ${signer}`);
  });
  return out;
}

/** The fields a verdict on an operation depends on: for writing a disagreement up. */
function operationContext(body: Buffer, v: Verdict): string {
  if (v.ok || v.kind !== "invalid-operation") return label(v);
  const c = decodeCommitment(body);
  const op = c.ops[v.opIndex];
  const fee = op.kind === OpKind.QUEUE ? undefined : c.fees[op.feeIndex];
  const json = (x: unknown) => JSON.stringify(x, (_k, val: unknown) => (typeof val === "bigint" ? val.toString() : val));
  const fields = op.kind === OpKind.QUEUE ? op : { ...op, sig: undefined };
  return `baseFee ${c.baseFee}, feeRecipient ${c.feeRecipient}, operation ${json(fields)}, fee entry ${json(fee ?? null)}`;
}

function label(v: Verdict): string {
  if (v.ok) return "honest";
  return v.kind === "invalid-operation" ? `invalid-operation:${v.reason}` : v.kind;
}

export class PropertyRunner {
  private snapshot = "";
  private l1Time = 0;
  private tip: { index: number; pre: Buffer } = { index: 0, pre: Buffer.alloc(32) };
  private readonly ctx: CaseContext;

  private constructor(
    readonly world: World,
    readonly proposer: MaliciousProposer,
    readonly challenger: Signer,
    private readonly challengerRollup: Rollup,
  ) {
    const chain = world.chain;
    this.ctx = { world, state: chain.state, queueEntry: chain.queueEntry, queueLength: BigInt(chain.queue.length) };
  }

  /** Builds the world (`label` names its deployer) and takes the snapshot every case starts from. */
  static async create(label: string): Promise<PropertyRunner> {
    const world = await buildWorld(label);
    const challenger = await l1Account(`${label}:challenger`, 10n ** 24n);
    const proposer = new MaliciousProposer(world.deployer, world.addresses.rollup, world.chain);
    const runner = new PropertyRunner(world, proposer, challenger, world.rollup.connect(challenger));
    runner.tip = await proposer.tip();
    runner.l1Time = (await ethers.provider.getBlock("latest"))!.timestamp;
    runner.snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    return runner;
  }

  /** Back to the snapshot, with L1 time pinned, so a case behaves the same whatever ran before it. */
  private async restore(): Promise<void> {
    await network.provider.request({ method: "evm_revert", params: [this.snapshot] });
    this.snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    await network.provider.request({ method: "evm_setNextBlockTimestamp", params: [this.l1Time + 1] });
  }

  /** Generates case `index` of run `seed` (of `family` only, if given) and checks it. */
  async runCase(seed: string, index: number, family?: Family): Promise<{ c: AdversarialCase; outcome: Outcome }> {
    const c = await generateCase(this.ctx, Rng.forCase(seed, index), family);
    return { c, outcome: await this.check(c.data, c.queueCount) };
  }

  /** Posts `data` as batch 1 with `queueCount` and checks the property on it. */
  async check(data: Buffer, queueCount: bigint): Promise<Outcome> {
    await this.restore();
    const sub = await this.proposer.submitRaw(data, queueCount, this.tip);
    if (!sub.ok) return { kind: "refused", reason: sub.revert.name };
    let bodies: Buffer[];
    try {
      bodies = splitBatch(data);
    } catch (e) {
      return { kind: "unjudged", problems: [`submitBatch accepted a batch src/core cannot split (${(e as Error).message}): no one can follow it`], nonCanonical: [] };
    }
    const batch: PostedBatch = { ...sub.batch, bodies };
    const ts = this.replay(batch);
    if (ts.threw !== undefined) return { kind: "unjudged", problems: [ts.threw], nonCanonical: [] };
    const problems: string[] = [...ts.forged];
    for (let j = 0; j < (ts.first ?? bodies.length); j++) problems.push(...(await this.expectNotFraudulent(batch, j)));
    if (ts.first === null) return { kind: "honest", problems, nonCanonical: ts.nonCanonical };
    const proven = await this.expectProven(batch, ts.first, ts.verdict);
    return { kind: "proven", problems: [...problems, ...proven.problems], nonCanonical: ts.nonCanonical, verdict: ts.verdict, gas: proven.gas, mismatch: proven.mismatch };
  }

  /** The challenger's replay of the batch, commitment by commitment, on the pre-state (left as it was). */
  private replay(batch: PostedBatch): TsVerdict {
    const chain = this.world.chain;
    const cp = chain.state.checkpoint();
    const nonCanonical: number[] = [];
    const forged: string[] = [];
    try {
      for (let c = 0; c < batch.bodies.length; c++) {
        let replayed: ReplayResult;
        try {
          replayed = replayCommitment(chain.state, batch.bodies[c], chain.params(batch, c));
        } catch (e) {
          return { first: c, verdict: { ok: true }, threw: `replayCommitment threw on commitment ${c} instead of giving a verdict: ${(e as Error).stack ?? e}`, nonCanonical, forged };
        }
        if (!replayed.verdict.ok) return { first: c, verdict: replayed.verdict, nonCanonical, forged };
        // An empty run has one spelling per (count, timestamp); a commitment the one encodeCommitment writes.
        const run = emptyRunOf(batch.bodies[c]);
        if (!(run ? encodeEmptyRun(run) : encodeCommitment(decodeCommitment(batch.bodies[c]))).equals(batch.bodies[c])) nonCanonical.push(c);
        forged.push(...forgedOperations(replayed.results, c));
      }
      return { first: null, verdict: { ok: true }, nonCanonical, forged };
    } finally {
      chain.state.rollback(cp);
    }
  }

  /** proveFraud on commitment `c`, which the replay accepts, must revert with exactly RollupNotFraudulent. */
  private async expectNotFraudulent(batch: PostedBatch, c: number): Promise<string[]> {
    let proof;
    try {
      proof = this.proposer.proof(batch, c);
    } catch (e) {
      return [`commitment ${c} (accepted by replayCommitment): building its witness threw: ${(e as Error).message}`];
    }
    if (!proof.verdict.ok) return [`commitment ${c}: replayCommitment accepts it but buildFraudWitness says ${label(proof.verdict)}`];
    try {
      await this.challengerRollup.proveFraud.staticCall(...proof.args, { gasLimit: TX_GAS_CAP });
      return [`commitment ${c} is accepted by replayCommitment, but proveFraud succeeds on it: an honest batch can be deleted`];
    } catch (e) {
      const r = decodeRevert(e);
      const expected = r.name === "RollupNotFraudulent" && r.args[0] === String(batch.index) && r.args[1] === String(c);
      return expected ? [] : [`commitment ${c} is accepted by replayCommitment; proveFraud must revert RollupNotFraudulent(${batch.index}, ${c}) but reverted with ${describeRevert(r)}`];
    }
  }

  /** proveFraud on commitment `c`, which the replay rejects, must land, delete the batch and cost < 3M gas. */
  private async expectProven(batch: PostedBatch, c: number, verdict: Verdict): Promise<{ problems: string[]; gas: bigint; mismatch?: string }> {
    const what = `commitment ${c} (replayCommitment: ${label(verdict)}${verdict.ok === false && verdict.kind === "invalid-operation" ? ` at operation ${verdict.opIndex}: ${verdict.details}` : ""})`;
    let proof;
    try {
      proof = this.proposer.proof(batch, c);
    } catch (e) {
      return { problems: [`${what}: building the fraud witness threw: ${(e as Error).message}`], gas: 0n };
    }
    if (label(proof.verdict) !== label(verdict)) return { problems: [`${what}: buildFraudWitness says ${label(proof.verdict)} instead`], gas: 0n };
    let receipt;
    try {
      receipt = (await (await this.challengerRollup.proveFraud(...proof.args, { gasLimit: TX_GAS_CAP })).wait())!;
    } catch (e) {
      return { problems: [`${what}: proveFraud reverted with ${describeRevert(decodeRevert(e))}: the fraud cannot be proven [${operationContext(batch.bodies[c], verdict)}]`], gas: 0n };
    }
    const problems: string[] = [];
    if (receipt.gasUsed >= PROOF_GAS_LIMIT) problems.push(`${what}: the proof cost ${receipt.gasUsed} gas, over ${PROOF_GAS_LIMIT}`);
    const count = await this.world.rollup.batchCount();
    if (count !== BigInt(batch.index)) problems.push(`${what}: the proof landed but the Rollup still holds ${count} batches`);
    return { problems, gas: receipt.gasUsed, mismatch: this.verdictMismatch(receipt.logs, verdict) };
  }

  /** Whether the FraudProven event names src/core's verdict (kind, reason, operation). */
  private verdictMismatch(logs: readonly { topics: readonly string[]; data: string }[], verdict: Verdict): string | undefined {
    const rollup = this.world.rollup;
    for (const log of logs) {
      const parsed = rollup.interface.parseLog(log);
      if (parsed?.name !== "FraudProven") continue;
      const expected = onChainVerdict(verdict);
      const opIndex = verdict.ok === false && verdict.kind === "invalid-operation" ? BigInt(verdict.opIndex) : 0n;
      const got = { kind: Number(parsed.args.kind), reason: Number(parsed.args.reason), opIndex: parsed.args.opIndex as bigint };
      if (got.kind === expected.kind && got.reason === expected.reason && got.opIndex === opIndex) return undefined;
      return `src/core: kind ${expected.kind} reason ${expected.reason} op ${opIndex} (${label(verdict)}); FraudVerifier: kind ${got.kind} reason ${got.reason} op ${got.opIndex}`;
    }
    return "no FraudProven event";
  }

  /**
   * Runs cases [from, from + cases) of `seed` (or only `only`), counting outcomes.
   * `onCase` sees every case as it finishes (progress, early reports).
   */
  async run(options: { seed: string; cases: number; from?: number; only?: number; family?: Family; onCase?: (i: number, report: Report) => void }): Promise<Report> {
    const started = Date.now();
    const report = emptyReport(options.seed);
    const indices = options.only !== undefined ? [options.only] : Array.from({ length: options.cases }, (_, i) => (options.from ?? 0) + i);
    for (const i of indices) {
      const { c, outcome } = await this.runCase(options.seed, i, options.family);
      record(report, c, outcome, options.seed, i);
      options.onCase?.(i, report);
    }
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    return report;
  }
}

function emptyReport(seed: string): Report {
  const byFamily: Report["byFamily"] = {};
  for (const f of FAMILIES) byFamily[f] = { cases: 0, refused: 0, honest: 0, proven: 0, disagreements: 0 };
  return { seed, cases: 0, refusedAtSubmission: 0, honest: 0, fraudProven: 0, disagreements: 0, nonCanonicalAccepted: 0, verdictMismatches: 0, byFamily, refusals: {}, verdicts: {}, maxProofGas: 0, seconds: 0, failures: [], mismatches: [] };
}

function record(report: Report, c: AdversarialCase, outcome: Outcome, seed: string, index: number): void {
  const fam = report.byFamily[c.family];
  report.cases++;
  fam.cases++;
  if (outcome.kind === "refused") {
    report.refusedAtSubmission++;
    fam.refused++;
    report.refusals[outcome.reason] = (report.refusals[outcome.reason] ?? 0) + 1;
    return;
  }
  const problems = [...outcome.problems];
  for (const n of outcome.nonCanonical) problems.push(`commitment ${n} is accepted by replayCommitment but not in canonical form (encodeCommitment(decodeCommitment(body)) differs): a second encoding of the same block`);
  report.nonCanonicalAccepted += outcome.nonCanonical.length;
  if (outcome.kind === "honest") {
    report.honest++;
    fam.honest++;
  } else if (outcome.kind === "proven") {
    report.fraudProven += outcome.problems.length === 0 ? 1 : 0;
    fam.proven += outcome.problems.length === 0 ? 1 : 0;
    const key = label(outcome.verdict);
    report.verdicts[key] = (report.verdicts[key] ?? 0) + 1;
    report.maxProofGas = Math.max(report.maxProofGas, Number(outcome.gas));
    if (outcome.mismatch) {
      report.verdictMismatches++;
      if (report.mismatches.length < 20) report.mismatches.push(`case ${index} (${c.family}: ${c.note}): ${outcome.mismatch}`);
    }
  }
  if (problems.length === 0) return;
  report.disagreements++;
  fam.disagreements++;
  report.failures.push({
    seed,
    caseIndex: index,
    family: c.family,
    note: c.note,
    queueCount: c.queueCount.toString(),
    data: "0x" + c.data.toString("hex"),
    problems,
    reproduce: `FUZZ_SEED=${seed} FUZZ_ONLY=${index} npm run fuzz:fraud`,
  });
}

/** The report without the bulky lists: the counts a run prints. */
export function counts(r: Report): Omit<Report, "failures" | "mismatches"> {
  const { failures: _f, mismatches: _m, ...rest } = r;
  return rest;
}

/** A disagreement written out for people: where it came from, the bytes, what each side did. */
export function formatDisagreement(d: Disagreement): string {
  return [
    `case ${d.caseIndex} of seed ${d.seed} (${d.family}: ${d.note}), queueCount ${d.queueCount}`,
    ...d.problems.map((p) => `  - ${p}`),
    `  batch bytes: ${d.data}`,
    `  reproduce: ${d.reproduce}`,
  ].join("\n");
}
