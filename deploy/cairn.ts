/**
 * Deploys Cairn's L1 contracts with any ethers signer: the Bridge and the Rollup reference each
 * other immutably, so the Rollup's address is computed from the deployer's nonce first.
 */
import { getCreateAddress, type Signer } from "ethers";
import { Bridge__factory, Rollup__factory, type Bridge, type Rollup } from "../typechain-types";
import { L2State } from "../src/core/state";
import type { RollupParams } from "./params";

export interface Deployment {
  bridge: Bridge;
  rollup: Rollup;
  addresses: { bridge: string; rollup: string };
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
      l2ChainId: options.l2ChainId,
      genesisStateRoot,
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
    addresses: { bridge: await bridge.getAddress(), rollup: rollupAddress },
    genesisStateRoot,
    deployBlock: receipt!.blockNumber,
  };
}
