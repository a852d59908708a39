/**
 * Long work on the node's one thread (the EVM engine) must leave room for the rest: block
 * sealing, L1 polls, RPC sockets. A pause returned here is cheap to call often; it yields to the
 * event loop only once a slice of time has passed since it last did.
 */

/** Milliseconds of work between two yields: short enough for timers and sockets, long enough to cost little. */
export const WORK_SLICE_MS = 10;

/**
 * A pause that yields to the event loop (one macrotask turn) when `sliceMs` have passed since the
 * last yield; until then it returns at once, without a promise (it is called at every JUMPDEST).
 */
export function yieldingPause(sliceMs = WORK_SLICE_MS): () => Promise<void> | void {
  let since = performance.now();
  let calls = 0;
  return () => {
    // The clock is read every fourth call: reading it at every JUMPDEST was a third of a JUMPDEST's cost.
    if ((++calls & 3) !== 0 || performance.now() - since < sliceMs) return;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}
