/**
 * `npm run fuzz:fraud`: the fraud-proof soundness property (property.ts) over many cases.
 *
 *   FUZZ_SEED    run seed (default: random; printed, so a run can be repeated)
 *   FUZZ_CASES   number of cases (default 10,000)
 *   FUZZ_FROM    first case number (default 0)
 *   FUZZ_ONLY    run just this case of the seed (what a disagreement's `reproduce` line says)
 *   FUZZ_FAMILY  generate cases of this family only (random-body, …, runs; default: all, weighted)
 *   FUZZ_DATA, FUZZ_QUEUE_COUNT   post these exact batch bytes instead of generating
 *
 * Prints progress on stderr, every disagreement written out on stderr, and the counts (with the
 * disagreements) as JSON on stdout; exits 1 on any disagreement.
 */
import { randomBytes } from "node:crypto";
import { PropertyRunner, counts, formatDisagreement, type Report } from "./property";
import { FAMILIES, type Family } from "./generators";

let reported = 0;

function progress(i: number, r: Report, total: number, started: number): void {
  // A disagreement is written out as soon as it is found: a long run need not finish to be useful.
  if (r.failures.length > reported) process.stderr.write(`\n${r.failures.slice(reported).map(formatDisagreement).join("\n\n")}\n\n`);
  reported = r.failures.length;
  const done = r.cases;
  if (done % 500 !== 0 && done !== total) return;
  const rate = done / ((Date.now() - started) / 1000);
  process.stderr.write(`case ${i}: ${done}/${total}, ${r.refusedAtSubmission} refused, ${r.honest} honest, ${r.fraudProven} proven, ${r.disagreements} disagreements (${rate.toFixed(1)} cases/s)\n`);
}

/** JSON.stringify hands a replacer a Buffer already turned into `{ type: "Buffer", data }`. */
function isBufferJson(v: unknown): v is { type: "Buffer"; data: number[] } {
  return typeof v === "object" && v !== null && (v as { type?: unknown }).type === "Buffer" && Array.isArray((v as { data?: unknown }).data);
}

async function main(): Promise<void> {
  const seed = process.env.FUZZ_SEED ?? randomBytes(6).toString("hex");
  const cases = Number(process.env.FUZZ_CASES ?? 10_000);
  const from = Number(process.env.FUZZ_FROM ?? 0);
  const only = process.env.FUZZ_ONLY === undefined ? undefined : Number(process.env.FUZZ_ONLY);
  const family = process.env.FUZZ_FAMILY as Family | undefined;
  if (family !== undefined && !FAMILIES.includes(family)) throw new Error(`FUZZ_FAMILY must be one of ${FAMILIES.join(", ")}`);
  // The same world as the npm test slice, so a case number reproduces there and here byte for byte.
  const runner = await PropertyRunner.create("property");

  if (process.env.FUZZ_DATA) {
    const outcome = await runner.check(Buffer.from(process.env.FUZZ_DATA.replace(/^0x/, ""), "hex"), BigInt(process.env.FUZZ_QUEUE_COUNT ?? runner.world.consumedQueue));
    const summary = outcome.kind === "refused" ? outcome : { kind: outcome.kind, problems: outcome.problems, nonCanonical: outcome.nonCanonical, verdict: outcome.kind === "proven" ? outcome.verdict : null };
    console.log(JSON.stringify(summary, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : isBufferJson(v) ? "0x" + Buffer.from(v.data).toString("hex") : v), 2));
    process.exitCode = outcome.kind !== "refused" && outcome.problems.length > 0 ? 1 : 0;
    return;
  }

  process.stderr.write(`fuzz:fraud seed ${seed}, ${only !== undefined ? `case ${only}` : `${cases} cases from ${from}`}\n`);
  const started = Date.now();
  const total = only !== undefined ? 1 : cases;
  const report = await runner.run({ seed, cases, from, only, family, onCase: (i, r) => progress(i, r, total, started) });
  for (const m of report.mismatches) process.stderr.write(`verdict mismatch: ${m}\n`);
  console.log(JSON.stringify({ ...counts(report), failures: report.failures }, null, 2));
  process.exitCode = report.disagreements > 0 ? 1 : 0;
}

// Mocha loads every file under test/ when npm test runs: only run when started as a script.
if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 2;
  });
}
