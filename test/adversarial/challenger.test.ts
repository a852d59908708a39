import { expect } from "chai";
import { ethers } from "hardhat";
import { encodeCommitment } from "../../src/core/commitment";
import { onChainVerdict } from "../../src/core/fraudProof";
import { replayCommitment } from "../../src/core/replay";
import { Challenger } from "../../src/node/challenger/challenger";
import { silentLogger } from "../../src/shared/logger";
import { CHAIN_ID, transferTo } from "../helpers/fraudFixture";
import { executeEvmTransaction, type EvmBlockContext } from "../../src/core/evm/engine";
import { encodeEvmBlock } from "../../src/core/evm/evmBlock";
import { parseEvmTransaction } from "../../src/core/evm/evmTransaction";
import { MaliciousProposer } from "./maliciousProposer";
import { MAX_UINT256 } from "./rng";
import { buildWorld, l1Account, CASE_TIMESTAMP, type World } from "./world";

/** A challenger of `world` from its deployment on, proving with the L1 account `name`. */
async function challengerOf(world: World, name: string, options: { experimentalEvm?: boolean } = {}): Promise<Challenger> {
  return new Challenger({
    l1Provider: ethers.provider,
    l1Signer: await l1Account(name, 10n ** 20n),
    addresses: world.addresses,
    startBlock: world.deployBlock,
    confirmations: 0,
    chainId: CHAIN_ID,
    pollMs: 100,
    logger: silentLogger,
    ...options,
  });
}

describe("adversarial: the real Challenger against a malicious proposer's extreme values", function () {
  this.timeout(120_000);

  it("proves, within its next polls, a batch whose first operation has fee fields near 2^256 and whose post-state root is wrong", async () => {
    const world = await buildWorld("challenger");
    const { chain, users } = world;
    // The whale (2^255 wei) signs caps of 2^256 − 1 under a base fee of 2^255: the tip added to
    // the base fee passes 2^256, gas × price too, and the upfront cost dwarfs the balance.
    const { op, fee } = await chain.signedOp(users.whale, { ...transferTo(users.bob.address, 1n), nonce: 0, maxFeePerGas: MAX_UINT256, maxPriorityFeePerGas: MAX_UINT256, gasLimit: 100_000n });
    const richIndex = chain.state.indexOf(users.rich.address.toLowerCase())!;
    const body = encodeCommitment({ postStateRoot: Buffer.alloc(32, 0xab), withdrawalRoot: null, timestamp: CASE_TIMESTAMP, baseFee: 1n << 255n, feeRecipient: richIndex, fees: [fee], ops: [op] });
    const cp = chain.state.checkpoint();
    const expected = replayCommitment(chain.state, body, { chainId: CHAIN_ID, queueEntry: chain.queueEntry }).verdict;
    chain.state.rollback(cp);
    expect(expected).to.include({ ok: false, kind: "invalid-operation", reason: "insufficient-funds", opIndex: 0 });

    const proposer = new MaliciousProposer(world.deployer, world.addresses.rollup, world.chain);
    const sub = await proposer.submitBodies([body], chain.state.queueIndex);
    if (!sub.ok) expect.fail(`submission refused: ${sub.revert.name}`);

    const challenger = await challengerOf(world, "challenger:prover");
    try {
      // One poll finds the batch and proves it; a failed proof is retried at the next ones.
      for (let poll = 0; poll < 3 && challenger.stats.fraudsProven === 0; poll++) await challenger.poll();
      expect(challenger.stats.fraudsFound, "frauds found").to.be.at.least(1);
      expect(challenger.stats.fraudsProven, "frauds proven").to.equal(1);
    } finally {
      await challenger.stop();
    }
    expect(await world.rollup.batchCount()).to.equal(BigInt(sub.batch.index));
    const [event] = await world.rollup.queryFilter(world.rollup.filters.FraudProven());
    expect({ kind: Number(event.args.kind), reason: Number(event.args.reason) }).to.deep.equal(onChainVerdict(expected));
    expect(event.args.opIndex).to.equal(0n);
  });

  it("in --experimental-evm, checks each EVM block's number against L1's block count: a block numbered right passes, one numbered wrong (NUMBER reads it) is proven", async () => {
    const world = await buildWorld("challenger-evm");
    const { chain, users } = world;
    const proposer = new MaliciousProposer(world.deployer, world.addresses.rollup, world.chain);
    const challenger = await challengerOf(world, "challenger-evm:prover", { experimentalEvm: true });
    const alice = chain.state.indexOf(users.alice.address.toLowerCase())!;
    /** An EVM block of alice's creation `SSTORE(0, NUMBER)` run at block `number`: its body. */
    const evmBlock = async (number: number): Promise<Buffer> => {
      const ctx: EvmBlockContext = { chainId: CHAIN_ID, number, timestamp: CASE_TIMESTAMP, baseFee: 1n, feeRecipient: alice };
      const nonce = Number(chain.state.account(alice).nonce);
      const raw = await users.alice.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n, gasLimit: 100_000n, data: "0x4360005500" });
      const tx = parseEvmTransaction(Buffer.from(raw.slice(2), "hex"), CHAIN_ID);
      expect((await executeEvmTransaction(chain.state, tx, ctx)).status).to.equal(1);
      return encodeEvmBlock({ postStateRoot: chain.state.root(), timestamp: ctx.timestamp, baseFee: ctx.baseFee, feeRecipient: alice, number, rawTx: tx.raw });
    };
    const nextBlock = async () => {
      const last = await world.rollup.getBatch((await world.rollup.batchCount()) - 1n);
      return Number(last.firstBlock + last.blockCount);
    };
    try {
      const right = await proposer.submitBodies([await evmBlock(await nextBlock())], chain.state.queueIndex);
      if (!right.ok) expect.fail(`submission refused: ${right.revert.name}`);
      while (challenger.batchCount < 2) await challenger.poll();
      expect(challenger.stats.fraudsFound, "frauds found in the rightly numbered block").to.equal(0);

      const cp = chain.state.checkpoint();
      const wrong = await proposer.submitBodies([await evmBlock((await nextBlock()) + 1)], chain.state.queueIndex);
      chain.state.rollback(cp);
      if (!wrong.ok) expect.fail(`submission refused: ${wrong.revert.name}`);
      for (let poll = 0; poll < 3 && challenger.stats.fraudsProven === 0; poll++) await challenger.poll();
      expect(challenger.stats.fraudsFound, "frauds found").to.equal(1);
      expect(challenger.stats.fraudsProven, "frauds proven").to.equal(1);
      expect(await world.rollup.batchCount()).to.equal(BigInt(wrong.batch.index));
    } finally {
      await challenger.stop();
    }
  });
});
