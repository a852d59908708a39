/**
 * The `cairn` command line: a devnet, deployments, deposits, transfers, withdrawals and their
 * finalization, the rollup's status and batches, a challenger and the explorer — with --json on every read
 * and exit codes scripts can rely on (see ./errors).
 */
import { Command, CommanderError } from "commander";
import { CairnClientError } from "../sdk/client";
import { DevnetFileError } from "../sdk/devnetFile";
import { CliError, EXIT, EXIT_MEANING, type ExitCode } from "./errors";
import { failureLine } from "./failure";
import { processIO, toJson, type CliIO } from "./output";
import { depositCommand } from "./commands/deposit";
import { transferCommand } from "./commands/transfer";
import { withdrawCommand } from "./commands/withdraw";
import { statusCommands } from "./commands/status";
import { deployCommand } from "./commands/deploy";
import { nodeCommands } from "./commands/node";
import { devnetCommand } from "./commands/devnet";
import { explorerCommand } from "./commands/explorer";
import fs from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../shared/packageRoot";

export function createProgram(io: CliIO): Command {
  const program = new Command("cairn")
    .description("Cairn, an optimistic rollup for Ethereum: run a devnet, move funds between L1 and L2, watch batches, run a challenger")
    .version((JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version)
    .option("--devnet <file>", "the running devnet's description, for default URLs, contracts and keys", ".cairn/devnet.json")
    .option("--l1-rpc <url>", "L1 JSON-RPC URL (env CAIRN_L1_RPC)")
    .option("--l2-rpc <url>", "Cairn L2 JSON-RPC URL (env CAIRN_L2_RPC)")
    .option("--rollup <address>", "the Rollup contract (env CAIRN_ROLLUP); the Bridge is read from it")
    .option("--private-key <hex>", "signing key (prefer env CAIRN_PRIVATE_KEY: flags end up in shell history)")
    .option("--account <n>", "on a devnet without a key set: which funded test key to use", "0")
    .option("--json", "print the result as one JSON document on stdout")
    .addHelpText("after", "\nKeys come from CAIRN_PRIVATE_KEY (or --private-key); on a devnet, its test keys (--account N).\nExit codes: 0 done, 1 failed, 2 bad usage or setup, 3 not yet final.\n")
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError("(add --help for usage)");
  depositCommand(program, io);
  transferCommand(program, io);
  withdrawCommand(program, io);
  statusCommands(program, io);
  deployCommand(program, io);
  nodeCommands(program, io);
  devnetCommand(program, io);
  explorerCommand(program, io);
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<ExitCode> {
  try {
    await createProgram(io).parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed help, the version or what was wrong with the arguments.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      if (argv.includes("--json")) io.stdout.write(errorDocument(e.message.replace(/^error: /, ""), EXIT.usage));
      return EXIT.usage;
    }
    const { message, code } = explain(e);
    io.stderr.write(`cairn: ${message}\n`);
    // Under --json every outcome is one document on stdout, failures too: a script reads the
    // code's meaning there instead of parsing stderr.
    if (argv.includes("--json")) io.stdout.write(errorDocument(message, code));
    return code;
  }
}

function errorDocument(message: string, code: ExitCode): string {
  return toJson({ error: { message, exitCode: code, meaning: EXIT_MEANING[code] } }) + "\n";
}

/** One line a person can act on, and the exit code, for anything a command throws. */
function explain(e: unknown): { message: string; code: ExitCode } {
  if (e instanceof CliError) return { message: e.message, code: e.exitCode };
  if (e instanceof DevnetFileError) return { message: e.message, code: EXIT.usage };
  if (e instanceof CairnClientError) return { message: e.message, code: EXIT.failed };
  return { message: failureLine(e), code: EXIT.failed };
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
