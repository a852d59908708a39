/**
 * `cairn explorer`: the explorer page on its own, against any L1 and its Cairn L2 node — the
 * devnet's, or a deployment's by --l1-rpc, --l2-rpc and --rollup (the Bridge is read from the
 * Rollup; without --rollup, the devnet's contracts or what the L2 node reports). It reads only
 * what anyone can, so it needs no key. Runs until SIGINT or SIGTERM.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { isAddress } from "ethers";
import { action, type ActionInput } from "../action";
import { CliError, EXIT, usage } from "../errors";
import { shortMessage } from "../failure";
import type { CliIO } from "../output";
import { assertPortFree } from "../ports";
import { untilSignal } from "../signals";

interface ExplorerOptions {
  host: string;
  port: number;
  fromBlock?: number;
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number (0-65535; 0: any free one)");
  return n;
};
const block = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be an L1 block number");
  return n;
};

export function explorerCommand(program: Command, io: CliIO): void {
  program
    .command("explorer")
    .description("serve the explorer page for an L1 and its Cairn L2 node (--l1-rpc, --l2-rpc, --rollup; the devnet's by default)")
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--port <port>", "port of the page (0: any free one)", port, 8548)
    .option("--from-block <n>", "L1 block the rollup's history starts at: its deployment block (the devnet's by default, else 0, which reads the whole L1)", block)
    .addHelpText("after", "\nExample: cairn explorer --l1-rpc https://l1.example --l2-rpc https://l2.example --rollup 0x… --from-block 7000000\n")
    .action(action<ExplorerOptions>(io, runExplorer));
}

/** A JSON-RPC URL the explorer can read, or a usage error naming the flag. */
function checkUrl(flag: string, url: string | undefined): void {
  if (url === undefined) return;
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw usage(`${flag} must be an http:// or https:// URL, not "${url}"`);
  }
  if (protocol !== "http:" && protocol !== "https:") throw usage(`${flag} must be an http:// or https:// URL, not "${url}"`);
}

async function runExplorer({ ctx, opts, out, io }: ActionInput<ExplorerOptions>): Promise<void> {
  checkUrl("--l1-rpc", opts.l1Rpc ?? io.env.CAIRN_L1_RPC);
  checkUrl("--l2-rpc", opts.l2Rpc ?? io.env.CAIRN_L2_RPC);
  const rollupFlag = opts.rollup ?? io.env.CAIRN_ROLLUP;
  if (rollupFlag !== undefined && !isAddress(rollupFlag)) throw usage(`--rollup must be a 0x address, not "${rollupFlag}"`);
  await assertPortFree(opts.host, opts.port, "--port");

  const [l1, l2] = await Promise.all([ctx.l1(), ctx.l2()]);
  // An address with no code would fail later as "could not decode result data"; say what it is.
  if (rollupFlag !== undefined && (await l1.getCode(rollupFlag)) === "0x") throw usage(`no contract at --rollup ${rollupFlag} on the L1 at ${ctx.l1Url}`);
  // Asked before the contracts, which fall back to this same answer when neither --rollup nor a devnet names them.
  const status = (await l2.send("rollup_status", []).catch((e: unknown) => {
    throw new CliError(`the L2 node at ${ctx.l2Url} does not answer rollup_status (is it a Cairn node?): ${shortMessage(e)}`, EXIT.usage);
  })) as { l1: { rollup: string; chainId: number } };
  const addresses = await ctx.addresses();
  const l1ChainId = Number((await l1.getNetwork()).chainId);
  // An L2 of another deployment would show its blocks beside this Rollup's batches.
  if (status.l1.rollup.toLowerCase() !== addresses.rollup.toLowerCase() || status.l1.chainId !== l1ChainId) {
    throw usage(`the L2 node at ${ctx.l2Url} belongs to the Rollup ${status.l1.rollup} on L1 chain ${status.l1.chainId}, not ${addresses.rollup} on chain ${l1ChainId}`);
  }
  const devnetRollup = ctx.devnet?.contracts.rollup.toLowerCase() === addresses.rollup.toLowerCase();
  const fromBlock = opts.fromBlock ?? (devnetRollup ? ctx.devnet!.contracts.deployBlock : 0);

  // Loaded here, so that every other command starts without loading the explorer.
  const [{ ExplorerData }, { startExplorer }, logger] = await Promise.all([import("../../explorer/data"), import("../../explorer/server"), stderrLogger(io)]);
  const data = new ExplorerData(l1, l2, addresses, fromBlock);
  // Read once before serving: the first page then opens at once, and a failing read stops here, said in one line.
  await out.spin(`reading the rollup's history from L1 block ${fromBlock}`, () => data.fresh());
  const server = await startExplorer({ host: opts.host, port: opts.port, data, logger }).catch((e: unknown) => {
    throw new CliError(`cannot serve on ${opts.host}:${opts.port}: ${shortMessage(e)}`, EXIT.usage);
  });
  try {
    const l2ChainId = Number((await l2.getNetwork()).chainId);
    out.result({ url: server.url, l1: { rpcUrl: ctx.l1Url, chainId: l1ChainId }, l2: { rpcUrl: ctx.l2Url, chainId: l2ChainId }, rollup: addresses.rollup, bridge: addresses.bridge, fromBlock }, [
      "",
      "Cairn explorer is running",
      "",
      `  Explorer  ${server.url}`,
      `  L1        ${ctx.l1Url}   chain id ${l1ChainId}`,
      `  L2        ${ctx.l2Url}   chain id ${l2ChainId}`,
      `  Rollup    ${addresses.rollup}`,
      `  Bridge    ${addresses.bridge}`,
      `  History   from L1 block ${fromBlock}`,
      "",
      "  Ctrl-C stops it.",
      "",
    ]);
    await untilSignal();
  } finally {
    await server.close();
  }
  out.note("explorer stopped");
}

/**
 * The explorer's log (reads that failed) on stderr: stdout carries the command's result, one
 * JSON document under --json, which a log line must not break.
 */
async function stderrLogger(io: CliIO) {
  const { default: pino } = await import("pino");
  const level = io.env.CAIRN_LOG_LEVEL ?? "info";
  if (io.env.CAIRN_LOG_JSON) return pino({ name: "explorer", level }, io.stderr);
  const { default: pretty } = await import("pino-pretty");
  return pino({ name: "explorer", level }, pretty({ destination: io.stderr, sync: true, colorize: Boolean(io.stderr.isTTY), ignore: "pid,hostname", translateTime: "HH:MM:ss.l" }));
}
