#!/usr/bin/env -S node --max-semi-space-size=64
// The `cairn` command: runs src/cli/cairn.ts through ts-node, compiling the contracts (and
// their generated TypeScript bindings) first on a fresh checkout.
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
if (!fs.existsSync(path.join(root, "typechain-types", "index.ts"))) {
  process.stderr.write("cairn: compiling the contracts first (once)…\n");
  const hardhat = require.resolve("hardhat/internal/cli/bootstrap", { paths: [root] });
  const r = spawnSync(process.execPath, [hardhat, "compile", "--quiet"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
process.env.HARDHAT_CONFIG ??= path.join(root, "hardhat.config.ts");
require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
require(path.join(root, "src/cli/cairn.ts"))
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
