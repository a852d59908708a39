/**
 * The SDK as a dapp installs it: the `npm pack` tarball in a fresh project, used from plain node
 * (no ts-node, no loaders) — a deposit → transfer → withdraw → finalize round trip against a
 * devnet from an ES module and from a CommonJS script, each its own process — and every
 * `@example` of src/sdk type-checked against the declarations the tarball ships.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Contract, JsonRpcProvider, parseEther, parseUnits } from "ethers";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { silentLogger } from "../../src/shared/logger";
import { Bridge__factory } from "../../typechain-types";
import { ROOT, installTarball, packCurrent, sdkExamples } from "./packedProject";

const run = promisify(execFile);

/** The round trips docs/sdk.md shows, run as written: an ES module through the actions, CommonJS through the client object. */
const FLOWS = { esm: "docs/examples/sdk-round-trip.mjs", cjs: "docs/examples/sdk-round-trip.cjs" };

describe("sdk: the npm tarball, installed in a fresh project", function () {
  this.timeout(120_000);
  let dir: string;
  let project: string;
  let devnet: Devnet | null = null;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-install-"));
    project = path.join(dir, "a-dapp");
    installTarball(project, packCurrent(dir));
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 2, configPath: path.join(project, ".cairn", "devnet.json"), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data") });
  });
  after(async () => {
    await devnet?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `example` from the project's directory with plain node; what it printed last, as JSON. */
  async function runScript(example: string, account: number): Promise<Record<string, string>> {
    const file = path.basename(example);
    fs.copyFileSync(path.join(ROOT, example), path.join(project, file));
    try {
      const { stdout } = await run(process.execPath, [file, String(account)], { cwd: project, env: { PATH: process.env.PATH }, timeout: 90_000 });
      return JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, string>;
    } catch (e) {
      const { stderr, stdout } = e as { stderr?: string; stdout?: string };
      throw new Error(`${file} failed:\n${stdout ?? ""}${stderr ?? (e as Error).message}`);
    }
  }

  it("runs the round trips docs/sdk.md shows — deposit → transfer → withdraw → finalize — from CommonJS (CairnClient, ETH) and an ES module (the actions, a token), at once", async () => {
    const page = fs.readFileSync(path.join(ROOT, "docs", "sdk.md"), "utf8");
    for (const file of Object.values(FLOWS)) {
      const shown = page.split("```js file=" + file + "\n")[1]?.split("```")[0];
      expect(shown, `docs/sdk.md shows ${file} as it is`).to.equal(fs.readFileSync(path.join(ROOT, file), "utf8"));
    }
    const [cjs, esm] = await Promise.all([runScript(FLOWS.cjs, 0), runScript(FLOWS.esm, 1)]);
    const info = devnet!.info;
    const l1 = new JsonRpcProvider(info.l1.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const l2 = new JsonRpcProvider(info.l2.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const bridge = Bridge__factory.connect(info.contracts.bridge, l1);
      expect(cjs.state, "the CommonJS withdrawal").to.equal("finalized");
      expect(await bridge.isWithdrawalFinalized(BigInt(cjs.withdrawalId))).to.equal(true);
      expect(await l2.getBalance(cjs.friend)).to.equal(parseEther("0.25"));
      expect(Number(cjs.l2Block)).to.be.greaterThan(0);

      expect(esm.state, "the ES module withdrawal").to.equal("finalized");
      expect(await bridge.isWithdrawalFinalized(BigInt(esm.withdrawalId))).to.equal(true);
      expect(esm.friendOnL2).to.equal(parseUnits("15", info.testToken.decimals).toString());
      expect(esm.recipient).to.equal(esm.friend.toLowerCase());
      const l1Token = new Contract(info.testToken.l1, ["function balanceOf(address) view returns (uint256)"], l1);
      expect(await l1Token.balanceOf(esm.friend), "paid out on L1").to.equal(parseUnits("10", info.testToken.decimals));
    } finally {
      l1.destroy();
      l2.destroy();
    }
  });

  it("type-checks every @example in src/sdk against the declarations in the tarball", async () => {
    const examples = sdkExamples();
    expect(examples.length, "examples found").to.be.greaterThan(20);
    const out = path.join(project, "examples");
    fs.mkdirSync(out);
    const names = new Map<string, string>();
    examples.forEach((ex, i) => {
      const name = `example${i}.ts`;
      names.set(name, ex.source);
      fs.writeFileSync(path.join(out, name), ex.code + "\n");
    });
    // A dapp's settings (Vite, Next.js, webpack): ES modules resolved as a bundler does, which
    // gives the package's declarations the same ethers types as the dapp's own imports. (Under
    // "nodenext", an ES module gets ethers' ESM declarations while the CommonJS package names
    // its CommonJS ones, and ethers' classes with private fields do not mix: docs/sdk.md.)
    const compilerOptions = { target: "ES2022", module: "esnext", moduleResolution: "bundler", lib: ["ES2022", "DOM"], types: [], strict: true, noEmit: true, skipLibCheck: true };
    fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["examples/*.ts"] }));
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const failed = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).then(
      () => "",
      (e: { stdout?: string }) => e.stdout ?? String(e),
    );
    // Name each failure by where its example is documented.
    expect(failed.replace(/examples\/(example\d+\.ts)/g, (_, name: string) => names.get(name) ?? name)).to.equal("");
  });
});
