import { expect } from "chai";
import { PropertyRunner, counts, formatDisagreement, type Report } from "./property";
import { CORPUS } from "./corpus";
import { Rng } from "./rng";
import { amountBytes, packCommitment, paddedVarint, varint, NON_CANONICAL_AMOUNT_FORMS } from "./packer";
import { generateCase, type CaseContext } from "./generators";
import { decodeCommitment, encodeCommitment, splitBatch } from "../../src/core/commitment";
import { amountParts } from "../../src/core/amount";
import { bigintToBytes } from "../../src/core/bytes";

/**
 * The slice npm test runs: deterministic, 150 cases, which still reach every rule in RULES_REACHED
 * (the last test checks it). `npm run fuzz:fraud` runs the same property over 10,000 cases and
 * more; FRAUD_PROPERTY_CASES sets this test's count (300 before the suite was trimmed).
 */
const SEED = process.env.FRAUD_PROPERTY_SEED ?? "issue-13";
const CASES = Number(process.env.FRAUD_PROPERTY_CASES ?? 150);

/** The rules the generated cases must reach for the property to mean something (not just "malformed"). */
const RULES_REACHED = [
  "malformed",
  "wrong-post-state",
  "wrong-withdrawal-root",
  "queue-count-mismatch",
  "invalid-operation:bad-signature",
  "invalid-operation:insufficient-funds",
  "invalid-operation:fee-too-low",
  "invalid-operation:gas-limit-too-low",
  "invalid-operation:unknown-account",
  "invalid-operation:overflow",
];

describe("adversarial: a malicious proposer cannot post a batch the challenger cannot prove wrong, nor have an honest one deleted", function () {
  this.timeout(600_000);
  let runner: PropertyRunner;
  let report: Report;

  before(async () => {
    runner = await PropertyRunner.create("property");
  });

  it("the suite's encoder writes what encodeCommitment writes, and its non-canonical spellings differ from it", async () => {
    const ctx: CaseContext = { world: runner.world, state: runner.world.chain.state, queueEntry: runner.world.chain.queueEntry, queueLength: BigInt(runner.world.chain.queue.length) };
    let compared = 0;
    for (let i = 0; compared < 40 && i < 400; i++) {
      const c = await generateCase(ctx, Rng.forCase("packer", i));
      for (const body of safeSplit(c.data)) {
        let decoded;
        try {
          decoded = decodeCommitment(body);
        } catch {
          continue;
        }
        expect(packCommitment(decoded).equals(encodeCommitment(decoded)), `case ${i}: packCommitment vs encodeCommitment`).to.equal(true);
        compared++;
      }
    }
    expect(compared).to.be.at.least(40);
    for (const value of [0n, 1n, 10n, 255n, 1000n, 123456789n, 10n ** 30n, (1n << 256n) - 1n]) {
      const canonical = amountParts(value);
      for (const form of NON_CANONICAL_AMOUNT_FORMS) {
        const a = amountBytes(value, form);
        const same = a.head === canonical.head && a.rest.equals(canonical.rest);
        expect(same, `${form} of ${value}`).to.equal(form === "canonical" || !appliesTo(form, value));
      }
    }
    expect(paddedVarint(5, 1).equals(Buffer.of(0x85, 0x00))).to.equal(true);
    expect(varint(300).equals(Buffer.of(0xac, 0x02))).to.equal(true);
  });

  it(`replayCommitment rejects a posted commitment iff proveFraud with the challenger's witness proves it (${CASES} cases, seed "${SEED}")`, async () => {
    report = await runner.run({ seed: SEED, cases: CASES });
    console.log(`      ${JSON.stringify(counts(report))}`);
    for (const m of report.mismatches) console.log(`      verdict mismatch: ${m}`);
    const written = report.failures.map(formatDisagreement).join("\n\n");
    expect(report.disagreements, `${report.disagreements} disagreement(s):\n\n${written}`).to.equal(0);
  });

  it("every batch that once broke the property (the corpus) now satisfies it", async () => {
    const broken: string[] = [];
    for (const entry of CORPUS) {
      const outcome = await runner.check(Buffer.from(entry.data.slice(2), "hex"), entry.queueCount);
      if (outcome.kind === "refused") broken.push(`${entry.origin}: now refused at submission (${outcome.reason}); replace it with a case that lands`);
      else {
        const problems = [...outcome.problems, ...outcome.nonCanonical.map((c) => `commitment ${c} accepted in a non-canonical encoding`)];
        if (problems.length > 0) broken.push(`${entry.origin} (${entry.found}):\n    ${problems.join("\n    ")}`);
      }
    }
    expect(broken.length, broken.join("\n\n")).to.equal(0);
  });

  it("the cases are not vacuous: most are posted, both honest and fraudulent ones, and they reach every validity rule", () => {
    expect(report, "the property run above").to.not.equal(undefined);
    expect(report.refusedAtSubmission, "refused at submission").to.be.below(report.cases / 2);
    expect(report.honest, "honest batches").to.be.above(report.cases / 20);
    expect(report.fraudProven + report.disagreements, "fraudulent batches").to.be.above(report.cases / 4);
    const reached = Object.keys(report.verdicts);
    expect(RULES_REACHED.filter((r) => !reached.includes(r)), `verdicts reached: ${JSON.stringify(report.verdicts)}`).to.deep.equal([]);
  });
});

function safeSplit(data: Buffer): Buffer[] {
  try {
    return splitBatch(data);
  } catch {
    return [];
  }
}

/** Whether a non-canonical form has another spelling of `value` (else the packer falls back to the canonical one). */
function appliesTo(form: string, value: bigint): boolean {
  const exp = amountParts(value).head & 31;
  const mantissaBytes = bigintToBytes(value / 10n ** BigInt(exp)).length;
  if (form === "leading-zero") return mantissaBytes < 32;
  if (form === "unnormalized") return exp > 0;
  if (form === "short-escape") return mantissaBytes > 0 && mantissaBytes < 7;
  if (form === "scaled-zero") return value === 0n;
  return false;
}
