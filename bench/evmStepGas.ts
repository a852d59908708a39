/**
 * `npm run bench:evm-step`: the L1 gas of one-step proofs by opcode class (bench/evm/oneStepGas.ts)
 * alone, in ~1 minute; `npm run bench:evm` prints the same section among its figures. Writes
 * bench/results/evm-step-gas.json. Gas is deterministic: these figures do not drift with load.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { oneStepProofGas } from "./evm/oneStepGas";

async function main(): Promise<void> {
  const doc = { date: new Date().toISOString(), oneStepProofGas: await oneStepProofGas(40) };
  const json = JSON.stringify(doc, null, 2);
  console.log(json);
  const dir = path.join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "evm-step-gas.json"), json + "\n");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
