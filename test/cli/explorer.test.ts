/**
 * `cairn explorer` as a user runs it, against a running L1 and L2 (a devnet started without an
 * explorer of its own): by --l1-rpc, --l2-rpc and --rollup, and from the devnet's file with
 * --json; each prints the URL it serves, answers /api/snapshot and a page, and stops on
 * SIGTERM. A bad URL, address or port fails in one line with exit code 2.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Wallet } from "ethers";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { silentLogger } from "../../src/shared/logger";
import type { ExplorerSnapshot } from "../../src/explorer/snapshot";
import { cli } from "../helpers/cliRunner";

/**
 * Runs `bin/cairn.js explorer …` until `ready(stdout)` gives a URL, hands that URL to `use`, then
 * sends SIGTERM; resolves with the exit code and both outputs. stdout and stderr stay apart, so
 * that --json output can be parsed.
 */
async function serveWhile(args: string[], cwd: string, ready: (stdout: string) => string | null, use: (url: string) => Promise<void>) {
  const child = spawn(process.execPath, [path.resolve("bin/cairn.js"), "explorer", ...args], { cwd, env: { ...process.env, CAIRN_LOG_JSON: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    let url: string | null = null;
    while (!(url = ready(stdout))) {
      if (child.exitCode !== null) throw new Error(`cairn explorer exited ${child.exitCode}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await use(url);
  } finally {
    child.kill("SIGTERM");
    clearTimeout(killer);
  }
  return { code: await exited, stdout, stderr };
}

async function expectServes(url: string): Promise<void> {
  const snapshot = (await (await fetch(url + "api/snapshot")).json()) as ExplorerSnapshot;
  expect(snapshot.l2.head).to.be.greaterThan(0);
  expect(snapshot.deposits.length, "the devnet's genesis deposits, read from L1").to.be.greaterThan(0);
  expect(snapshot.charts.blocks).to.have.length(60);
  const page = await fetch(url + "block/1");
  expect(page.status).to.equal(200);
  expect(await page.text()).to.include('<script type="module" src="/app.js">');
  const block = (await (await fetch(url + "api/block/1")).json()) as { number: number };
  expect(block.number).to.equal(1);
}

describe("cli: cairn explorer against a running L1 and L2", function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-explorer-cli-"));
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 1, configPath: path.join(dir, "devnet.json"), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data") });
  });
  after(async () => devnet?.stop());

  it("serves a deployment named by --l1-rpc, --l2-rpc and --rollup, prints its URL, and stops on SIGTERM", async () => {
    const { l1, l2, contracts } = devnet.info;
    const args = ["--l1-rpc", l1.rpcUrl, "--l2-rpc", l2.rpcUrl, "--rollup", contracts.rollup, "--from-block", String(contracts.deployBlock), "--port", "0"];
    const r = await serveWhile(args, dir, (out) => /Explorer +(http:\/\/\S+\/)/.exec(out)?.[1] ?? null, expectServes);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`Bridge    ${contracts.bridge}`).and.include("explorer stopped");
  });

  it("--json: one document with the URL, the nodes and the contracts, taken from the devnet's file", async () => {
    let doc: { url: string; rollup: string; bridge: string; fromBlock: number; l2: { chainId: number } } | null = null;
    const parsed = (out: string) => {
      try {
        doc = JSON.parse(out);
        return doc!.url;
      } catch {
        return null; // not all of it yet
      }
    };
    const r = await serveWhile(["--devnet", path.join(dir, "devnet.json"), "--port", "0", "--json"], dir, parsed, expectServes);
    expect(r.code, r.stderr).to.equal(0);
    expect(doc).to.deep.include({ rollup: devnet.info.contracts.rollup, bridge: devnet.info.contracts.bridge, fromBlock: devnet.info.contracts.deployBlock });
    expect(doc!.l2.chainId).to.equal(devnet.info.l2.chainId);
    expect(r.stderr, "notes go to stderr under --json").to.include("explorer stopped");
  });

  it("a bad URL, address or port exits 2 with one line that says what to pass", async () => {
    const { l1, l2, contracts } = devnet.info;
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", () => resolve()));
    const { port } = taken.address() as net.AddressInfo;
    const run = (...flags: string[]) => ["--devnet", path.join(dir, "none.json"), "explorer", "--l1-rpc", l1.rpcUrl, "--l2-rpc", l2.rpcUrl, "--rollup", contracts.rollup, "--port", "0", ...flags];
    const cases: Array<[string[], RegExp]> = [
      [run("--l1-rpc", "localhost:8545"), /^cairn: --l1-rpc must be an http:\/\/ or https:\/\/ URL, not "localhost:8545"\n$/],
      [run("--l2-rpc", "not a url"), /^cairn: --l2-rpc must be an http:\/\/ or https:\/\/ URL, not "not a url"\n$/],
      [run("--l1-rpc", "http://127.0.0.1:1"), /^cairn: cannot reach the L1 node at http:\/\/127\.0\.0\.1:1: .*\n$/],
      [run("--rollup", "0x1234"), /^cairn: --rollup must be a 0x address, not "0x1234"\n$/],
      [run("--rollup", Wallet.createRandom().address), /^cairn: no contract at --rollup 0x[0-9a-fA-F]{40} on the L1 at http:\S+\n$/],
      [run("--l2-rpc", l1.rpcUrl), /^cairn: the L2 node at http:\S+ does not answer rollup_status \(is it a Cairn node\?\): .*\n$/],
      [run("--port", String(port)), new RegExp(`^cairn: port ${port} on 127\\.0\\.0\\.1 is in use .*pass --port <port>\\n$`)],
      [run("--port", "70000"), /--port <port>' argument '70000' is invalid\. must be a port number/],
    ];
    try {
      for (const [argv, message] of cases) {
        const r = await cli(argv);
        expect(r.code, argv.join(" ")).to.equal(2);
        expect(r.stderr, argv.join(" ")).to.match(message);
      }
      const json = await cli(run("--rollup", "0x1234", "--json"));
      expect(json.json().error).to.deep.include({ exitCode: 2, meaning: "usage" });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    expect((await cli(["--help"])).stdout).to.include("  explorer");
    expect((await cli(["explorer", "--help"])).stdout).to.include("--from-block").and.include("--l1-rpc");
  });
});
