/**
 * `npm run e2e [-- --config FILE]`: drives a running devnet through deposit → transfer →
 * withdraw → finalize and exits 0 only if every balance matched exactly.
 */
import fs from "node:fs";
import { Command } from "commander";
import { JsonRpcProvider, Wallet } from "ethers";
import { runScenario } from "./e2eScenario";
import type { DevnetInfo } from "../src/app/devnet";

const opts = new Command("e2e")
  .description("Run the deposit-to-withdrawal round trip against a running Cairn devnet")
  .option("--config <file>", "devnet description written by `npm run devnet`", ".cairn/devnet.json")
  .parse()
  .opts<{ config: string }>();

async function main(): Promise<number> {
  let info: DevnetInfo;
  try {
    info = JSON.parse(fs.readFileSync(opts.config, "utf8")) as DevnetInfo;
  } catch (e) {
    process.stderr.write(`cannot read ${opts.config}: ${(e as Error).message}\nStart a devnet first: npm run devnet\n`);
    return 2;
  }
  const l1 = new JsonRpcProvider(info.l1.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  try {
    const funder = new Wallet(info.accounts[0].privateKey, l1);
    const started = Date.now();
    await runScenario({
      l1Provider: l1,
      funder,
      addresses: info.contracts,
      l1Token: info.testToken.l1,
      l2RpcUrl: info.l2.rpcUrl,
      advanceL1Time: async (seconds) => {
        await l1.send("evm_increaseTime", [seconds]);
        await l1.send("evm_mine", []);
      },
      log: (step, details) => {
        const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
        const d = details ? "  " + Object.entries(details).map(([k, v]) => `${k}=${v}`).join(" ") : "";
        process.stdout.write(`[${t}s] ✔ ${step}${d}\n`);
      },
    });
    process.stdout.write("e2e: every balance matched exactly\n");
    return 0;
  } catch (e) {
    process.stderr.write(`e2e FAILED: ${(e as Error).message}\n`);
    return 1;
  } finally {
    l1.destroy();
  }
}

main().then((code) => process.exit(code));
