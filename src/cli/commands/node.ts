/**
 * `cairn node --role sequencer|replica|challenger|fallback` (and `cairn challenger`): one Cairn
 * node against an L1 by URL, in its own process, so L1 outlives it. Runs until SIGINT or
 * SIGTERM. The sequencer journals what it accepts in --data-dir and, restarted, carries on
 * from L1 and its journal; the replica rebuilds everything from L1 alone.
 */
import path from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { BATCH_DATA_MODES, type BatchDataMode } from "../../node/sequencer/batchData";
import { SingleBar } from "cli-progress";
import { Wallet } from "ethers";
import { action, type ActionInput } from "../action";
import { assertPortFree } from "../ports";
import { usage } from "../errors";
import type { CliIO } from "../output";
import { createLogger } from "../../shared/logger";
import { Challenger } from "../../node/challenger/challenger";
import { FallbackProposer } from "../../node/challenger/fallbackProposer";
import { SequencerNode } from "../../node/sequencer/sequencerNode";
import { ReplicaNode } from "../../node/replica/replicaNode";
import { SEQUENCER_DEFAULTS } from "../../node/config";
import { Rollup__factory } from "../../../typechain-types";
import { untilSignal } from "../signals";
import { jsonRpc } from "../../app/jsonRpc";

const ROLES = ["sequencer", "replica", "challenger", "fallback"] as const;
type Role = (typeof ROLES)[number];

interface NodeOptions {
  role?: Role;
  fromBlock?: string;
  confirmations: string;
  pollMs: string;
  dataDir?: string;
  rpcHost: string;
  rpcPort?: string;
  blockTime: string;
  l1Beacon?: string;
  batchData: BatchDataMode;
  experimentalEvm?: boolean;
}

const nodeOptions = (c: Command) =>
  c
    .option("--from-block <n>", "L1 block to follow from (the deployment block; the devnet's by default)")
    .option("--confirmations <n>", "L1 blocks an event must be buried under before the node acts on it", "0")
    .option("--poll-ms <n>", "how often to read L1, in milliseconds", "1000")
    .option("--l1-beacon <url>", "a consensus-layer node's Beacon API, for the blobs of blob batches (the devnet's by default)")
    .option("--experimental-evm", "contract creation and calls, run in the EVM (a tracer bullet: NOT fraud-provable; refused unless L1 is local; no --data-dir kept)");

export function nodeCommands(program: Command, io: CliIO): void {
  nodeOptions(
    program
      .command("node")
      .description("run one Cairn node against an L1: the sequencer, a read-only replica, a challenger, or a fallback proposer")
      .addOption(new Option("--role <role>", "what the node does").choices(ROLES).makeOptionMandatory())
      .option("--data-dir <dir>", "sequencer, challenger, fallback: the node's store and journal (default .cairn/<role>)")
      .option("--rpc-host <host>", "sequencer and replica: the interface the L2 JSON-RPC binds", "127.0.0.1")
      .option("--rpc-port <port>", "sequencer and replica: the L2 JSON-RPC port (default 8547 sequencer, 8549 replica)")
      .option("--block-time <ms>", "sequencer: L2 block time in milliseconds", "100")
      .addOption(new Option("--batch-data <mode>", "sequencer: post batches in calldata, in blobs, or whichever costs less per batch").choices(BATCH_DATA_MODES).default("calldata")),
  ).action(action<NodeOptions>(io, (input) => runNode(input, input.opts.role!)));

  nodeOptions(program.command("challenger").description("watch every batch posted on L1 and prove fraud when one is wrong (= node --role challenger)"))
    .option("--data-dir <dir>", "where the challenger keeps what it has checked (default .cairn/challenger)")
    .action(
    action<NodeOptions>(io, (input) => runNode(input, "challenger")),
  );
}

const whole = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw usage(`--${name} must be a whole number, not "${v}"`);
  return n;
};

