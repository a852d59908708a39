import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { parseEther } from "ethers";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { silentLogger } from "../../src/shared/logger";
import { depositFlow } from "../../scripts/deposit";
import { withdrawFlow } from "../../scripts/withdraw";

describe("e2e: the devnet in-process, and the scripted deposit and withdrawal flows against it", function () {
  this.timeout(180_000);
  let devnet: Devnet | null = null;
  const quiet = console.log;

  after(async () => {
    console.log = quiet;
    await devnet?.stop();
  });

  it("starts the devnet on free ports, writes its description, and the scripts run against it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-devnet-"));
    const configPath = path.join(dir, "devnet.json");
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 2, configPath, blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data") });
    const info = JSON.parse(fs.readFileSync(configPath, "utf8"));
    expect(info.accounts).to.have.length(2);
    expect(info.testToken.l2).to.match(/^0x[0-9a-f]{40}$/);
    console.log = () => {};
    const key = info.accounts[1].privateKey;
    const balance = await depositFlow(info.l1.rpcUrl, info.l2.rpcUrl, info.contracts, key, "0.5");
    expect(balance).to.equal(parseEther("100.5"));
    const advance = async (s: number) => {
      await hre.network.provider.send("evm_increaseTime", [s]);
      await hre.network.provider.send("evm_mine", []);
    };
    const receipt = await withdrawFlow(info.l1.rpcUrl, info.l2.rpcUrl, info.contracts, key, "0.2", advance);
    expect(receipt.status).to.equal(1);
  });
});
