/**
 * `cairn devnet` (= `npm run devnet`): the whole system on an embedded Hardhat L1 — contracts,
 * test token, funded keys, sequencer, challenger and explorer. Ctrl-C or SIGTERM stops it.
 */
import path from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { BATCH_DATA_MODES, type BatchDataMode } from "../../node/sequencer/batchData";
import type { CliIO } from "../output";
import { createLogger } from "../../shared/logger";
import { FAULT_KINDS, type FaultKind } from "../../node/sequencer/faults";
import type { DevnetInfo } from "../../sdk/devnetFile";
import { untilSignal } from "../signals";
import { assertPortFree } from "../ports";
import { DEVNET_PARAMS } from "../../../deploy/params";
import { loadHardhat } from "../hardhat";

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
const wholeMs = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a whole number of milliseconds (0: off)");
  return n;
};
const faultKind = (v: string) => {
  if (!(FAULT_KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${FAULT_KINDS.join(", ")}`);
  return v as FaultKind;
};

interface DevnetCliOptions {
  host: string;
  l1Port: number;
  l2Port: number;
  explorerPort: number;
  accounts: number;
  blockTime: number;
  l1BlockTime: number;
  challengeWindow: number;
  dataDir: string;
  faulty?: FaultKind;
  experimentalEvm?: boolean;
  batchData: BatchDataMode;
  beaconPort: number;
  devnet: string;
}

export function devnetCommand(program: Command, io: CliIO): void {
  program
    .command("devnet")
    .description("run Cairn locally: embedded Hardhat L1, contracts, sequencer, challenger, explorer (writes --devnet FILE)")
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--l1-port <port>", "L1 JSON-RPC port", port, 8545)
    .option("--l2-port <port>", "L2 JSON-RPC port", port, 8547)
    .option("--explorer-port <port>", "explorer page port", port, 8548)
    .option("--accounts <n>", "funded test keys", positive, 5)
    .option("--block-time <ms>", "L2 block time in milliseconds", positive, 100)
    .option("--l1-block-time <ms>", "the embedded L1 mines at least this often, so its clock runs when idle (0: only on transactions)", wholeMs, 1000)
    .option("--challenge-window <s>", "seconds a batch stays challengeable", positive, DEVNET_PARAMS.challengeWindow)
    .option("--data-dir <dir>", "the sequencer's data directory (emptied at start)", ".cairn/data")
    .addOption(new Option("--batch-data <mode>", "how batches travel: in calldata, in blobs, or whichever costs less at L1's fees per batch").choices(BATCH_DATA_MODES).default("calldata"))
    .option("--beacon-port <port>", "port of the devnet's Beacon API serving blobs (0: any free port)", port, 0)
    .option("--faulty <kind>", `post one fraudulent batch to watch the challenger revert it (${FAULT_KINDS.join(", ")})`, faultKind)
    .option("--experimental-evm", "accept contract creation and calls, run in the EVM (a tracer bullet: NOT fraud-provable, anyone can revert such batches; local L1 only; nothing kept in --data-dir)")
    .action(async (_opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<DevnetCliOptions>();
      await assertPortFree(opts.host, opts.l1Port, "--l1-port");
      await assertPortFree(opts.host, opts.l2Port, "--l2-port");
      await assertPortFree(opts.host, opts.explorerPort, "--explorer-port");
      const logger = createLogger("devnet");
      // Loaded here so every other command answers without starting Hardhat.
      const hre = await loadHardhat();
      await hre.run("compile", { quiet: true });
      const { startDevnet } = await import("../../app/devnet");
      const configPath = path.resolve(opts.devnet);
      const devnet = await startDevnet({
        host: opts.host,
        l1Port: opts.l1Port,
        l2Port: opts.l2Port,
        explorerPort: opts.explorerPort,
        accounts: opts.accounts,
        configPath,
        blockTimeMs: opts.blockTime,
        l1BlockTimeMs: opts.l1BlockTime,
        challengeWindow: opts.challengeWindow,
        logger,
        faulty: opts.faulty,
        experimentalEvm: opts.experimentalEvm === true,
        batchData: opts.batchData,
        beaconPort: opts.beaconPort,
        dataDir: path.resolve(opts.dataDir),
      });
      io.stdout.write(summary(devnet.info, configPath));
      const signal = await untilSignal();
      logger.info({ signal }, "shutting down");
      await devnet.stop();
    });
}

function summary(info: DevnetInfo, configPath: string): string {
  const lines = [
    "",
    "Cairn devnet is running",
    "",
    `  L1 (Hardhat)  ${info.l1.rpcUrl}   chain id ${info.l1.chainId}`,
    ...(info.l1.beaconUrl ? [`  L1 blobs      ${info.l1.beaconUrl}   (Beacon API; batches posted as ${info.batchData ?? "calldata"})`] : []),
    `  L2 (Cairn)    ${info.l2.rpcUrl}   chain id ${info.l2.chainId}`,
    ...(info.explorer ? [`  Explorer      ${info.explorer.url}`] : []),
    "",
    `  Rollup        ${info.contracts.rollup}`,
    `  Bridge        ${info.contracts.bridge}`,
    `  Test token    ${info.testToken.symbol}: L1 ${info.testToken.l1}  L2 ${info.testToken.l2}`,
    `  Withdrawals   send withdraw(l1Recipient, token, amount) to ${info.withdrawalPredeploy}`,
    `  Challenge     ${info.params.challengeWindow}s window of L1 time (the L1 mines at least every second; skip ahead with evm_increaseTime); challenger ${info.challenger.l1Address}`,
    ...(info.experimentalEvm ? [`  EXPERIMENTAL EVM   contracts can be deployed and called; batches holding them are NOT fraud-provable (anyone can revert them): docs/trust-model.md`] : []),
    ...(info.faulty ? [`  FAULTY MODE   the sequencer will post one batch with fraud "${info.faulty}"; watch the challenger revert it`] : []),
    "",
    "  Funded test keys (100 ETH and 10,000 CTT on L2; ETH and 1,000,000 CTT on L1):",
    ...info.accounts.map((a) => `    ${a.address}  ${a.privateKey}`),
    "",
    `  Written to ${configPath}. Try \`npx cairn status\`, \`npx cairn deposit 1\` or \`npm run e2e\` in another terminal. Ctrl-C stops everything.`,
    "",
  ];
  return lines.join("\n") + "\n";
}
