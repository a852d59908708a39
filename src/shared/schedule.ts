/**
 * Background work of the node services: a task repeated every `ms`, never overlapping itself,
 * whose failures are logged and retried on the next round instead of ending the process.
 */
import type { Logger } from "./logger";

export interface Repeating {
  /** Stops the repetition and waits for a round in progress. */
  stop(): Promise<void>;
}

export interface RepeatOptions {
  logger: Logger;
  /** What the task is, for the log: "<what> failed". */
  what: string;
  unref?: boolean;
  /**
   * A better log line than "<what> failed" for failures the caller knows to mean more — one
   * that stops the node following L1 until it goes away, say — or undefined for the default.
   */
  explain?: (e: unknown) => string | undefined;
}

export function repeat(ms: number, task: () => unknown, options: RepeatOptions): Repeating {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = (async () => {
      try {
        await task();
      } catch (e) {
        options.logger.error({ err: (e as Error).message }, options.explain?.(e) ?? `${options.what} failed`);
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

/** A task callers ask to run "now" (see {@link freshRuns}). */
export interface FreshRuns {
  (): Promise<void>;
  /** Waits for the run in progress and the one queued after it, if any. */
  settled(): Promise<void>;
}

/**
 * Runs `task` one at a time for callers that ask for it now. A call while a run is under way
 * gets the next run, started after that one — the run under way may have read L1 before the
 * caller's transaction landed — and every such call shares it.
 */
export function freshRuns(task: () => Promise<void>): FreshRuns {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> =>
    (running = task().finally(() => {
      running = null;
    }));
  const run = (() => {
    if (!running) return start();
    // The run under way reports its failure to its own callers; the next one starts either way.
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  }) as FreshRuns;
  run.settled = async () => {
    await (next ?? running);
  };
  return run;
}
