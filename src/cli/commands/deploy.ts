/**
 * `cairn deploy`: the L1 contracts onto a Hardhat network by name (its URL and accounts from
 * hardhat.config.ts) or onto any node by URL with the key from CAIRN_PRIVATE_KEY.
 */
import path from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { Wallet, isAddress, type Signer } from "ethers";
import { action } from "../action";
import { CliError, usage } from "../errors";
import type { CliIO } from "../output";
import { deployCairn, recordDeployment } from "../../../deploy/cairn";
import { paramsNamed } from "../../../deploy/params";
import { loadHardhat } from "../hardhat";


export function deployCommand(program: Command, io: CliIO): void {
  program
    .command("deploy")
    .description("deploy the Bridge, Rollup and FraudVerifier to an L1 and write deployments/<network>.json")
    .option("--network <name>", "a network from hardhat.config.ts (e.g. localhost, sepolia)")
    .addOption(new Option("--params <set>", "production (7-day window, 10 ETH bond) or devnet (60 s window)").choices(["production", "devnet"]).default("production"))
    .option("--sequencer <address>", "the designated sequencer (default: the deployer)")
    .option("--out <file>", "where to write the addresses (default: deployments/<network>.json)")
    .action(
      action<{ network?: string; params: string; sequencer?: string; out?: string }>(io, async ({ ctx, out, opts }) => {
        if (opts.sequencer !== undefined && !isAddress(opts.sequencer)) throw usage(`--sequencer must be a 0x address, not "${opts.sequencer}"`);
        const { signer, network } = opts.network ? await hardhatSigner(opts.network, opts.privateKey !== undefined || io.env.CAIRN_PRIVATE_KEY !== undefined ? ctx.privateKey() : null) : { signer: new Wallet(ctx.privateKey(), await ctx.l1()) as Signer, network: `chain-${(await (await ctx.l1()).getNetwork()).chainId}` };
        const options = { ...paramsNamed(opts.params), sequencer: opts.sequencer };
        const d = await out.spin(`deploying Cairn (${opts.params} parameters) to ${network}`, () => deployCairn(signer, options), (d) => `deployed at L1 block ${d.deployBlock}`);
        const file = opts.out ?? path.join("deployments", `${network}.json`);
        const record = await recordDeployment(d, options, network, file);
        out.result({ ...record, file }, [`Rollup         ${record.rollup}`, `Bridge         ${record.bridge}`, `FraudVerifier  ${record.fraudVerifier}`, `written to ${file}`]);
      }),
    );
}

/** A signer on Hardhat network `name`: the configured account, or the CLI's key if one is set. */
async function hardhatSigner(name: string, key: string | null): Promise<{ signer: Signer; network: string }> {
  if (name === "hardhat") throw usage("the in-process hardhat network vanishes when this command exits: deploy to localhost (a running node) or a network from hardhat.config.ts");
  let hre: typeof import("hardhat");
  try {
    hre = await loadHardhat(name);
  } catch (e) {
    throw new CliError(`cannot load Hardhat network "${name}": ${(e as Error).message.split("\n")[0]}`, 2);
  }
  const signer = key ? new Wallet(key, hre.ethers.provider) : (await hre.ethers.getSigners())[0];
  if (!signer) throw usage(`network "${name}" has no accounts: add them in hardhat.config.ts or set CAIRN_PRIVATE_KEY`);
  return { signer, network: name };
}
