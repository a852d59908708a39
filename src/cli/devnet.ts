/**
 * `npm run devnet`: the whole system on an embedded Hardhat L1. Ctrl-C or SIGTERM stops it.
 */
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { createLogger } from "../node/logger";
import { FAULT_KINDS, type FaultKind } from "../node/faults";

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number (0-65535)");
  return n;
};
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

const faultKind = (v: string) => {
  if (!(FAULT_KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${FAULT_KINDS.join(", ")}`);
  return v as FaultKind;
};

const program = new Command("devnet")
  .description("Run Cairn locally: embedded Hardhat L1, contracts, sequencer and L2 JSON-RPC")
  .option("--host <host>", "interface to bind", "127.0.0.1")
  .option("--l1-port <port>", "L1 JSON-RPC port", port, 8545)
  .option("--l2-port <port>", "L2 JSON-RPC port", port, 8547)
  .option("--accounts <n>", "funded test keys", positive, 5)
  .option("--block-time <ms>", "L2 block time in milliseconds", positive, 100)
  .option("--config <file>", "where to write the devnet description", ".cairn/devnet.json")
  .option("--data-dir <dir>", "the sequencer's data directory (emptied at start)", ".cairn/data")
  .option("--faulty <kind>", `post one fraudulent batch to watch the challenger revert it (${FAULT_KINDS.join(", ")})`, faultKind)
  .parse();

async function main(): Promise<void> {
  const opts = program.opts<{ host: string; l1Port: number; l2Port: number; accounts: number; blockTime: number; config: string; faulty?: FaultKind; dataDir: string }>();
  const logger = createLogger("devnet");
  // Loaded here so --help answers without starting Hardhat.
  const { startDevnet } = await import("../node/devnet");
  const devnet = await startDevnet({
    host: opts.host,
    l1Port: opts.l1Port,
    l2Port: opts.l2Port,
    accounts: opts.accounts,
    configPath: path.resolve(opts.config),
    blockTimeMs: opts.blockTime,
    logger,
    faulty: opts.faulty,
    dataDir: path.resolve(opts.dataDir),
  });
  printSummary(devnet.info, path.resolve(opts.config));

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await devnet.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

function printSummary(info: import("../node/devnet").DevnetInfo, configPath: string): void {
  const lines = [
    "",
    "Cairn devnet is running",
    "",
    `  L1 (Hardhat)  ${info.l1.rpcUrl}   chain id ${info.l1.chainId}`,
    `  L2 (Cairn)    ${info.l2.rpcUrl}   chain id ${info.l2.chainId}`,
    "",
    `  Rollup        ${info.contracts.rollup}`,
    `  Bridge        ${info.contracts.bridge}`,
    `  Test token    ${info.testToken.symbol}: L1 ${info.testToken.l1}  L2 ${info.testToken.l2}`,
    `  Withdrawals   send withdraw(l1Recipient, token, amount) to ${info.withdrawalPredeploy}`,
    `  Challenge     ${info.params.challengeWindow}s window (advance L1 time with evm_increaseTime); challenger ${info.challenger.l1Address}`,
    ...(info.faulty ? [`  FAULTY MODE   the sequencer will post one batch with fraud "${info.faulty}"; watch the challenger revert it`] : []),
    "",
    "  Funded test keys (100 ETH and 10,000 CTT on L2; ETH and 1,000,000 CTT on L1):",
    ...info.accounts.map((a) => `    ${a.address}  ${a.privateKey}`),
    "",
    `  Written to ${configPath}. Try \`npm run e2e\` in another terminal. Ctrl-C stops everything.`,
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`devnet failed: ${(e as Error).message}\n`);
  process.exit(1);
});
