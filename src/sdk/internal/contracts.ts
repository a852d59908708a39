/**
 * The L1 contracts and signer an ethers action works with, from its connection. The factories
 * are imported one by one, not through typechain's index, which would load every contract's
 * bytecode (the test contracts' too) into a dapp that needs two ABIs.
 */
import type { Provider, Signer } from "ethers";
import { Bridge__factory } from "../../../typechain-types/factories/contracts/L1/Bridge__factory";
import { Rollup__factory } from "../../../typechain-types/factories/contracts/L1/Rollup__factory";
import type { Bridge, Rollup } from "../../../typechain-types/contracts/L1";
import { SignerRequiredError } from "../errors";
import type { CairnConnection } from "../types";

export { Bridge__factory, Rollup__factory };

type L1 = Pick<CairnConnection, "l1" | "addresses">;

export function bridgeOf(cairn: L1): Bridge {
  return Bridge__factory.connect(cairn.addresses.bridge, cairn.l1);
}

export function rollupOf(cairn: L1): Rollup {
  return Rollup__factory.connect(cairn.addresses.rollup, cairn.l1);
}

/** The connection's L1 signer; {@link SignerRequiredError} naming `action` when it holds a provider. */
export function l1SignerOf(cairn: Pick<CairnConnection, "l1">, action: string): Signer {
  const l1 = cairn.l1 as Signer;
  if (typeof l1.getAddress !== "function" || typeof l1.sendTransaction !== "function") throw new SignerRequiredError(action);
  return l1;
}

/** The provider behind the connection's L1 signer or provider. */
export function l1ProviderOf(cairn: Pick<CairnConnection, "l1">): Provider {
  const l1 = cairn.l1 as Partial<Signer>;
  // A signer carries the provider it sends through; a provider is one itself.
  if (typeof l1.getAddress === "function") {
    if (!l1.provider) throw new SignerRequiredError("reading L1", "a signer connected to a provider");
    return l1.provider;
  }
  return cairn.l1 as Provider;
}
