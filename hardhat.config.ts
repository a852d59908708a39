import path from "node:path";
import { subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-ethers";
import "@nomicfoundation/hardhat-chai-matchers";
import "@typechain/hardhat";
import "./tasks/cairn";

const SOLC_VERSION = "0.8.28";

// There is no route to the solc download mirror on our machines, so compile with
// the solc-js build pinned in package.json instead of letting Hardhat fetch one.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

const VERIFIER_BUILD = {
  version: SOLC_VERSION,
  settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 1_000_000 }, viaIR: true },
};

const config: HardhatUserConfig = {
  solidity: {
    // The `compilers` form: with a top-level `version`, Hardhat 2 silently drops `overrides`.
    compilers: [
      {
        version: SOLC_VERSION,
        settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 10_000 }, viaIR: false },
      },
    ],
    // The verifier mirrors src/core's state transition in a few long functions, and the EVM
    // one-step prover keeps the machine state in one struct; the IR pipeline spills to memory
    // where the legacy one runs out of stack. The verifier's test harnesses hold its libraries
    // (MultiProof, ProofWeight) against src/core compiled as the verifier compiles them.
    overrides: Object.fromEntries(
      [
        "contracts/L1/FraudVerifier.sol",
        "contracts/evm/OneStepProver.sol",
        "contracts/test/MultiProofHarness.sol",
        "contracts/test/ProofWeightHarness.sol",
        "contracts/test/WalkReviewHarness.sol",
      ].map((file) => [file, VERIFIER_BUILD]),
    ),
  },
  networks: {
    hardhat: {
      // Fraud proofs and full batches are big transactions; keep the per-block limit
      // well above the Osaka per-transaction cap so several fit in one block.
      blockGasLimit: 60_000_000,
      allowUnlimitedContractSize: false,
    },
    localhost: { url: process.env.L1_RPC_URL ?? "http://127.0.0.1:8545" },
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 120_000 },
};

export default config;
