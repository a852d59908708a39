import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import hre from "hardhat";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { silentLogger } from "../../src/shared/logger";
import { cli, runUntilReady, spawnCairn } from "../helpers/cliRunner";

const advanceL1 = async (seconds: number) => {
  await hre.network.provider.send("evm_increaseTime", [seconds]);
  await hre.network.provider.send("evm_mine", []);
};

describe("cli: the cairn command against a running devnet", function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let dir: string;
  let l2: JsonRpcProvider;
  let l1: JsonRpcProvider;
  const at = (...argv: string[]) => ["--devnet", path.join(dir, "devnet.json"), ...argv];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-cli-"));
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 2, configPath: path.join(dir, "devnet.json"), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data") });
    l1 = new JsonRpcProvider(devnet.info.l1.rpcUrl, undefined, { cacheTimeout: -1 });
    l2 = new JsonRpcProvider(devnet.info.l2.rpcUrl, undefined, { cacheTimeout: -1 });
  });
  after(async () => {
    l1?.destroy();
    l2?.destroy();
    await devnet?.stop();
  });

  it("--help lists every command, the key sources and the exit codes", async () => {
    const r = await cli(["--help"]);
    expect(r.code).to.equal(0);
    for (const c of ["deposit", "transfer", "withdraw", "finalize", "status", "batches", "deploy", "challenger", "devnet", "node", "explorer"]) expect(r.stdout).to.include(`  ${c}`);
    expect(r.stdout).to.include("CAIRN_PRIVATE_KEY").and.include("Exit codes");
    expect((await cli(["deposit", "--help"])).stdout).to.include("--no-wait");
  });

  it("status --json reports the L2 head, batches, deposits and the key's L2 balance", async () => {
    const r = await cli(at("status", "--json"));
    expect(r.code, r.stderr).to.equal(0);
    const s = r.json();
    expect(s.queueConsumed).to.be.greaterThan(0);
    expect(s.l1.rollup).to.equal(devnet.info.contracts.rollup);
    expect(s.account.address).to.equal(devnet.info.accounts[0].address);
    expect(BigInt(s.account.l2Balance)).to.equal(await l2.getBalance(devnet.info.accounts[0].address));
    expect(s.account.tokens, "the token balances beside ETH").to.deep.equal([
      { tokenId: 0, l1Token: devnet.info.testToken.l1, l2Token: devnet.info.testToken.l2, symbol: "CTT", decimals: 18, balance: "0x" + parseEther("10000").toString(16) },
    ]);
    expect((await cli(at("status"))).stdout).to.match(/you +0x[0-9a-fA-F]{40}: [\d.]+ ETH, 10000\.0 CTT on L2/);
  });

  it("deposit waits until the L2 credited it, for ETH and for the test token named by its symbol", async () => {
    const me = devnet.info.accounts[1].address;
    const before = await l2.getBalance(me);
    const eth = await cli(at("--account", "1", "deposit", "1.25", "--json"));
    expect(eth.code, eth.stderr).to.equal(0);
    expect(eth.json()).to.include({ credited: true, token: "ETH", recipient: me, amount: parseEther("1.25").toString() });
    expect(await l2.getBalance(me)).to.equal(before + parseEther("1.25"));

    const to = Wallet.createRandom().address;
    const tok = await cli(at("--account", "1", "deposit", "3", "--token", "CTT", "--to", to));
    expect(tok.code, tok.stderr).to.equal(0);
    expect(tok.stdout).to.include(`3 CTT → ${to}`);
    const balance = await l2.call({ to: devnet.info.testToken.l2, data: "0x70a08231" + to.slice(2).toLowerCase().padStart(64, "0") });
    expect(BigInt(balance)).to.equal(parseEther("3"));
  });

  it("deposit names a token by address with a display-safe symbol, whatever bytes its views answer", async () => {
    const me = devnet.info.accounts[1].address;
    // Its symbol carries a terminal escape, a right-to-left override, a NUL and a newline; its name is not UTF-8.
    const hostile = await hre.ethers.deployContract("InvalidUtf8Token");
    await hostile.getFunction("mint")(me, 10n ** 9n);
    const bridge = await hre.ethers.getContractAt("Bridge", devnet.info.contracts.bridge);
    await (await bridge.registerToken(hostile)).wait();
    const to = Wallet.createRandom().address;
    const r = await cli(at("--account", "1", "deposit", "5", "--token", await hostile.getAddress(), "--to", to));
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`5 [31mEVILDSU → ${to}`);
    expect(r.stdout + r.stderr).not.to.match(/[\u001b\u0000\u202e]/);
  });

  it("transfer sends ETH and tokens on L2 and reports the block and fee", async () => {
    const to = Wallet.createRandom().address;
    const r = await cli(at("transfer", to, "0.5", "--json"));
    expect(r.code, r.stderr).to.equal(0);
    const t = r.json();
    expect(await l2.getBalance(to)).to.equal(parseEther("0.5"));
    const receipt = await l2.getTransactionReceipt(t.l2Tx);
    expect(BigInt(t.fee)).to.equal(receipt!.gasUsed * receipt!.gasPrice);
    expect(t.token).to.equal("ETH");
    const tok = await cli(at("transfer", to, "2.5", "--token", devnet.info.testToken.l1, "--wait-batch", "--json"));
    expect(tok.code, tok.stderr).to.equal(0);
    expect(tok.json().batchIndex).to.match(/^\d+$/);
    expect(tok.json().token, "the token on the layer the transfer happened on").to.equal(devnet.info.testToken.l2);
    expect(tok.json().l1Token).to.equal(devnet.info.testToken.l1);
  });

  it("withdraw, then finalize: exit 3 while challengeable, paid once final, idempotent after", async () => {
    const recipient = Wallet.createRandom().address;
    const w = await cli(at("withdraw", "0.75", "--to", recipient, "--until", "posted", "--json"));
    expect(w.code, w.stderr).to.equal(0);
    const { withdrawalId, status } = w.json();
    expect(status.state).to.equal("posted");

    const early = await cli(at("finalize", withdrawalId));
    expect(early.code).to.equal(3);
    expect(early.stderr).to.match(/not final yet: in batch \d+, challengeable until .*pass --wait/);
    const earlyJson = await cli(at("finalize", withdrawalId, "--json"));
    expect(earlyJson.code).to.equal(3);
    expect(earlyJson.json().error, "one JSON document on stdout for a failure too").to.deep.include({ exitCode: 3, meaning: "not-yet" });
    expect(earlyJson.json().error.message).to.match(/not final yet/);

    await advanceL1(devnet.info.params.challengeWindow + 1);
    expect((await cli(at("withdrawal", withdrawalId, "--json"))).json().state).to.equal("ready");
    const paid = await cli(at("finalize", withdrawalId, "--json"));
    expect(paid.code, paid.stderr).to.equal(0);
    expect(paid.json()).to.include({ state: "finalized", alreadyFinalized: false });
    expect(await l1.getBalance(recipient)).to.equal(parseEther("0.75"));

    const again = await cli(at("finalize", withdrawalId, "--json"));
    expect(again.code).to.equal(0);
    expect(again.json().alreadyFinalized).to.equal(true);
    expect(await l1.getBalance(recipient)).to.equal(parseEther("0.75"));
  });

  it("withdraw --until finalized waits through batch inclusion and the challenge window, then pays out", async () => {
    const recipient = Wallet.createRandom().address;
    const running = cli(at("withdraw", "0.1", "--to", recipient, "--until", "finalized", "--json"));
    // Once its batch is on L1 (the L2's safe head passed it), move L1's clock past the window.
    const topic = "0x" + recipient.slice(2).toLowerCase().padStart(64, "0");
    for (;;) {
      const [log] = await l2.getLogs({ address: devnet.info.withdrawalPredeploy, topics: [null, null, null, topic], fromBlock: 0 });
      const safe = await l2.getBlock("safe");
      if (log && safe && safe.number >= log.blockNumber) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await advanceL1(devnet.info.params.challengeWindow + 1);
    const r = await running;
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json().status.state).to.equal("finalized");
    expect(r.json().l1Tx).to.match(/^0x[0-9a-f]{64}$/);
    expect(await l1.getBalance(recipient)).to.equal(parseEther("0.1"));
  });

  it("batches --json lists batches newest first with their state and challenge deadline", async () => {
    await cli(at("transfer", Wallet.createRandom().address, "0.01", "--wait-batch"));
    const r = await cli(at("batches", "--last", "50", "--json"));
    expect(r.code, r.stderr).to.equal(0);
    const { batches, l1Time } = r.json();
    expect(batches.length).to.be.greaterThan(2);
    expect(batches[0].index).to.be.greaterThan(batches[1].index);
    expect(batches[0].state).to.equal("challengeable");
    expect(batches[0].challengeableUntil).to.be.greaterThan(l1Time);
    expect(batches.at(-1).state).to.equal("final");
    expect((await cli(at("batches", "--last", "2"))).stdout).to.match(/#\d+ {2}L2 blocks \d+–\d+ {2}challengeable for \d+s/);
  });

  it("bad input exits 2 with what to pass instead, and never echoes the key", async () => {
    const secret = "0x" + "ab".repeat(31) + "zz";
    const cases: Array<[string[], RegExp]> = [
      [at("deposit", "abc"), /decimal number of ETH such as 1\.5, not "abc"/],
      [at("deposit", "0"), /more than zero/],
      [at("deposit", "1", "--token", "XYZ"), /--token must be ETH, an L1 token address or CTT/],
      [at("deposit", "1", "--to", "0x12"), /--to must be a 0x address/],
      [at("transfer", "0xdead", "1"), /recipient must be a 0x address/],
      [at("--account", "7", "deposit", "1"), /has 2 test keys; --account 7/],
      [at("finalize", "first"), /whole number/],
      [at("batches", "--last", "0"), /positive whole number/],
      [at("withdraw", "1", "--until", "soon"), /Allowed choices are l2, posted, ready, finalized/],
      [at("bogus"), /unknown command 'bogus'/],
      [at("--private-key", secret, "status"), /must be 32 bytes of hex/],
      [["--devnet", path.join(dir, "missing.json"), "status"], /no L2 node: pass --l2-rpc URL/],
      [["--l2-rpc", "http://127.0.0.1:1", "status"], /cannot reach the L2 node at http:\/\/127\.0\.0\.1:1/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(" ")).to.equal(2);
      expect(r.stderr, argv.join(" ")).to.match(message);
      expect(r.stdout + r.stderr).not.to.include(secret);
      const json = await cli([...argv, "--json"]);
      expect(json.code, argv.join(" ")).to.equal(2);
      expect(json.json().error, argv.join(" ")).to.include({ exitCode: 2, meaning: "usage" });
      expect(json.stdout).not.to.include(secret);
    }
  });

  it("devnet and node on a port in use exit 2 and name the flag to change", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", () => resolve()));
    const { port } = taken.address() as net.AddressInfo;
    try {
      for (const flag of ["--l1-port", "--l2-port", "--explorer-port"]) {
        // The other ports 0 (any free one), so only the taken one can stop it.
        const others = ["--l1-port", "--l2-port", "--explorer-port"].filter((f) => f !== flag).flatMap((f) => [f, "0"]);
        const r = await cli(["devnet", ...others, flag, String(port)]);
        expect(r.code, flag).to.equal(2);
        expect(r.stderr, flag).to.match(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use .*pass ${flag} <port>`));
      }
      const replica = await cli(at("node", "--role", "replica", "--rpc-port", String(port)));
      expect(replica.code).to.equal(2);
      expect(replica.stderr).to.match(/is in use .*pass --rpc-port <port>/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("a failed operation exits 1 and says why, without the key", async () => {
    const poor = Wallet.createRandom();
    const r = await cli(at("deposit", "1"), { CAIRN_PRIVATE_KEY: poor.privateKey });
    expect(r.code).to.equal(1);
    expect(r.stderr, r.stderr).to.match(/cairn: .*(not enough ETH|insufficient funds|enough funds)/i);
    expect(r.stdout + r.stderr).not.to.include(poor.privateKey.slice(2));
  });

  it("deploy --l1-rpc puts a second Cairn on the L1 and records its addresses", async () => {
    const out = path.join(dir, "deployment.json");
    const r = await cli(["--l1-rpc", devnet.info.l1.rpcUrl, "deploy", "--params", "devnet", "--out", out, "--json"], { CAIRN_PRIVATE_KEY: devnet.info.accounts[1].privateKey });
    expect(r.code, r.stderr).to.equal(0);
    const record = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(record.rollup).to.equal(r.json().rollup);
    expect(record.params.challengeWindow).to.equal(60);
    expect(await l1.getCode(record.rollup)).to.not.equal("0x");
    expect(record.rollup).to.not.equal(devnet.info.contracts.rollup);
  });

  it("as a program: npx-style bin answers --version, deploys with --network, and runs a challenger until SIGTERM", async () => {
    const version = await spawnCairn(["--version"]);
    expect(version.code).to.equal(0);
    expect(version.output.trim()).to.equal(JSON.parse(fs.readFileSync("package.json", "utf8")).version);

    const deployed = await spawnCairn(["deploy", "--network", "localhost", "--params", "devnet", "--out", path.join(dir, "localhost.json")], { L1_RPC_URL: devnet.info.l1.rpcUrl });
    expect(deployed.code, deployed.output).to.equal(0);
    expect(deployed.output).to.match(/Rollup +0x[0-9a-fA-F]{40}/);

    const challenger = await runUntilReady(["--devnet", path.join(dir, "devnet.json"), "challenger", "--poll-ms", "200", "--data-dir", path.join(dir, "challenger")], /following L1/, { CAIRN_PRIVATE_KEY: devnet.info.accounts[1].privateKey });
    expect(challenger.code, challenger.output).to.equal(0);
    expect(challenger.output).to.include("challenger stopped");
    expect(challenger.output).not.to.include(devnet.info.accounts[1].privateKey.slice(2));
  });
});

describe("cli: a devnet whose L1 clock runs by itself", function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let dir: string;
  const CHALLENGE_WINDOW = 6;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-clock-"));
    // The default L1 block time (1 s), a short window: nobody mines or moves time by hand below.
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 1, configPath: path.join(dir, "devnet.json"), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data"), challengeWindow: CHALLENGE_WINDOW });
  });
  after(async () => devnet?.stop());

  it("mines L1 blocks while idle, so L1 time keeps up with the wall clock", async () => {
    const before = await hre.ethers.provider.getBlock("latest");
    await new Promise((r) => setTimeout(r, 2_500));
    const after = await hre.ethers.provider.getBlock("latest");
    expect(after!.number - before!.number).to.be.at.least(2);
    expect(after!.timestamp).to.be.greaterThan(before!.timestamp);
  });

  it("withdraw --until finalized on an idle devnet finishes by itself, and every view of finality agrees with Rollup.isFinal", async () => {
    const recipient = Wallet.createRandom().address;
    const started = Date.now();
    const r = await cli(["--devnet", path.join(dir, "devnet.json"), "withdraw", "0.1", "--to", recipient, "--until", "finalized", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json().status.state).to.equal("finalized");
    expect(await hre.ethers.provider.getBalance(recipient)).to.equal(parseEther("0.1"));
    expect(Date.now() - started, "the challenge window passed in L1 time that ran by itself").to.be.at.least(CHALLENGE_WINDOW * 1000);

    const l2 = new JsonRpcProvider(devnet.info.l2.rpcUrl, undefined, { cacheTimeout: -1 });
    try {
      const rollup = devnet.node.l1.rollup;
      const batches = await cli(["--devnet", path.join(dir, "devnet.json"), "batches", "--json"]);
      const listed = batches.json().batches as Array<{ index: number; state: string }>;
      for (const b of listed) expect(b.state === "final", `batch ${b.index}`).to.equal(await rollup.isFinal(b.index));
      await devnet.node.pollL1();
      const finalCount = Number(await rollup.finalBatchCount());
      const finalized = await l2.getBlock("finalized");
      const lastFinal = devnet.node.chain.batches[finalCount - 1];
      expect(finalized!.number).to.equal(lastFinal ? lastFinal.lastBlock : 0);
    } finally {
      l2.destroy();
    }
  });
});
