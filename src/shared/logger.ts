/** The node's logger: pino, pretty-printed for people unless CAIRN_LOG_JSON is set. */
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export function createLogger(name: string, level = process.env.CAIRN_LOG_LEVEL ?? "info"): Logger {
  if (process.env.CAIRN_LOG_JSON) return pino({ name, level });
  return pino({ name, level }, pretty({ sync: true, colorize: process.stdout.isTTY, ignore: "pid,hostname", translateTime: "HH:MM:ss.l" }));
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = pino({ level: "silent" });
