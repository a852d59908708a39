/**
 * `--experimental-evm` (docs/design/evm.md, *Tracer bullet*): contract transactions run in the
 * engine and ride in EVM blocks that FraudVerifier calls MALFORMED, so anyone can revert a batch
 * holding one (docs/trust-model.md). Like the faulty mode, it is refused unless L1 is a local
 * development chain.
 */
import type { Provider } from "ethers";
import { CairnError } from "../core/errors";
import { LOCAL_CHAIN_IDS } from "./sequencer/faults";

export class ExperimentalEvmRefusedError extends CairnError {
  override readonly name = "ExperimentalEvmRefusedError";
  readonly code = "EXPERIMENTAL_EVM_REFUSED";
  constructor(readonly l1ChainId: bigint) {
    super(`--experimental-evm refused on L1 chain ${l1ChainId}`, { details: "contract transactions are not fraud-provable yet: the mode only runs against a local development chain (31337 or 1337)" });
  }
}

/**
 * A sequencer asked to keep a data directory in the mode: it promises that accepted transactions
 * are durable, and contract state is not stored yet, so it refuses rather than break the promise.
 */
export class ExperimentalEvmDataDirError extends CairnError {
  override readonly name = "ExperimentalEvmDataDirError";
  readonly code = "EXPERIMENTAL_EVM_DATA_DIR";
  constructor(readonly dataDir: string) {
    super("--experimental-evm keeps no data directory", { details: `contract state is not stored yet: run the sequencer without one (${dataDir})` });
  }
}

/** Throws ExperimentalEvmRefusedError unless `provider`'s chain is a local development chain. */
export async function requireLocalL1ForEvm(provider: Provider): Promise<void> {
  const chainId = (await provider.getNetwork()).chainId;
  if (!LOCAL_CHAIN_IDS.includes(chainId)) throw new ExperimentalEvmRefusedError(chainId);
}
