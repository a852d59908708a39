/**
 * The SDK as a package: built JavaScript with declarations (npm ci builds it, see "prepare"),
 * importable by name from CommonJS and from ES modules with plain node — no ts-node — and
 * packed with its contract bindings.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

describe("sdk: the package dapps install", function () {
  this.timeout(120_000);
  let project: string;

  before(function () {
    if (!fs.existsSync(path.join(ROOT, "dist", "src", "sdk", "index.js"))) throw new Error("dist/ is not built: npm ci builds it (npm run build by hand)");
    // A project that depends on the package, as npm would link it.
    project = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-dapp-"));
    fs.mkdirSync(path.join(project, "node_modules"));
    fs.symlinkSync(ROOT, path.join(project, "node_modules", "cairn"), "dir");
  });
  after(() => project && fs.rmSync(project, { recursive: true, force: true }));

  /** Runs `source` as `file` in the project with plain node (no loaders); its stdout. */
  const run = (file: string, source: string) => {
    fs.writeFileSync(path.join(project, file), source);
    return execFileSync(process.execPath, [file], { cwd: project, encoding: "utf8", env: { PATH: process.env.PATH } }).trim();
  };

  const probe = (cairn: string, viem: string) =>
    `console.log(JSON.stringify({ client: typeof ${cairn}.CairnClient, error: typeof ${cairn}.CairnClientError, deposit: typeof ${cairn}.depositETH, l1Actions: typeof ${cairn}.cairnL1Actions, l2Actions: typeof ${cairn}.cairnL2Actions, viemDeposit: typeof ${viem}.depositETH, viemProof: typeof ${viem}.getWithdrawalProof, predeploy: ${cairn}.WITHDRAWAL_PREDEPLOY, token: ${cairn}.l2TokenAddress("0x" + "11".repeat(20)) }));`;
  const expected = { client: "function", error: "function", deposit: "function", l1Actions: "function", l2Actions: "function", viemDeposit: "function", viemProof: "function", predeploy: "0xca12000000000000000000000000000000000001" };

  it("is required by name, cairn/viem too, from CommonJS without ts-node", () => {
    const out = JSON.parse(run("probe.cjs", `const cairn = require("cairn");\nconst viem = require("cairn/viem");\n${probe("cairn", "viem")}`));
    expect(out).to.include(expected);
    expect(out.token).to.match(/^0x[0-9a-f]{40}$/);
  });

  it("loads only the bindings it uses, not typechain's index with every contract's bytecode", () => {
    const loaded = JSON.parse(run("loaded.cjs", `require("cairn");\nconsole.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("typechain-types"))));`)) as string[];
    expect(loaded.some((f) => f.includes("Bridge__factory"))).to.equal(true);
    expect(loaded.filter((f) => /typechain-types[\\/]index\.js$/.test(f))).to.deep.equal([]);
  });

  it("is imported by name from an ES module, cairn/viem too, named exports and all", () => {
    const source = `import * as cairn from "cairn";\nimport * as viem from "cairn/viem";\nimport { CairnClient, depositETH } from "cairn";\nimport { finalizeWithdrawal } from "cairn/viem";\nif ([CairnClient, depositETH, finalizeWithdrawal].some((f) => typeof f !== "function")) throw new Error("no named export");\n${probe("cairn", "viem")}`;
    const out = JSON.parse(run("probe.mjs", source));
    expect(out).to.include(expected);
  });

  it("ships type declarations and the contract bindings the built SDK requires", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { types: string; exports: Record<string, { types: string }> };
    expect(fs.existsSync(path.join(ROOT, pkg.types))).to.equal(true);
    expect(fs.readFileSync(path.join(ROOT, pkg.exports["."].types), "utf8")).to.include("CairnClient");
    const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" })) as Array<{ files: Array<{ path: string }> }>;
    const files = new Set(packed[0].files.map((f) => f.path));
    const needed = [
      "dist/src/sdk/index.js",
      "dist/src/sdk/index.d.ts",
      "dist/src/sdk/actions/depositETH.js",
      "dist/src/sdk/actions/depositETH.d.ts",
      "dist/src/sdk/viem/index.js",
      "dist/src/sdk/viem/index.d.ts",
      "dist/typechain-types/factories/contracts/L1/Bridge__factory.js",
      "dist/typechain-types/factories/contracts/L1/Rollup__factory.js",
      "dist/typechain-types/contracts/L1/Bridge.d.ts",
      "bin/cairn.js",
    ];
    for (const f of needed) expect(files.has(f), f).to.equal(true);
  });
});
