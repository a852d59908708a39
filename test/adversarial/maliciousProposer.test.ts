import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DEVNET_PARAMS } from "../../deploy/params";
import { encodeBatch } from "../../src/core/commitment";
import { MaliciousProposer } from "./maliciousProposer";
import { buildWorld, l1Account, CASE_TIMESTAMP } from "./world";
import { Rng } from "./rng";

const toolkitWorld = () => buildWorld("toolkit");

/** A body the Rollup's envelope check lets through and that decodes to nothing: header, then garbage. */
function garbageBody(rng: Rng): Buffer {
  const ts = Buffer.alloc(5);
  ts.writeUIntBE(CASE_TIMESTAMP, 0, 5);
  return Buffer.concat([rng.bytes(32), Buffer.of(0x02), ts, rng.bytes(40)]);
}

describe("adversarial: the malicious proposer's toolkit", function () {
  this.timeout(120_000);

  it("posts arbitrary bytes from a bonded EOA, and the challenger's witness proves them malformed", async () => {
    const world = await loadFixture(toolkitWorld);
    const proposer = new MaliciousProposer(world.deployer, world.addresses.rollup, world.chain);
    const sub = await proposer.submitBodies([garbageBody(new Rng("toolkit"))], world.chain.state.queueIndex);
    if (!sub.ok) expect.fail(`submission refused: ${sub.revert.name}`);
    const { verdict, args } = proposer.proof(sub.batch, 0);
    expect(verdict).to.include({ ok: false, kind: "malformed" });
    const challenger = await l1Account("toolkit:challenger", 10n ** 20n);
    await (await world.rollup.connect(challenger).proveFraud(...args)).wait();
    expect(await world.rollup.batchCount()).to.equal(BigInt(sub.batch.index));
  });

  it("a contract cannot post batches: bonded and past the sequencer timeout, its submitBatch reverts RollupProposerNotEOA, while the same batch from a bonded EOA lands", async () => {
    const world = await loadFixture(toolkitWorld);
    const owner = await l1Account("toolkit:mallory", 10n ** 20n);
    const proxy = await MaliciousProposer.deployProxy(owner);
    // Past the timeout any bonded proposer may post, so only the EOA rule can stop the contract.
    await time.increase(DEVNET_PARAMS.sequencerTimeout + 1);
    const { index, pre } = await new MaliciousProposer(owner, world.addresses.rollup, world.chain).tip();
    // All pending entries claimed: they are past their inclusion window now.
    const queueCount = await world.bridge.queueLength();
    const data = encodeBatch([garbageBody(new Rng("proxy"))]);

    const viaContract = await MaliciousProposer.submitThroughContract(proxy, world.rollup, { index, pre, queueCount, data, bond: DEVNET_PARAMS.bondSize });
    if (viaContract.ok) expect.fail("the Rollup accepted a batch posted by a contract");
    expect(viaContract.revert.name, viaContract.revert.message).to.equal("RollupProposerNotEOA");
    expect(viaContract.revert.args).to.deep.equal([await proxy.getAddress(), owner.address]);

    await (await world.rollup.connect(owner).postBond({ value: DEVNET_PARAMS.bondSize })).wait();
    const direct = await new MaliciousProposer(owner, world.addresses.rollup, world.chain).submitRaw(data, queueCount, { index, pre });
    expect(direct.ok, direct.ok ? "" : direct.revert.message).to.equal(true);
  });
});
