import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { silentLogger } from "../../src/shared/logger";
import { CairnClient } from "../../src/sdk";
import { until } from "../helpers/until";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve("test-artifacts");

describe("explorer: the devnet's page in headless Chromium", function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let browser: Browser | null = null;
  let page: Page;
  let l1: JsonRpcProvider;
  let l2: JsonRpcProvider;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      // CI installs Debian's chromium and sets CAIRN_REQUIRE_BROWSER, so there this fails instead.
      if (process.env.CAIRN_REQUIRE_BROWSER) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
      console.warn(`      (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium to run it)`);
      this.skip();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-explorer-"));
    // Faulty mode: the sequencer posts one fraudulent batch, so there is a challenge to show.
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, explorerPort: 0, accounts: 2, configPath: path.join(dir, "devnet.json"), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data"), faulty: "post-state" });
    l1 = new JsonRpcProvider(devnet.info.l1.rpcUrl, undefined, { cacheTimeout: -1 });
    l2 = new JsonRpcProvider(devnet.info.l2.rpcUrl, undefined, { cacheTimeout: -1 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    await browser?.close();
    l1?.destroy();
    l2?.destroy();
    await devnet?.stop();
  });

  it("is announced in devnet.json, and shows blocks, batches, a challenge, deposits and withdrawals, updating live", async () => {
    expect(devnet.info.explorer?.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const key = devnet.info.accounts[0].privateKey;
    const cairn = new CairnClient({ l1: new Wallet(key, l1), l2, addresses: devnet.info.contracts, pollMs: 100 });
    const wallet = new Wallet(key, l2);
    const recipient = Wallet.createRandom().address;

    await page.goto(devnet.info.explorer!.url);
    // The fraudulent batch is caught by the devnet's challenger.
    await (await wallet.sendTransaction({ to: recipient, value: parseEther("1") })).wait();
    await page.waitForSelector("[data-testid=challenge]", { timeout: 60_000 });
    const challenge = await page.textContent("[data-testid=challenge]");
    expect(challenge).to.include("wrong-post-state").and.include("0.5 to challenger, 0.5 burned");
    await page.waitForSelector("[data-testid=batch][data-state=reverted]");

    // A withdrawal appears on L2, then in a posted batch with a countdown.
    const { withdrawalId } = await cairn.withdraw(wallet, { amount: parseEther("0.25"), l1Recipient: recipient });
    await cairn.waitForWithdrawal(withdrawalId, "posted");
    const row = `[data-testid=withdrawal][data-id="${withdrawalId}"]`;
    await page.waitForSelector(`${row}[data-state=posted]`);
    expect(await page.textContent(`${row} [data-testid=countdown]`)).to.match(/^\d+s left$/);
    expect(await page.textContent(`${row}`)).to.include("0.25 ETH");
    await page.waitForSelector(`[data-testid=tx]:has-text("withdrawal")`);
    expect(await page.locator("[data-testid=deposit][data-state=credited]").count()).to.be.greaterThan(3);
    expect(await page.locator('[data-testid=deposit]:has-text("10000 CTT")').count(), "token deposits in the token's units").to.be.greaterThan(0);

    // Past the window: the same page, without a reload, shows it ready, then finalized.
    await hre.network.provider.send("evm_increaseTime", [devnet.info.params.challengeWindow + 1]);
    await hre.network.provider.send("evm_mine", []);
    await page.waitForSelector(`${row}[data-state=ready]`);
    expect(await page.textContent(row)).to.include("can be finalized on L1");
    await until("the batch to be final on L1", async () => (await cairn.getWithdrawalStatus(withdrawalId)).state === "ready");
    await cairn.finalizeWithdrawal(withdrawalId);
    await page.waitForSelector(`${row}[data-state=finalized]`);
    expect(await page.locator("[data-testid=batch][data-state=final]").count()).to.be.greaterThan(0);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "explorer.png"), fullPage: true });
  });

  it("serves its snapshot as JSON, and answers unknown paths and methods with 404 and 405", async () => {
    const base = devnet.info.explorer!.url;
    const snapshot = (await (await fetch(base + "api/snapshot")).json()) as { l2: { head: number }; challengeWindow: number };
    expect(snapshot.l2.head).to.be.greaterThan(0);
    expect(snapshot.challengeWindow).to.equal(devnet.info.params.challengeWindow);
    expect((await fetch(base + "nope")).status).to.equal(404);
    expect((await fetch(base, { method: "POST" })).status).to.equal(405);
  });
});
