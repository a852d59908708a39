import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { silentLogger } from "../../src/shared/logger";
import { runScenario } from "../../scripts/e2eScenario";
import { until } from "../helpers/until";

describe("e2e: a devnet posting its batches in blobs, end to end", function () {
  this.timeout(180_000);
  let devnet: Devnet | null = null;
  let replica: ReplicaNode | null = null;

  after(async () => {
    await replica?.stop();
    await devnet?.stop();
  });

  it("deposit → transfers → withdrawal → finalize with every batch in a blob; the challenger checks them and a replica started from scratch rebuilds the roots from the beacon API", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-blob-devnet-"));
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 1, configPath: path.join(dir, "devnet.json"), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data"), batchData: "blobs" });
    const { info, node, challenger } = devnet;
    expect(info.l1.beaconUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [, funder] = await ethers.getSigners();
    const result = await runScenario({
      l1Provider: ethers.provider,
      funder,
      addresses: info.contracts,
      l1Token: info.testToken.l1,
      l2RpcUrl: info.l2.rpcUrl,
      advanceL1Time: async (s) => {
        await hre.network.provider.send("evm_increaseTime", [s]);
        await hre.network.provider.send("evm_mine", []);
      },
      log: () => {},
    });
    expect(result.withdrawalIds).to.have.length(2);
    // Not flushed: each blob costs the sequencer ~2 s of KZG, and an idle devnet seals an empty
    // block a second, so a flush would chase new blocks. The withdrawal's batch has landed.
    const batches = node.chain.batches.slice();
    expect(batches.length).to.be.greaterThan(0);
    for (const b of batches) {
      const tx = (await ethers.provider.send("eth_getTransactionByHash", [b.l1TxHash])) as { type: string } | null;
      // A batch adopted after a lost receipt has no hash recorded; every other one must be a blob transaction.
      if (b.l1TxHash) expect(tx?.type, `batch ${b.index}`).to.equal("0x3");
    }
    await until("the challenger to check every batch", () => challenger.stats.batchesChecked >= batches.length, 60_000);
    expect(challenger.stats.fraudsFound).to.equal(0);

    replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: info.contracts, startBlock: info.contracts.deployBlock, confirmations: 0, chainId: BigInt(info.l2.chainId), pollMs: 100, l1Beacon: info.l1.beaconUrl, logger: silentLogger });
    await replica.start();
    await until("the replica to reach the sequencer's last batch", () => replica!.chain.batches.length >= batches.length, 60_000);
    const last = batches[batches.length - 1];
    expect(replica.chain.block(last.lastBlock)!.stateRoot).to.equal(node.chain.block(last.lastBlock)!.stateRoot);
  });
});
