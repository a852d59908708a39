/**
 * Long work on the node's one thread (the EVM engine) must leave room for the rest: block
 * sealing, L1 polls, RPC sockets. A pause returned here is cheap to call often; it yields to the
 * event loop only once a slice of time has passed since it last did.
 */

/** Milliseconds of work between two yields: short enough for timers and sockets, long enough to cost little. */
export const WORK_SLICE_MS = 10;

/** A pause that yields to the event loop (one macrotask turn) when `sliceMs` have passed since the last yield. */
export function yieldingPause(sliceMs = WORK_SLICE_MS): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
