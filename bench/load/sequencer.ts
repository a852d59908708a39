/**
 * The sequencer load in a process of its own, as an operator runs a sequencer: prints the
 * LoadResult as JSON. `npm run bench` runs it this way; by hand:
 *
 *   node --max-semi-space-size=64 -r ts-node/register/transpile-only bench/load/sequencer.ts \
 *     [--seconds 15] [--senders 400] [--connections 4] [--utilisation]
 *
 * `--utilisation` prints, each second, the main thread's event-loop utilisation and the
 * process's CPU (main thread, recovery worker, LevelDB, the in-process L1) to stderr; add
 * node's `--cpu-prof` to profile.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Command, InvalidArgumentError } from "commander";
import { sequencerLoad } from "./run";

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive integer");
  return n;
};
const options = new Command()
  .option("--seconds <n>", "how long to send", count, 15)
  .option("--senders <n>", "funded senders", count, 400)
  .option("--connections <n>", "keep-alive connections", count, 4)
  .option("--utilisation", "print main-thread and process CPU each second")
  .parse()
  .opts<{ seconds: number; senders: number; connections: number; utilisation?: boolean }>();

function sampleUtilisation(): () => void {
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  let at = performance.now();
  const timer = setInterval(() => {
    const [nextElu, nextCpu, now] = [performance.eventLoopUtilization(), process.cpuUsage(), performance.now()];
    const busy = performance.eventLoopUtilization(nextElu, elu).utilization;
    const cores = (nextCpu.user - cpu.user + nextCpu.system - cpu.system) / 1000 / (now - at);
    process.stderr.write(`main thread ${(busy * 100).toFixed(0)}% busy, process ${(cores * 100).toFixed(0)}% of a core\n`);
    [elu, cpu, at] = [nextElu, nextCpu, now];
  }, 1000);
  return () => clearInterval(timer);
}

const stopSampling = options.utilisation ? sampleUtilisation() : () => {};
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-bench-"));
sequencerLoad({ seconds: options.seconds, senders: options.senders, connections: options.connections, dataDir })
  .then((r) => process.stdout.write(JSON.stringify(r) + "\n"))
  .finally(() => {
    stopSampling();
    fs.rmSync(dataDir, { recursive: true, force: true });
  })
  .then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`sequencer load failed: ${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