async function runNode(input: ActionInput<NodeOptions>, role: Role): Promise<void> {
  const { ctx, opts, out, io } = input;
  const startBlock = whole("from-block", opts.fromBlock ?? String(ctx.devnet?.contracts.deployBlock ?? 0));
  const confirmations = whole("confirmations", opts.confirmations);
  const pollMs = Math.max(50, whole("poll-ms", opts.pollMs ?? "1000"));
  const rpcPort = opts.rpcPort === undefined ? (role === "replica" ? 8549 : 8547) : whole("rpc-port", opts.rpcPort);
  if (rpcPort > 65535) throw usage(`--rpc-port must be a port number, not "${opts.rpcPort}"`);
  const l1 = await ctx.l1();
  const addresses = await ctx.addresses();
  const chainId = await Rollup__factory.connect(addresses.rollup, l1).l2ChainId();
  const logger = createLogger(role);
  const rpc = { host: opts.rpcHost ?? "127.0.0.1", port: rpcPort };
  const l1Beacon = opts.l1Beacon ?? ctx.devnet?.l1.beaconUrl;
  if (role === "sequencer" || role === "replica") await assertPortFree(rpc.host, rpc.port, "--rpc-port");

  let node: { stop(): Promise<void> };
  if (role === "replica") {
    const bar = io.stderr.isTTY ? new SingleBar({ format: "rebuilding from L1 [{bar}] batch {value}/{total} · L2 block {l2Block} · {txs} transactions", stream: io.stderr, hideCursor: true }) : null;
    let barStarted = false;
    const replica = new ReplicaNode({
      l1Provider: l1,
      addresses,
      startBlock,
      confirmations,
      chainId,
      pollMs,
      l1Beacon,
      serve: jsonRpc({ ...rpc, logger }),
      logger,
      experimentalEvm: opts.experimentalEvm === true,
      onProgress: (p) => {
        if (bar && !barStarted) {
          bar.start(p.batches, 0, { l2Block: 0, txs: 0 });
          barStarted = true;
        }
        bar?.update(p.batch, { l2Block: p.l2Block, txs: p.txs });
        if (!bar && (p.batch === p.batches || p.batch % 100 === 0)) logger.info(p, "rebuilding from L1");
      },
    });
    await replica.start();
    bar?.stop();
    logger.info({ l2Block: replica.chain.latest.number, stateRoot: replica.chain.latest.stateRoot, batches: replica.chain.batches.length, rpc: replica.rpcUrl }, "replica in sync; following L1");
    node = replica;
  } else {
    const signer = new Wallet(ctx.privateKey(), l1);
    const dataDir = path.resolve(opts.dataDir ?? path.join(".cairn", role));
    const experimentalEvm = opts.experimentalEvm === true;
    const common = { l1Provider: l1, l1Signer: signer, addresses, startBlock, confirmations, chainId, pollMs, logger, dataDir: experimentalEvm ? undefined : dataDir, l1Beacon, experimentalEvm };
    if (role === "sequencer") {
      const blockTimeMs = Math.max(10, whole("block-time", opts.blockTime ?? "100"));
      const sequencer = new SequencerNode({ ...SEQUENCER_DEFAULTS, ...common, l1PollMs: pollMs, feeRecipient: signer.address, blockTimeMs, batchData: opts.batchData ?? "calldata", serve: jsonRpc({ ...rpc, logger }), dataDir: common.dataDir });
      await sequencer.start();
      logger.info({ rpc: sequencer.rpcUrl, dataDir, l2Block: sequencer.chain.latest.number, l1Account: signer.address }, "sequencer running");
      node = sequencer;
    } else {
      const n = role === "fallback" ? new FallbackProposer({ ...common, autoBond: true }) : new Challenger(common);
      await n.openStore();
      n.start();
      node = n;
    }
    logger.info({ role, rollup: addresses.rollup, l1: ctx.l1Url, l1Account: signer.address }, "following L1");
  }
  const signal = await untilSignal();
  logger.info({ signal }, "stopping");
  await node.stop();
  out.note(`${role} stopped`);
}
