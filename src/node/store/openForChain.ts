/**
 * Opening a node's store for the chain L1 holds now — what the sequencer and the challenger
 * both do at start: load what the store holds, and keep it only if L1 still has the queue its
 * state consumed (and whatever else the role checks); otherwise clear it and rebuild from L1.
 */
import path from "node:path";
import { L2State } from "../../core/state";
import { NodeStore, queueHeadOnL1, type Restored } from "./nodeStore";
import type { L1Contracts } from "../l1/contracts";
import type { Logger } from "../../shared/logger";

export interface StoreForChain {
  store: NodeStore;
  /** What the store held, if it is of this chain; null for an empty (or just cleared) store. */
  restored: Restored | null;
}

/**
 * Opens `<dataDir>/<name>`. `alsoUsable` adds the role's own checks of what was restored (the
 * challenger's L1 cursor, say). The store is closed again if loading it fails.
 */
export async function openStoreForChain(
  dataDir: string,
  name: string,
  identity: { chainId: bigint; rollup: string },
  l1: L1Contracts,
  logger: Logger,
  alsoUsable: (restored: Restored) => Promise<boolean> = async () => true,
): Promise<StoreForChain> {
  const store = await NodeStore.open(path.join(dataDir, name), identity);
  let restored: Restored | null;
  try {
    restored = await store.load((accounts, meta) => L2State.restore(accounts, meta));
  } catch (e) {
    await store.close();
    throw e;
  }
  if (restored && !((await queueHeadOnL1(l1.bridge, restored.state.queueIndex, restored.extra.queueHead)) && (await alsoUsable(restored)))) {
    logger.warn("the store is of another chain, or of L1 history that is gone; rebuilding from L1");
    store.clear();
    restored = null;
  }
  return { store, restored };
}
