/**
 * `node -r ts-node/register/transpile-only bench/load/profileSequencer.ts [seconds]` (add
 * `--cpu-prof` to profile): the benchmark's sequencer load alone, printing each second the main
 * thread's event-loop utilisation and the process's CPU (main thread, recovery worker, LevelDB).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sequencerLoad } from "./run";

const seconds = Number(process.argv[2] ?? 15);
let elu = performance.eventLoopUtilization();
let cpu = process.cpuUsage();
let at = performance.now();
const sampler = setInterval(() => {
  const nextElu = performance.eventLoopUtilization();
  const nextCpu = process.cpuUsage();
  const now = performance.now();
  const used = performance.eventLoopUtilization(nextElu, elu).utilization;
  const cores = (nextCpu.user - cpu.user + nextCpu.system - cpu.system) / 1000 / (now - at);
  console.error(`main thread ${(used * 100).toFixed(0)}% busy, process ${(cores * 100).toFixed(0)}% of a core`);
  [elu, cpu, at] = [nextElu, nextCpu, now];
}, 1000);
sequencerLoad({ seconds, senders: 400, connections: 4, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "cairn-prof-")) })
  .then((r) => console.log(JSON.stringify(r)))
  .finally(() => clearInterval(sampler))
  .then(() => process.exit(0));
