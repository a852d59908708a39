/**
 * The explorer in headless Chromium against a faulty devnet (one fraudulent batch, proven and
 * re-posted): the live dashboard through a withdrawal's whole life, its charts against L1
 * receipts, then every page of its own — transaction, address (paged), block, batch (reverted
 * and re-posted apart) — the search box, shared links on reload, the copy buttons, a user's
 * path from a withdrawal's hash to its payout, and the layout at 1,400 and 1,280 px and on a phone.
 * Longer than 300 lines because every step drives the one devnet and the one browser: starting
 * them is most of the time, so the steps share them rather than split into files that each would.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { Contract, JsonRpcProvider, Wallet, formatEther, parseEther, type TransactionReceipt } from "ethers";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { silentLogger } from "../../src/shared/logger";
import { CairnClient, RollupHistory } from "../../src/sdk";
import type { ExplorerSnapshot } from "../../src/explorer/snapshot";
import { TXS_PER_PAGE } from "../../src/explorer/pages/addressPage";
import { until } from "../helpers/until";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve("test-artifacts");

/** Elements of the page wider than their box (a table that would scroll sideways), and the page itself. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) out.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of Array.from(document.querySelectorAll("section, table, .table-wrap, dl"))) {
      const box = el as HTMLElement;
      if (box.scrollWidth > box.clientWidth + 1) out.push(`${box.tagName.toLowerCase()} "${(box.querySelector("h2")?.textContent ?? box.textContent ?? "").slice(0, 40)}" ${box.scrollWidth} > ${box.clientWidth}`);
    }
    return out;
  });
}

describe("explorer: the devnet's page in headless Chromium", function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let browser: Browser | null = null;
  let context: BrowserContext;
  let page: Page;
  let l1: JsonRpcProvider;
  let l2: JsonRpcProvider;
  let base: string;
  let withdrawalTx: string;
  let withdrawalId: bigint;
  const l1Provider = () => l1;

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
    base = devnet.info.explorer!.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, permissions: ["clipboard-read", "clipboard-write"] });
    page = await context.newPage();
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

    await page.goto(base);
    // The fraudulent batch is caught by the devnet's challenger.
    await (await wallet.sendTransaction({ to: recipient, value: parseEther("1") })).wait();
    await page.waitForSelector("[data-testid=challenge]", { timeout: 60_000 });
    const challenge = await page.textContent("[data-testid=challenge]");
    expect(challenge).to.include("wrong-post-state").and.include("0.5 to challenger, 0.5 burned");
    await page.waitForSelector("[data-testid=batch][data-state=reverted]");

    // A withdrawal appears on L2, then in a posted batch with a countdown.
    const withdrawal = await cairn.withdraw(wallet, { amount: parseEther("0.25"), l1Recipient: recipient });
    withdrawalId = withdrawal.withdrawalId;
    withdrawalTx = withdrawal.l2Tx;
    await cairn.waitForWithdrawal(withdrawalId, "posted");
    const row = `[data-testid=withdrawal][data-id="${withdrawalId}"]`;
    await page.waitForSelector(`${row}[data-state=posted]`);
    expect(await page.textContent(`${row} [data-testid=countdown]`)).to.match(/^\d+s left$/);
    expect(await page.textContent(`${row}`)).to.include("0.25 ETH");
    // The block list says what a withdrawal moved, and to whom on L1.
    const line = page.locator(`[data-testid=tx][data-kind=withdrawal]`).first();
    await line.waitFor();
    expect(await line.textContent()).to.include("0.25 ETH").and.include("L1");
    expect(await line.locator("[data-full]").last().getAttribute("data-full")).to.equal(recipient.toLowerCase());
    expect(await page.locator("[data-testid=deposit][data-state=credited]").count()).to.be.greaterThan(3);
    expect(await page.locator('[data-testid=deposit]:has-text("10,000 CTT")').count(), "token deposits in the token's units").to.be.greaterThan(0);

    // Past the window: the same page, without a reload, shows it ready, then finalized.
    await hre.network.provider.send("evm_increaseTime", [devnet.info.params.challengeWindow + 1]);
    await hre.network.provider.send("evm_mine", []);
    await page.waitForSelector(`${row}[data-state=ready]`);
    expect(await page.textContent(row)).to.include("can be finalized on L1");
    await until("the batch to be final on L1", async () => (await cairn.getWithdrawalStatus(withdrawalId)).state === "ready");
    await cairn.finalizeWithdrawal(withdrawalId);
    await page.waitForSelector(`${row}[data-state=finalized]`);
    expect(await page.locator("[data-testid=batch][data-state=final]").count()).to.be.greaterThan(0);

    // The reverted batch and its re-posting are told apart.
    const labels = await page.locator("[data-testid=batch][data-index='0'] td:first-child").allTextContents();
    expect(labels).to.include.members(["#0 (reverted)", "#0 (re-posted)"]);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "explorer.png"), fullPage: true });
  });

  it("serves its snapshot as JSON, and answers unknown paths and methods with 404 and 405", async () => {
    const snapshot = (await (await fetch(base + "api/snapshot")).json()) as { l2: { head: number }; challengeWindow: number };
    expect(snapshot.l2.head).to.be.greaterThan(0);
    expect(snapshot.challengeWindow).to.equal(devnet.info.params.challengeWindow);
    expect((await fetch(base + "nope")).status).to.equal(404);
    expect((await fetch(base, { method: "POST" })).status).to.equal(405);
    expect((await fetch(base + "api/tx/0x12")).status).to.equal(400);
    expect((await fetch(base + "api/tx/0x" + "ab".repeat(32))).status).to.equal(404);
    expect((await fetch(base + "api/address/0x" + "ab".repeat(20) + "?page=0")).status).to.equal(400);
  });

  it("charts the last hour: every L2 transaction by block, and the L1 gas of every standing batch over the transactions it holds", async () => {
    const { charts, l1, l2: head } = (await (await fetch(base + "api/snapshot")).json()) as ExplorerSnapshot;
    expect(charts.blocks).to.have.length(60);
    expect(charts.binSeconds).to.equal(60);
    // The whole devnet is younger than an hour: each chart holds all of it.
    const counts = await Promise.all(Array.from({ length: head.head }, (_, i) => l2.send("eth_getBlockTransactionCountByNumber", ["0x" + (i + 1).toString(16)])));
    const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
    expect(sum(charts.blocks, (b) => b.txs)).to.equal(sum(counts, Number));
    expect(sum(charts.blocks, (b) => b.blocks)).to.equal(head.head);

    const history = new RollupHistory(l1Provider(), devnet.info.contracts, devnet.info.contracts.deployBlock);
    await history.update();
    const standing = history.batches.filter((b) => b.state !== "reverted" && b.l1Block <= l1.block);
    const gas = await Promise.all(standing.map(async (b) => Number((await l1Provider().getTransactionReceipt(b.l1Tx))!.gasUsed)));
    expect(sum(charts.batches, (b) => b.batches)).to.equal(standing.length);
    expect(sum(charts.batches, (b) => b.l1Gas)).to.equal(sum(gas, (g) => g));
    const posted = standing.reduce((a, b) => a + sum(counts.slice(b.firstBlock - 1, b.firstBlock - 1 + b.commitments), Number), 0);
    expect(sum(charts.batches, (b) => b.txs)).to.equal(posted);
  });

  describe("pages of their own", () => {
    const token = () => devnet.info.testToken;
    let sender: Wallet;
    let tokenTx: { hash: string; block: number; fee: bigint };

    before(async () => {
      // The second test key: a token transfer, then enough ETH transfers for its list to take two pages.
      sender = new Wallet(devnet.info.accounts[1].privateKey, l2);
      const ctt = new Contract(token().l2, ["function transfer(address to, uint256 amount) returns (bool)"], sender);
      const receipt = (await (await ctt.transfer(devnet.info.accounts[0].address, parseEther("12.5"))).wait()) as TransactionReceipt;
      tokenTx = { hash: receipt.hash, block: receipt.blockNumber, fee: receipt.gasUsed * receipt.gasPrice };
      let nonce = await l2.getTransactionCount(sender.address);
      const sent = [];
      for (let i = 0; i < TXS_PER_PAGE; i++) sent.push(await sender.sendTransaction({ to: Wallet.createRandom().address, value: 1000n + BigInt(i), nonce: nonce++ }));
      await sent.at(-1)!.wait();
      await page.setViewportSize({ width: 1400, height: 1000 });
    });

    it("a transaction: token transfer with recipient, amount and symbol, fee, logs, and its batch; the link survives a reload", async () => {
      await page.goto(`${base}tx/${tokenTx.hash}`);
      await page.waitForSelector("[data-testid=tx-page]");
      expect(await page.textContent("[data-testid=transferred]")).to.include("12.5 CTT");
      expect(await page.locator("[data-testid=transferred] [data-full]").last().getAttribute("data-full")).to.equal(devnet.info.accounts[0].address.toLowerCase());
      expect(await page.textContent("[data-testid=fee]")).to.include(`${formatEther(tokenTx.fee).replace(/\.0$/, "")} ETH`);
      expect(await page.textContent("[data-testid=block]")).to.include(String(tokenTx.block)).and.match(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      expect(await page.textContent("[data-testid=log]")).to.include("Transfer: 12.5 CTT");
      // The batch that posts it, once the sequencer has: the page moves on by itself.
      await page.waitForSelector("[data-testid=batch] a", { timeout: 20_000 });
      expect(await page.textContent("[data-testid=batch]")).to.match(/#\d+.*(pending|final)/);

      await page.reload();
      await page.waitForSelector("[data-testid=tx-page]");
      expect(await page.textContent("[data-testid=hash]")).to.include(tokenTx.hash);
      // The copy button copies the whole hash.
      await page.click("[data-testid=hash] [data-testid=copy]");
      expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(tokenTx.hash);
      expect(await overflowing(page)).to.deep.equal([]);
      await page.screenshot({ path: path.join(ARTIFACTS, "explorer-tx.png"), fullPage: true });

      // A withdrawal shows its amount, its L1 recipient and where it stands.
      await page.goto(`${base}tx/${withdrawalTx}`);
      await page.waitForSelector("[data-testid=tx-page]");
      expect(await page.textContent("[data-testid=transferred]")).to.include("0.25 ETH").and.include("withdrawn");
      expect(await page.textContent("[data-testid=withdrawal]")).to.include(`#${withdrawalId}`).and.include("finalized");
    });

    it("an address: balances, nonce and its transactions a page at a time", async () => {
      await page.goto(`${base}address/${sender.address}`);
      await page.waitForSelector("[data-testid=address-page]");
      const nonce = await l2.getTransactionCount(sender.address);
      expect(await page.textContent("[data-testid=nonce]")).to.include(String(nonce));
      expect(await page.textContent("[data-testid=balance]")).to.include(`${formatEther(await l2.getBalance(sender.address))} ETH`);
      expect(await page.textContent("[data-testid=token-balance]")).to.include("9,987.5 CTT");
      expect(await page.locator("[data-testid=tx-row]").count()).to.equal(TXS_PER_PAGE);
      expect(await page.locator(`[data-testid=tx-row][data-hash="${tokenTx.hash}"]`).count(), "the oldest is on page 2").to.equal(0);
      await page.click("[data-testid=pager] >> text=next →");
      await page.waitForURL(/\?page=2$/);
      await page.waitForSelector(`[data-testid=tx-row][data-hash="${tokenTx.hash}"]`);
      await page.reload();
      await page.waitForSelector(`[data-testid=tx-row][data-hash="${tokenTx.hash}"]`);
      expect(await page.textContent(`[data-testid=tx-row][data-hash="${tokenTx.hash}"]`)).to.include("12.5 CTT").and.include("out");
      expect(await overflowing(page)).to.deep.equal([]);
      await page.screenshot({ path: path.join(ARTIFACTS, "explorer-address.png"), fullPage: true });

      // A token's L2 address is its page: the transfers of the token.
      await page.goto(`${base}address/${token().l2}`);
      await page.waitForSelector(`[data-testid=tx-row][data-hash="${tokenTx.hash}"]`);
      expect(await page.textContent("[data-testid=role]")).to.include("token");
    });

    it("a block: header, transactions, the batch that posted it", async () => {
      await page.goto(`${base}block/${tokenTx.block}`);
      await page.waitForSelector(`[data-testid=block-page] [data-testid=tx-row][data-hash="${tokenTx.hash}"]`);
      const hash = (await l2.getBlock(tokenTx.block))!.hash!;
      expect(await page.locator("[data-testid=hash] [data-full]").getAttribute("data-full")).to.equal(hash);
      expect(await page.textContent("[data-testid=hash]")).to.include(hash);
      expect(await page.textContent("[data-testid=batch]")).to.match(/#\d+/);
      expect(await overflowing(page)).to.deep.equal([]);
      await page.screenshot({ path: path.join(ARTIFACTS, "explorer-block.png"), fullPage: true });
    });

    it("a batch: the reverted posting with its fraud proof, and the re-posting, told apart", async () => {
      await page.goto(`${base}batch/0/1`);
      await page.waitForSelector("[data-testid=batch-page]");
      expect(await page.textContent("[data-testid=batch-label]")).to.equal("Batch #0 (reverted)");
      expect(await page.textContent("[data-testid=fraud-proof]")).to.include("wrong-post-state");
      expect(await page.textContent("[data-testid=l1tx]")).to.match(/0x[0-9a-f]{64}/);
      expect(await page.locator("[data-testid=posting]").count()).to.equal(2);
      expect(await overflowing(page)).to.deep.equal([]);
      await page.screenshot({ path: path.join(ARTIFACTS, "explorer-batch.png"), fullPage: true });
      await page.click("[data-testid=posting] >> text=#0 (re-posted)");
      await page.waitForURL(/\/batch\/0\/2$/);
      await page.waitForSelector("[data-testid=batch-label]:has-text('#0 (re-posted)')");
      expect(await page.textContent("[data-testid=batch-state] [data-testid=state]")).to.equal("final");
      expect(await page.locator("[data-testid=fraud-proof]").count()).to.equal(0);
      expect(await page.locator("[data-testid=batch-block]").count()).to.be.greaterThan(0);
    });

    it("search: a hash, a block, an address, a batch or a symbol goes to its page; anything else says nothing was found", async () => {
      const search = async (q: string) => {
        await page.fill("#q", q);
        await page.press("#q", "Enter");
      };
      await page.goto(base);
      await search(tokenTx.hash);
      await page.waitForURL(`**/tx/${tokenTx.hash}`);
      await page.waitForSelector("[data-testid=tx-page]");
      await search(`block ${tokenTx.block}`);
      await page.waitForURL(`**/block/${tokenTx.block}`);
      const blockHash = (await l2.getBlock(tokenTx.block))!.hash!;
      await search(blockHash);
      await page.waitForURL(`**/block/${tokenTx.block}`);
      await search(sender.address);
      await page.waitForURL(`**/address/${sender.address.toLowerCase()}`);
      await search("#0");
      await page.waitForURL("**/batch/0/2");
      await search("CTT");
      await page.waitForURL(`**/address/${token().l2.toLowerCase()}`);
      // "0" is both block 0 and batch #0: the results offer each.
      await search("0");
      await page.waitForURL("**/search?q=0");
      await page.waitForSelector("[data-testid=search-result][data-kind=batch]");
      expect(await page.locator("[data-testid=search-result][data-kind=block]").count()).to.equal(1);
      for (const nothing of ["hello", "0x" + "ab".repeat(32)]) {
        await search(nothing);
        await page.waitForSelector(`[data-testid=not-found]:has-text("${nothing}")`);
      }
    });

    it("fits 1,400 and 1,280 px without a sideways scroll, and a phone's 400 px", async () => {
      const pages = { [`tx/${tokenTx.hash}`]: "tx-page", [`tx/${withdrawalTx}`]: "tx-page", [`address/${sender.address}`]: "address-page", [`block/${tokenTx.block}`]: "block-page", "batch/0/1": "batch-page", "": "challenge" };
      for (const width of [1400, 1280, 400]) {
        await page.setViewportSize({ width, height: 1000 });
        // Each page's own test above checks it at 1,400 px; the dashboard is checked here.
        for (const [at, testid] of Object.entries(pages).filter(([at]) => width !== 1400 || at === "")) {
          await page.goto(base + at);
          await page.waitForSelector(`[data-testid=${testid}]`);
          expect(await overflowing(page), `${at || "dashboard"} at ${width} px`).to.deep.equal([]);
        }
        if (width === 1280) {
          // The dashboard, drawn last: its charts, and a picture at the width the issue names.
          await page.waitForSelector("[data-testid=chart-gas] [data-testid=bar]");
          expect(await page.locator("[data-testid=chart-txs] [data-testid=bar]").count()).to.be.greaterThan(0);
          expect(await page.textContent("[data-testid=chart-txs]")).to.include("minutes ago").and.include("transactions / block");
          expect(await page.textContent("[data-testid=chart-gas-summary]")).to.match(/used [\d,]+ L1 gas: [\d,]+ gas per transaction/);
          // Hashes shortened in tables still carry the whole value.
          const full = await page.locator("[data-testid=challenge] [data-full]").last().getAttribute("data-full");
          expect(full).to.match(/^0x[0-9a-f]{64}$/);
          await page.screenshot({ path: path.join(ARTIFACTS, "explorer-1280.png"), fullPage: true });
        }
      }
      await page.screenshot({ path: path.join(ARTIFACTS, "explorer-phone.png"), fullPage: true });
    });
  });
  describe("a user's path", () => {
    it("searches a withdrawal's hash, opens its batch, watches the countdown reach final, and sees when it can be finalized", async () => {
      await page.setViewportSize({ width: 1280, height: 1000 });
      const key = devnet.info.accounts[0].privateKey;
      const cairn = new CairnClient({ l1: new Wallet(key, l1), l2, addresses: devnet.info.contracts, pollMs: 100 });
      const w = await cairn.withdraw(new Wallet(key, l2), { amount: parseEther("0.125"), l1Recipient: Wallet.createRandom().address });

      await page.goto(base);
      await page.fill("#q", w.l2Tx);
      await page.press("#q", "Enter");
      await page.waitForURL(`**/tx/${w.l2Tx}`);
      await page.waitForSelector("[data-testid=tx-page] [data-testid=withdrawal-proof]");
      // Once its batch is on L1, the page (without a reload) has the proof and the time it can be finalized from.
      await page.waitForSelector("[data-testid=finalizable]:has-text('challengeable until')", { timeout: 20_000 });
      expect(await page.textContent("[data-testid=withdrawal] [data-testid=state]")).to.equal("challengeable");
      expect(await page.textContent("[data-testid=withdrawal-proof]")).to.match(/^available: (\d+ hash(es)? )?against the withdrawal root of batch #\d+/);
      expect(await page.textContent("[data-testid=finalizable] [data-testid=countdown]")).to.match(/left$/);

      await page.click("[data-testid=tx-page] [data-testid=batch] a");
      await page.waitForSelector("[data-testid=batch-page]");
      expect(await page.textContent("[data-testid=batch-state] [data-testid=state]")).to.equal("pending");
      expect(await page.textContent("[data-testid=batch-state] [data-testid=countdown]")).to.match(/left$/);
      await hre.network.provider.send("evm_increaseTime", [devnet.info.params.challengeWindow + 1]);
      await hre.network.provider.send("evm_mine", []);
      await page.waitForSelector("[data-testid=batch-state] [data-testid=state]:text-is('final')");
      await page.screenshot({ path: path.join(ARTIFACTS, "explorer-batch-final.png"), fullPage: true });

      await page.goBack();
      await page.waitForSelector("[data-testid=finalizable]:has-text('yes')");
      expect(await page.textContent("[data-testid=withdrawal] [data-testid=state]")).to.equal("ready to finalize");
      expect(await page.textContent("[data-testid=finalizable]")).to.include(`cairn finalize ${w.withdrawalId}`);
      const paid = await cairn.finalizeWithdrawal(w.withdrawalId);
      await page.waitForSelector("[data-testid=withdrawal] [data-testid=state]:text-is('finalized')");
      expect(await page.textContent("[data-testid=finalizable]")).to.include("already finalized");
      expect(await page.locator("[data-testid=payout] [data-full]").getAttribute("data-full")).to.equal(paid.hash.toLowerCase());
      expect(await overflowing(page)).to.deep.equal([]);
      await page.screenshot({ path: path.join(ARTIFACTS, "explorer-withdrawal.png"), fullPage: true });
    });
  });
});
