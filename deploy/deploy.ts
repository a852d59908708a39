/**
 * Deploys Cairn to any network Hardhat knows:
 *
 *   npx hardhat run deploy/deploy.ts --network localhost
 *
 * Parameters default to production (7-day challenge window); set CAIRN_PARAMS=devnet for the
 * short devnet windows, CAIRN_SEQUENCER to designate a sequencer other than the deployer.
 * The addresses are written to deployments/<network>.json.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { deployCairn } from "./cairn";
import { DEVNET_PARAMS, PRODUCTION_PARAMS } from "./params";

async function main(): Promise<void> {
  const which = process.env.CAIRN_PARAMS ?? "production";
  if (which !== "production" && which !== "devnet") throw new Error(`CAIRN_PARAMS must be "production" or "devnet", not "${which}"`);
  const params = which === "devnet" ? DEVNET_PARAMS : PRODUCTION_PARAMS;
  const sequencer = process.env.CAIRN_SEQUENCER;
  if (sequencer !== undefined && !hre.ethers.isAddress(sequencer)) throw new Error(`CAIRN_SEQUENCER is not an address: ${sequencer}`);
  const [deployer] = await hre.ethers.getSigners();
  const d = await deployCairn(deployer, { ...params, sequencer });
  const out = {
    network: hre.network.name,
    chainId: Number((await hre.ethers.provider.getNetwork()).chainId),
    ...d.addresses,
    deployBlock: d.deployBlock,
    genesisStateRoot: d.genesisStateRoot,
    params: { ...params, bondSize: params.bondSize.toString(), l2ChainId: params.l2ChainId.toString() },
    sequencer: sequencer ?? deployer.address,
  };
  const file = path.join("deployments", `${hre.network.name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`Cairn deployed to ${hre.network.name} (${which} parameters)`);
  console.log(`  Rollup  ${d.addresses.rollup}`);
  console.log(`  Bridge  ${d.addresses.bridge}`);
  console.log(`  written to ${file}`);
}

main().catch((e: unknown) => {
  console.error(`deploy failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
