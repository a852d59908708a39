// `npm run bench:cli`: how long `cairn --version` and `cairn --help` take as whole processes,
// from the built JavaScript (as after `npm ci`) and, for comparison, through ts-node. Prints JSON.
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const RUNS = Number(process.env.RUNS ?? 7);

function time(args) {
  const seconds = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore", env: { ...process.env, HARDHAT_CONFIG: path.join(root, "hardhat.config.ts") } });
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  seconds.sort((a, b) => a - b);
  return { min: +seconds[0].toFixed(3), median: +seconds[Math.floor(RUNS / 2)].toFixed(3), max: +seconds[RUNS - 1].toFixed(3) };
}

const built = path.join("dist", "src", "cli", "cairn.js");
const tsNode = ["-r", "ts-node/register/transpile-only", path.join("src", "cli", "cairn.ts")];
process.stdout.write(
  JSON.stringify(
    {
      runs: RUNS,
      seconds: {
        "bin --version": time([path.join("bin", "cairn.js"), "--version"]),
        "bin --help": time([path.join("bin", "cairn.js"), "--help"]),
        "built --version": time([built, "--version"]),
        "ts-node --version": time([...tsNode, "--version"]),
      },
    },
    null,
    2,
  ) + "\n",
);
