#!/usr/bin/env -S node --max-semi-space-size=64
// The `cairn` command. It runs the JavaScript built into dist/ (npm ci builds it: "prepare"),
// which starts in about half a second; in a checkout whose src/ has changed since that build,
// it runs src/ through ts-node instead (a few seconds), compiling the contracts and their
// TypeScript bindings first on a checkout that has none, so an edit is never run stale.
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const built = path.join(root, "dist", "src", "cli", "cairn.js");
process.env.HARDHAT_CONFIG ??= path.join(root, "hardhat.config.ts");

/** The newest modification time of the TypeScript files under `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function builtIsCurrent() {
  if (!fs.existsSync(built)) return false;
  const at = fs.statSync(built).mtimeMs;
  return ["src", "deploy"].every((dir) => newestSource(path.join(root, dir)) <= at);
}

function loadFromSource() {
  if (!fs.existsSync(path.join(root, "typechain-types", "index.ts"))) {
    process.stderr.write("cairn: compiling the contracts first (once)…\n");
    const hardhat = require.resolve("hardhat/internal/cli/bootstrap", { paths: [root] });
    const r = spawnSync(process.execPath, [hardhat, "compile", "--quiet"], { cwd: root, stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  return require(path.join(root, "src/cli/cairn.ts"));
}

const cli = builtIsCurrent() ? require(built) : loadFromSource();
cli.runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
