/** Keeping a proposer's bond on the Rollup at the required size (the sequencer and the fallback proposer). */
import type { L1Contracts } from "./contracts";
import type { L1TxManager } from "./txManager";
import type { Logger } from "../../shared/logger";

/** Tops up `proposer`'s bond to the Rollup's bond size, if it is short (after a slashing, say). */
export async function ensureBond(l1: L1Contracts, txs: L1TxManager, proposer: string, logger: Logger): Promise<void> {
  const [bond, required] = await Promise.all([l1.rollup.bonds(proposer), l1.rollup.bondSize()]);
  if (bond >= required) return;
  await txs.send({ to: l1.addresses.rollup, data: l1.rollup.interface.encodeFunctionData("postBond"), value: required - bond }, "proposer bond");
  logger.info({ proposer, bond: required.toString() }, "posted proposer bond");
}
