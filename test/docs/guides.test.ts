import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { HDNodeWallet, Mnemonic } from "ethers";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { silentLogger } from "../../src/shared/logger";
import { cairnCommands, expectInlined, type DocCommand } from "../helpers/docs";
import { cli, runUntilReady, spawnCairn } from "../helpers/cliRunner";

/** Commands that run until stopped: started, awaited until ready, then sent SIGTERM. */
const READY: Record<string, RegExp> = { devnet: /Cairn devnet is running/, challenger: /following L1/, node: /following L1/ };

describe("docs/guides: every cairn command on the task pages runs as written", function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let dir: string;
  let vars: Record<string, string>;
  const devnetFile = () => path.join(dir, "devnet.json");

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-guides-"));
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 2, configPath: devnetFile(), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data") });
    vars = {
      L1_RPC_URL: devnet.info.l1.rpcUrl,
      ROLLUP: devnet.info.contracts.rollup,
      // Funded on the embedded L1, and not the devnet's own challenger (#19).
      CHALLENGER_KEY: hardhatKey(8),
      SEQUENCER_KEY: hardhatKey(7),
      DATA_DIR: path.join(dir, "node-data"),
      RPC_PORT: "0",
    };
  });
  after(async () => devnet?.stop());

  /** Runs one documented command the way a user would: in-process, or as a program for the long-running and deploying ones. */
  async function run(page: string, c: DocCommand): Promise<void> {
    const env = { CAIRN_L1_RPC: undefined, CAIRN_L2_RPC: undefined, CAIRN_ROLLUP: undefined, CAIRN_PRIVATE_KEY: undefined, ...c.env };
    const what = `${page}: ${c.line}`;
    if (c.argv[0] === "devnet") {
      // Ports the test picks, and its own files; the rest as written.
      const extra = ["--l1-port", "0", "--l2-port", "0", "--explorer-port", "0", "--devnet", path.join(dir, "spawned.json"), "--data-dir", path.join(dir, "spawned-data")];
      const r = await runUntilReady([...c.argv, ...extra], READY.devnet, env, dir);
      expect(r.code, `${what}\n${r.output}`).to.equal(0);
      const info = JSON.parse(fs.readFileSync(path.join(dir, "spawned.json"), "utf8"));
      expect(info.accounts, what).to.have.length(3);
      expect(info.explorer.url, what).to.match(/^http:/);
      return;
    }
    if (READY[c.argv[0]]) {
      const r = await runUntilReady(["--devnet", devnetFile(), ...c.argv], READY[c.argv[0]], env, dir);
      expect(r.code, `${what}\n${r.output}`).to.equal(0);
      return;
    }
    if (c.argv[0] === "deploy") {
      const r = await spawnCairn(["--devnet", devnetFile(), ...c.argv], { ...env, L1_RPC_URL: devnet.info.l1.rpcUrl, CAIRN_PRIVATE_KEY: env.CAIRN_PRIVATE_KEY ?? hardhatKey(9) }, undefined, dir);
      expect(r.code, `${what}\n${r.output}`).to.equal(0);
      return;
    }
    const r = await cli(["--devnet", devnetFile(), ...c.argv], env);
    expect(r.code, `${what}\n${r.stderr}`).to.equal(0);
    if (c.argv.includes("--json")) JSON.parse(r.stdout);
  }

  for (const page of ["devnet", "deposit", "transfer", "withdraw", "deploy", "challenger", "nodes"]) {
    it(`docs/guides/${page}.md`, async () => {
      const file = `docs/guides/${page}.md`;
      for (const inlined of ["scripts/deposit.ts", "scripts/withdraw.ts"]) {
        if (fs.readFileSync(file, "utf8").includes("```ts file=" + inlined)) expectInlined(file, inlined);
      }
      const commands = cairnCommands(file, vars);
      expect(commands.length, `${file} has runnable examples`).to.be.greaterThan(0);
      // Withdrawals wait out the challenge window: let L1 time run fast meanwhile.
      const clock = page === "withdraw" ? setInterval(() => void advance(15), 400) : undefined;
      try {
        for (const c of commands) await run(file, c);
      } finally {
        clearInterval(clock);
      }
      if (page === "deploy") expect(JSON.parse(fs.readFileSync(path.join(dir, "deployments", "localhost.json"), "utf8")).params.challengeWindow).to.equal(60);
      if (page === "withdraw") {
        // The page's `finalize 0 --wait` paid withdrawal 0; finalizing again changes nothing.
        const again = await cli(["--devnet", devnetFile(), "finalize", "0", "--json"]);
        expect(again.json().alreadyFinalized).to.equal(true);
      }
    });
  }
});

/** Key `index` of Hardhat's default mnemonic: funded with 10,000 ETH on the embedded L1. */
function hardhatKey(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), `m/44'/60'/0'/0/${index}`).privateKey;
}

async function advance(seconds: number): Promise<void> {
  await hre.network.provider.send("evm_increaseTime", [seconds]);
  await hre.network.provider.send("evm_mine", []);
}
