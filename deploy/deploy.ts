/**
 * Deploys Cairn to any network Hardhat knows:
 *
 *   npx hardhat run deploy/deploy.ts --network localhost      (or: npx cairn deploy --network localhost)
 *
 * Parameters default to production (7-day challenge window); set CAIRN_PARAMS=devnet for the
 * short devnet windows, CAIRN_SEQUENCER to designate a sequencer other than the deployer.
 * The addresses are written to deployments/<network>.json.
 */
import path from "node:path";
import hre from "hardhat";
import { deployCairn, recordDeployment } from "./cairn";
import { paramsNamed } from "./params";

async function main(): Promise<void> {
  const which = process.env.CAIRN_PARAMS ?? "production";
  const params = paramsNamed(which);
  const sequencer = process.env.CAIRN_SEQUENCER;
  if (sequencer !== undefined && !hre.ethers.isAddress(sequencer)) throw new Error(`CAIRN_SEQUENCER is not an address: ${sequencer}`);
  const [deployer] = await hre.ethers.getSigners();
  const options = { ...params, sequencer };
  const d = await deployCairn(deployer, options);
  const file = path.join("deployments", `${hre.network.name}.json`);
  await recordDeployment(d, options, hre.network.name, file);
  console.log(`Cairn deployed to ${hre.network.name} (${which} parameters)`);
  console.log(`  Rollup  ${d.addresses.rollup}`);
  console.log(`  Bridge  ${d.addresses.bridge}`);
  console.log(`  written to ${file}`);
}

main().catch((e: unknown) => {
  console.error(`deploy failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
