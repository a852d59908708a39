/**
 * `npm run cairn-node -- --role challenger|fallback --l1-rpc URL --rollup ADDRESS`: runs a
 * challenger (proves fraud) or a fallback proposer (a challenger that also posts the pending L1
 * queue when the sequencer has been silent for its timeout) against any L1 by URL. The L1 key
 * comes from CAIRN_PRIVATE_KEY and is never printed.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { JsonRpcProvider, Wallet, isAddress } from "ethers";
import { createLogger } from "../node/logger";
import { Rollup__factory } from "../../typechain-types";
import { Challenger } from "../node/challenger";
import { FallbackProposer } from "../node/fallbackProposer";

const nonNegative = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
};
const address = (v: string) => {
  if (!isAddress(v)) throw new InvalidArgumentError("must be a 0x address");
  return v;
};

const opts = new Command("cairn-node")
  .description("Run a Cairn challenger or fallback proposer against an L1")
  .addOption(new Option("--role <role>", "what the node does").choices(["challenger", "fallback"]).makeOptionMandatory())
  .requiredOption("--l1-rpc <url>", "L1 JSON-RPC URL")
  .requiredOption("--rollup <address>", "the Rollup contract", address)
  .option("--from-block <n>", "L1 block to start following from (the deployment block)", nonNegative, 0)
  .option("--confirmations <n>", "L1 blocks an event must be buried under", nonNegative, 0)
  .option("--poll-ms <n>", "how often to read L1", nonNegative, 1000)
  .parse()
  .opts<{ role: "challenger" | "fallback"; l1Rpc: string; rollup: string; fromBlock: number; confirmations: number; pollMs: number }>();

async function main(): Promise<void> {
  const key = process.env.CAIRN_PRIVATE_KEY;
  if (!key || !/^(0x)?[0-9a-fA-F]{64}$/.test(key)) {
    throw new Error("set CAIRN_PRIVATE_KEY to the node's L1 private key (32 bytes hex): it pays for proofs or batches");
  }
  const logger = createLogger(opts.role);
  const provider = new JsonRpcProvider(opts.l1Rpc, undefined, { cacheTimeout: -1 });
  const signer = new Wallet(key, provider);
  const rollup = Rollup__factory.connect(opts.rollup, provider);
  const [bridge, chainId] = await Promise.all([rollup.bridge(), rollup.l2ChainId()]).catch((e: unknown) => {
    throw new Error(`cannot read the Rollup at ${opts.rollup} on ${opts.l1Rpc}: ${(e as Error).message.split(" (")[0]}`);
  });
  const common = {
    l1Provider: provider,
    l1Signer: signer,
    addresses: { bridge, rollup: opts.rollup },
    startBlock: opts.fromBlock,
    confirmations: opts.confirmations,
    chainId,
    pollMs: opts.pollMs,
    logger,
  };
  const node = opts.role === "fallback" ? new FallbackProposer({ ...common, autoBond: true }) : new Challenger(common);
  node.start();
  logger.info({ role: opts.role, rollup: opts.rollup, l1Account: signer.address }, "following L1");
  const shutdown = async () => {
    await node.stop();
    provider.destroy();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
}

main().catch((e: unknown) => {
  process.stderr.write(`cairn-node: ${(e as Error).message}\n`);
  process.exit(2);
});
