/**
 * Deploys Cairn's L1 contracts with any ethers signer: the Bridge and the Rollup reference each
 * other immutably, so the Rollup's address is computed from the deployer's nonce first.
 */
import fs from "node:fs";
import path from "node:path";
import { getCreateAddress, type Signer } from "ethers";
import { Bridge__factory, FraudVerifier__factory, Rollup__factory, type Bridge, type FraudVerifier, type Rollup } from "../typechain-types";
import { L2State } from "../src/core/state";
import type { RollupParams } from "./params";

export interface Deployment {
  bridge: Bridge;
  rollup: Rollup;
  verifier: FraudVerifier;
  addresses: { bridge: string; rollup: string; fraudVerifier: string };
  genesisStateRoot: string;
  deployBlock: number;
}

export interface DeployOptions extends RollupParams {
  /** The designated sequencer (defaults to the deployer). */
  sequencer?: string;
}

export async function deployCairn(deployer: Signer, options: DeployOptions): Promise<Deployment> {
  const from = await deployer.getAddress();
  const provider = deployer.provider;
  if (!provider) throw new Error("deployer has no provider");
  const verifier = await new FraudVerifier__factory(deployer).deploy();
  await verifier.waitForDeployment();
  const nonce = await provider.getTransactionCount(from, "pending");
  const predictedRollup = getCreateAddress({ from, nonce: nonce + 1 });
  const genesisStateRoot = "0x" + L2State.genesis().root().toString("hex");

  const bridge = await new Bridge__factory(deployer).deploy(predictedRollup, { nonce });
  const rollup = await new Rollup__factory(deployer).deploy(
    await bridge.getAddress(),
    {
      sequencer: options.sequencer ?? from,
      bondSize: options.bondSize,
      challengeWindow: options.challengeWindow,
      inclusionWindow: options.inclusionWindow,
      sequencerTimeout: options.sequencerTimeout,
      bondWithdrawalDelay: options.bondWithdrawalDelay,
      l2ChainId: options.l2ChainId,
      genesisStateRoot,
      fraudVerifier: await verifier.getAddress(),
    },
    { nonce: nonce + 1 },
  );
  const receipt = await rollup.deploymentTransaction()!.wait();
  await bridge.deploymentTransaction()!.wait();
  const rollupAddress = await rollup.getAddress();
  if (rollupAddress !== predictedRollup) throw new Error(`rollup landed at ${rollupAddress}, expected ${predictedRollup}`);
  return {
    bridge,
    rollup,
    verifier,
    addresses: { bridge: await bridge.getAddress(), rollup: rollupAddress, fraudVerifier: await verifier.getAddress() },
    genesisStateRoot,
    deployBlock: receipt!.blockNumber,
  };
}

/** What `deployments/<network>.json` records of a deployment. */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  bridge: string;
  rollup: string;
  fraudVerifier: string;
  deployBlock: number;
  genesisStateRoot: string;
  params: Record<string, string | number>;
  sequencer: string;
}

/** Writes the record of deployment `d` to `file` and returns it. */
export async function recordDeployment(d: Deployment, options: DeployOptions, network: string, file: string): Promise<DeploymentRecord> {
  const { sequencer, ...params } = options;
  const record: DeploymentRecord = {
    network,
    chainId: Number((await d.rollup.runner!.provider!.getNetwork()).chainId),
    ...d.addresses,
    deployBlock: d.deployBlock,
    genesisStateRoot: d.genesisStateRoot,
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : (v as number)])),
    sequencer: sequencer ?? (await d.rollup.sequencer()),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  return record;
}
