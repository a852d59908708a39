/** The queue entry an L1 transaction added, read from its `QueueEntryAdded` log. */
import type { TransactionReceipt } from "ethers";
import { waitForDeposit } from "../actions/waitForDeposit";
import { MissingEventError } from "../errors";
import type { CairnConnection, Deposit, QueuedEntry } from "../types";
import { Bridge__factory } from "./contracts";

const bridgeInterface = Bridge__factory.createInterface();

/** The entry `receipt`'s transaction queued; {@link MissingEventError} when it queued none. */
export function queuedEntryOf(receipt: TransactionReceipt): QueuedEntry {
  for (const log of receipt.logs) {
    const event = bridgeInterface.parseLog(log);
    if (event?.name === "QueueEntryAdded") return { l1Tx: receipt.hash, queueIndex: event.args.index as bigint, amount: event.args.amount as bigint };
  }
  throw new MissingEventError("QueueEntryAdded", receipt.hash);
}

/** The deposit `receipt` made, with the wait for its L2 credit already running. */
export function depositOf(cairn: Pick<CairnConnection, "l2" | "pollMs">, receipt: TransactionReceipt): Deposit {
  const entry = queuedEntryOf(receipt);
  const credited = waitForDeposit(cairn, { queueIndex: entry.queueIndex });
  credited.catch(() => {}); // a caller that never awaits it must not crash the process
  return { ...entry, credited };
}
