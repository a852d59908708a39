/**
 * `cairn node --role challenger|fallback` (and its shorthand `cairn challenger`): a node that
 * follows an L1 and proves fraud, or also posts the L1 queue when the sequencer goes silent.
 * Runs until SIGINT or SIGTERM.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { Wallet } from "ethers";
import { action, type ActionInput } from "../action";
import { usage } from "../errors";
import type { CliIO } from "../output";
import { createLogger } from "../../node/logger";
import { Challenger } from "../../node/challenger";
import { FallbackProposer } from "../../node/fallbackProposer";
import { Rollup__factory } from "../../../typechain-types";
import { untilSignal } from "../signals";

type Role = "challenger" | "fallback";
interface NodeOptions {
  role?: Role;
  fromBlock: string;
  confirmations: string;
  pollMs: string;
}

const nodeOptions = (c: Command) =>
  c
    .option("--from-block <n>", "L1 block to follow from (the deployment block; the devnet's by default)")
    .option("--confirmations <n>", "L1 blocks an event must be buried under before the node acts on it", "0")
    .option("--poll-ms <n>", "how often to read L1, in milliseconds", "1000");

export function nodeCommands(program: Command, io: CliIO): void {
  nodeOptions(
    program
      .command("node")
      .description("run a Cairn node against an L1: a challenger, or a fallback proposer")
      .addOption(new Option("--role <role>", "what the node does").choices(["challenger", "fallback"]).makeOptionMandatory()),
  ).action(action<NodeOptions>(io, (input) => runNode(input, input.opts.role!)));

  nodeOptions(program.command("challenger").description("watch every batch posted on L1 and prove fraud when one is wrong (= node --role challenger)")).action(
    action<NodeOptions>(io, (input) => runNode(input, "challenger")),
  );
}

async function runNode({ ctx, opts, out }: ActionInput<NodeOptions>, role: Role): Promise<void> {
  const whole = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw usage(`--${name} must be a whole number, not "${v}"`);
    return n;
  };
  const startBlock = whole("from-block", opts.fromBlock ?? String(ctx.devnet?.contracts.deployBlock ?? 0));
  const confirmations = whole("confirmations", opts.confirmations);
  const pollMs = Math.max(50, whole("poll-ms", opts.pollMs));
  const l1 = await ctx.l1();
  const addresses = await ctx.addresses();
  const signer = new Wallet(ctx.privateKey(), l1);
  const chainId = await Rollup__factory.connect(addresses.rollup, l1).l2ChainId();
  const logger = createLogger(role);
  const common = { l1Provider: l1, l1Signer: signer, addresses, startBlock, confirmations, chainId, pollMs, logger };
  const node = role === "fallback" ? new FallbackProposer({ ...common, autoBond: true }) : new Challenger(common);
  node.start();
  logger.info({ role, rollup: addresses.rollup, l1: ctx.l1Url, l1Account: signer.address }, "following L1");
  const signal = await untilSignal();
  logger.info({ signal }, "stopping");
  await node.stop();
  out.note(`${role} stopped`);
}
