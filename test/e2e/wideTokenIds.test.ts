import { expect } from "chai";
import { ethers } from "hardhat";
import { parseEther } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { Challenger } from "../../src/node/challenger/challenger";
import { testChallengerOptions, testNodeConfig } from "../helpers/nodeFixture";
import { runScenario } from "../../scripts/e2eScenario";
import { until } from "../helpers/until";
import type { TestToken, TokenFlooder } from "../../typechain-types";

describe("e2e: a token registered after 256 junk registrations, id 256, in-process", function () {
  this.timeout(300_000);
  let node: SequencerNode | undefined;
  let challenger: Challenger | undefined;

  after(async () => {
    await challenger?.stop();
    await node?.stop();
  });

  it("is deposited, moved on L2, withdrawn and paid out through 16-bit-id commitments a challenger finds honest", async () => {
    const signers = await ethers.getSigners();
    const [deployer, funder] = signers;
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    // What locked the bridge with one-byte ids: 256 registrations of junk contracts, 128 a transaction.
    const flooder = (await ethers.deployContract("TokenFlooder", [d.addresses.bridge])) as unknown as TokenFlooder;
    for (let i = 0; i < 2; i++) {
      const junk = [...(await flooder.deployJunk.staticCall(128))];
      await (await flooder.deployJunk(128)).wait();
      await (await flooder.registerAll(junk)).wait();
    }
    expect(await d.bridge.tokenCount()).to.equal(256n);
    const token = (await ethers.deployContract("TestToken", ["Test Token", "TEST", 18], funder)) as unknown as TestToken;
    await token.mint(funder.address, parseEther("1000000"));
    await d.bridge.registerToken(token);
    expect(await d.bridge.tokenIdOf(token)).to.equal(256n);

    node = new SequencerNode(testNodeConfig(d, deployer, { maxBatchAgeMs: 300 }));
    await node.start();
    challenger = new Challenger(testChallengerOptions(d, signers[7]));
    challenger.start();

    const result = await runScenario({
      l1Provider: ethers.provider,
      funder,
      addresses: d.addresses,
      l1Token: await token.getAddress(),
      l2RpcUrl: node.rpcUrl!,
      advanceL1Time: async (s) => time.increase(s).then(() => undefined),
      log: () => {},
    });
    expect(result.withdrawalIds).to.deep.equal([0n, 1n]);
    await node.flush();

    // The token's operations were written with 16-bit ids; the rest kept one-byte ones.
    const classes = new Set(node.chain.blocks.map((b) => b.body[32] >> 6));
    expect([...classes].sort()).to.deep.equal([0, 1]);
    expect(node.state.token(256)?.l1Address).to.equal((await token.getAddress()).toLowerCase());

    // Escrow: what the bridge holds of the token is what L2 holds plus what is not yet paid out.
    const l1Token = (await token.getAddress()).toLowerCase();
    const onL2 = node.state.totals().tokens.get(256) ?? 0n;
    let owed = 0n;
    for (const w of node.chain.blocks.flatMap((b) => b.withdrawals)) {
      if (w.l1Token === l1Token && !(await d.bridge.isWithdrawalFinalized(w.id))) owed += w.amount;
    }
    expect(await token.balanceOf(d.addresses.bridge)).to.equal(onL2 + owed);

    const c = challenger;
    await until("the challenger to check every batch", async () => {
      await c.poll();
      return c.batchCount === Number(await d.rollup.batchCount());
    });
    expect(c.stats.fraudsFound).to.equal(0);
    expect(await d.rollup.revertedBatchCount()).to.equal(0n);
    expect("0x" + c.state.root().toString("hex")).to.equal(await d.rollup.tipStateRoot());
  });
});
