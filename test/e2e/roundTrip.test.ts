import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { testNodeConfig } from "../helpers/nodeFixture";
import { runScenario } from "../../scripts/e2eScenario";
import { expectEscrowMatches } from "../helpers/invariants";
import type { TestToken } from "../../typechain-types";

describe("e2e: deposit → L2 transfers → withdrawal → finalize, in-process", function () {
  this.timeout(180_000);
  let node: SequencerNode;

  after(async () => {
    await node?.stop();
  });

  it("moves ETH and a token through the whole path with exact balances and a matching escrow", async () => {
    const [deployer, funder] = await ethers.getSigners();
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    const token = (await ethers.deployContract("TestToken", ["Test Token", "TEST", 18], funder)) as unknown as TestToken;
    await token.mint(funder.address, ethers.parseEther("1000000"));
    await d.bridge.registerToken(token);

    node = new SequencerNode(testNodeConfig(d, deployer, { maxBatchAgeMs: 300 }));
    await node.start();

    const steps: string[] = [];
    const result = await runScenario({
      l1Provider: ethers.provider,
      funder,
      addresses: d.addresses,
      l1Token: await token.getAddress(),
      l2RpcUrl: node.rpcUrl!,
      advanceL1Time: async (s) => time.increase(s).then(() => undefined),
      log: (step) => steps.push(step),
    });
    expect(steps).to.include("second finalize reverted");
    expect(result.withdrawalIds).to.deep.equal([0n, 1n]);

    await node.flush();
    await expectEscrowMatches(node, d.bridge, ethers.provider);
    const status = node.status();
    expect(status.batches.posted).to.be.greaterThan(0);
    expect(status.pendingDeposits).to.equal(0);
    expect(status.stateRoot).to.equal(await d.rollup.tipStateRoot());
  });
});
