/**
 * The nodes' log during a chaos run: stdout is the report's, so nothing is printed unless asked
 * (CHAOS_LOG=1 echoes warnings and errors to stderr, CHAOS_LOG_LEVEL=info more), but every
 * warning and error is counted by message: what the nodes complained about under attack goes
 * into the report.
 */
import pino, { type Logger } from "pino";

export interface NodeLog {
  logger: Logger;
  /** "level: message — error" → how many times, warnings and errors only. */
  counts(): Record<string, number>;
  /** The latest error logged by the node named `name` ("sequencer", "fallback"), if any. */
  lastError(name: string): string | null;
}

const LEVELS: Record<number, string> = { 40: "warn", 50: "error", 60: "fatal" };

/** The error a log line carries, its numbers and hashes left out so that alike errors count together. */
function reason(err: unknown): string {
  if (err === undefined || err === null) return "";
  const text = typeof err === "string" ? err : typeof err === "object" && "message" in err ? String((err as { message: unknown }).message) : JSON.stringify(err);
  return ` — ${text.replace(/0x[0-9a-f]+|\b\d+\b/gi, "N").slice(0, 200)}`;
}

export function countingLog(echo: boolean, level = "warn"): NodeLog {
  const counts = new Map<string, number>();
  const lastErrors = new Map<string, string>();
  const logger = pino(
    { level },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { level: number; name?: string; msg?: string; err?: unknown };
        if (echo) process.stderr.write(line);
        if (entry.level < 40) return;
        const key = `${LEVELS[entry.level] ?? entry.level}: ${entry.msg ?? ""}${reason(entry.err)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (entry.level >= 50 && entry.name) lastErrors.set(entry.name, key);
      },
    },
  );
  return {
    logger,
    counts: () => Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])),
    lastError: (name) => lastErrors.get(name) ?? null,
  };
}
