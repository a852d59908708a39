/** Waiting out a withdrawal's life with something to look at: a spinner, then the window's countdown. */
import type { Provider } from "ethers";
import type { CairnClient, WithdrawalStatus } from "../sdk/client";
import { l1Now } from "../sdk/history";
import type { Output } from "./output";

/** Waits, under a spinner, until withdrawal `id` is in a batch on L1 (or past that). */
export function waitUntilPosted(cairn: CairnClient, out: Output, id: bigint): Promise<WithdrawalStatus> {
  return out.spin(`waiting for withdrawal ${id} to be posted on L1`, () => cairn.waitForWithdrawal(id, "posted"), (s) => `in batch ${s.batchIndex} on L1`);
}

/** Waits until withdrawal `id` can be finalized (or was); a reverted batch sends it round again. */
export async function waitUntilReady(cairn: CairnClient, l1: Provider, out: Output, id: bigint, pollMs: number): Promise<WithdrawalStatus> {
  for (;;) {
    let status = await cairn.getWithdrawalStatus(id);
    if (status.state === "ready" || status.state === "finalized") return status;
    if (status.state === "on-l2") status = await waitUntilPosted(cairn, out, id);
    if (status.state === "posted") {
      await out.countdown(`challenge window of batch ${status.batchIndex}`, status.challengeableUntil!, () => l1Now(l1), async () => (await cairn.getWithdrawalStatus(id)).state !== "posted", pollMs);
    }
  }
}
