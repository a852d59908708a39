import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { startTestNode, testNodeConfig } from "../helpers/nodeFixture";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { ClassicLevel } from "classic-level";

describe("node/store: a data directory is only used for the chain it was written from", function () {
  this.timeout(120_000);

  it("a restarted L1 that redeploys Cairn at the same addresses does not inherit the old store", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-store-"));
    const snapshot = await network.provider.send("evm_snapshot", []);
    const first = await startTestNode(2, { dataDir });
    await first.node.flush();
    const oldRollup = first.addresses.rollup;
    await first.stop();

    // The same deployer and nonce on a rewound chain: the same addresses, a different history.
    await network.provider.send("evm_revert", [snapshot]);
    const second = await startTestNode(1);
    await second.stop();
    expect(second.addresses.rollup).to.equal(oldRollup);
    const node = new SequencerNode(testNodeConfig(second, second.deployer, { dataDir }));
    try {
      await node.start();
      expect(node.startup.restoredBlocks, "nothing taken from the old store").to.equal(0);
      await node.flush();
      expect(await second.rollup.tipStateRoot()).to.equal(node.chain.latest.stateRoot);
      expect(node.state.accountOf(second.wallets[0].address.toLowerCase())).to.not.equal(undefined);
      expect(node.state.accountOf(first.wallets[0].address.toLowerCase()), "the old chain's account").to.equal(undefined);
    } finally {
      await node.stop();
    }
  });

  it("a store written in an older format is cleared and the chain rebuilt from L1", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-store-"));
    const first = await startTestNode(2, { dataDir });
    await first.node.flush();
    const tip = first.node.chain.latest.stateRoot;
    await first.stop();
    const db = new ClassicLevel<string, string>(path.join(dataDir, "chain"), { valueEncoding: "utf8" });
    const meta = JSON.parse((await db.get("meta"))!) as { format: number };
    await db.put("meta", JSON.stringify({ ...meta, format: 1 }));
    await db.put("block:000000000001", "{ not what format 2 reads");
    await db.close();

    const node = new SequencerNode(testNodeConfig(first, first.deployer, { dataDir }));
    try {
      await node.start();
      expect(node.startup.restoredBlocks).to.equal(0);
      expect(node.chain.latest.stateRoot).to.equal(tip);
    } finally {
      await node.stop();
    }
  });
});
