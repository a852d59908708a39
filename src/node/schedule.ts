/**
 * Background work of the node services: a task repeated every `ms`, never overlapping itself,
 * whose failures are logged and retried on the next round instead of ending the process.
 */
import type { Logger } from "./logger";

export interface Repeating {
  /** Stops the repetition and waits for a round in progress. */
  stop(): Promise<void>;
}

export function repeat(ms: number, task: () => unknown, options: { logger: Logger; what: string; unref?: boolean }): Repeating {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = (async () => {
      try {
        await task();
      } catch (e) {
        options.logger.error({ err: (e as Error).message }, `${options.what} failed`);
      } finally {
        running = null;
      }
    })();
  }, ms);
  // A node inside another process (the devnet, a test) must not hold it open by itself.
  if (options.unref) timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
