/**
 * Compiles FraudVerifier.sol as it was before "The Solidity twin with the core's seams" (80f67d4),
 * from git, with the settings hardhat.config.ts gives the verifier (via-IR, 1,000,000 runs,
 * cancun), into test/contracts/fixtures/FraudVerifier.pre-split.json: the reference that
 * test/contracts/VerifierSplitReview.test.ts holds the split verifier to, input by input.
 *
 *   npx ts-node --transpile-only scripts/compilePreSplitVerifier.ts [commit]
 *
 * The same procedure on HEAD reproduces artifacts/…/FraudVerifier.json byte for byte (but for
 * the metadata hash), which is how it was checked.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const SOURCE = "contracts/L1/FraudVerifier.sol";
const OUT = path.join(ROOT, "test/contracts/fixtures/FraudVerifier.pre-split.json");

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>;
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

function main(): void {
  const commit = execFileSync("git", ["-C", ROOT, "rev-parse", process.argv[2] ?? "80f67d4~1"], { encoding: "utf8" }).trim();
  const sources: Record<string, { content: string }> = {};
  const load = (p: string): void => {
    if (sources[p]) return;
    const content = p.startsWith("@openzeppelin/")
      ? fs.readFileSync(path.join(ROOT, "node_modules", p), "utf8")
      : execFileSync("git", ["-C", ROOT, "show", `${commit}:${p}`], { encoding: "utf8" });
    sources[p] = { content };
    for (const m of content.matchAll(/import\s+(?:\{[^}]*\}\s+from\s+)?"([^"]+)"/g)) {
      load(m[1].startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(p), m[1])) : m[1]);
    }
  };
  load(SOURCE);
  const settings = {
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 1_000_000 },
    viaIR: true,
    outputSelection: { [SOURCE]: { FraudVerifier: ["abi", "evm.bytecode.object"] } },
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { compile(input: string): string; version(): string };
  const out = JSON.parse(solc.compile(JSON.stringify({ language: "Solidity", sources, settings }))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts[SOURCE].FraudVerifier;
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(
    OUT,
    JSON.stringify({ commit, solc: solc.version(), settings, sources: Object.keys(sources), abi: c.abi, bytecode: "0x" + c.evm.bytecode.object }, null, 1) + "\n",
  );
  console.log(`${SOURCE} at ${commit} → ${path.relative(ROOT, OUT)}`);
}

main();
