/** Waiting by polling: what every `waitFor…` action and a deposit's `credited` promise do. */
import { WaitTimeoutError } from "../errors";

/** The poll interval when the connection names none: fast enough for a devnet, light on a node. */
export const DEFAULT_POLL_MS = 500;

/**
 * Calls `probe` every `pollMs` until it returns something other than null, and returns that;
 * throws {@link WaitTimeoutError} naming `what` once `timeoutMs` have passed.
 */
export async function pollUntil<T>(what: string, timeoutMs: number, pollMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new WaitTimeoutError(what, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
