import { expect } from "chai";
import { ethers } from "hardhat";
import { HDNodeWallet, Mnemonic } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { encodeBlob, BLOB_PAYLOAD_ELEMENTS } from "../../src/core/blobLayout";
import { summarizeEnvelope, type EnvelopeSummary } from "../../src/core/batchEnvelope";
import { judgeBlobBatch } from "../../src/core/blobBatchFault";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L1TxManager } from "../../src/node/l1/txManager";
import { blobFraudCalldata } from "../../src/node/challenger/blobFraudProver";
import { BLOB_BATCH_GAS_LIMIT } from "../../src/node/sequencer/batchData";
import { silentLogger } from "../../src/shared/logger";
import { Rng } from "./rng";

/** Few cases: each posts a blob and builds a proof, ~7 s of pure-JavaScript KZG. */
const SEED = process.env.BLOB_PROPERTY_SEED ?? "issue-17";
const CASES = Number(process.env.BLOB_PROPERTY_CASES ?? 5);
const FAULT_NUMBER = { layout: 1n, envelope: 2n, claim: 3n } as const;

const sequencerKey = () => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(ethers.provider);

/** A blob batch a malicious proposer might post: honest bytes and claim, then one mutation of either. */
function generate(rng: Rng, genesis: string, previous: bigint, now: bigint): { blob: Buffer; claim: EnvelopeSummary; mutation: string } {
  const stamp = Number(previous) + rng.int(Number(now - previous) + 1);
  const bodies: Buffer[] = [];
  for (let i = rng.range(1, 6); i > 0; i--) {
    if (rng.chance(0.5)) bodies.push(encodeEmptyRun({ blocks: rng.range(1, 4), timestamp: stamp }));
    // A commitment that keeps the state root (so batches chain on genesis); its operations are not read here.
    else bodies.push(Buffer.concat([Buffer.from(genesis.slice(2), "hex"), Buffer.from([0]), Buffer.from(stamp.toString(16).padStart(10, "0"), "hex"), rng.bytes(rng.range(0, 40))]));
  }
  const envelope = encodeBatch(bodies);
  const blob = encodeBlob(envelope);
  const claim = summarizeEnvelope(envelope, genesis, previous, now);
  const mutation = rng.pick(["none", "blob byte", "envelope byte", "padding byte", "top byte", "claim field"] as const);
  // The header bytes (byte 0 is element 0's top byte: flipping its high bit would leave the field).
  if (mutation === "blob byte") blob[1 + rng.int(4)] ^= 1 << rng.int(8);
  if (mutation === "envelope byte") blob[1 + 4 + rng.int(Math.min(envelope.length, 27))] ^= 1 << rng.int(8);
  if (mutation === "padding byte") blob[32 * (BLOB_PAYLOAD_ELEMENTS - 1) + 1 + rng.int(31)] = 1 + rng.int(255);
  if (mutation === "top byte") blob[32 * rng.int(BLOB_PAYLOAD_ELEMENTS)] = 1 + rng.int(0x72);
  if (mutation === "claim field") {
    const field = rng.pick(["commitmentsRoot", "postStateRoot", "withdrawalRoot", "blocks", "lastTimestamp"] as const);
    if (field === "blocks") claim.blocks += 1;
    else if (field === "lastTimestamp") claim.lastTimestamp = claim.lastTimestamp > previous ? claim.lastTimestamp - 1n : claim.lastTimestamp + (now > claim.lastTimestamp ? 1n : 0n);
    else claim[field] = "0x" + rng.bytes(32).toString("hex");
  }
  return { blob, claim, mutation };
}

describe("adversarial: a blob batch is proven fraudulent on L1 if and only if src/core finds its blob is not the batch claimed", function () {
  this.timeout(300_000);

  it(`holds on ${CASES} generated blob batches (seed ${SEED}), with the fault L1 names equal to core's`, async () => {
    const [deployer, , challenger] = await ethers.getSigners();
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    const l1 = new L1Contracts(ethers.provider, d.addresses);
    const txs = new L1TxManager(sequencerKey(), { logger: silentLogger });
    const genesis = await d.rollup.genesisStateRoot();
    const seen = new Set<string>();
    for (let i = 0; i < CASES; i++) {
      const rng = Rng.forCase(SEED, i);
      if ((await d.rollup.bonds(deployer.address)) === 0n) await (await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
      const index = Number(await d.rollup.batchCount());
      const previous = index === 0 ? 0n : (await d.rollup.getBatch(index - 1)).l2Timestamp;
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const { blob, claim, mutation } = generate(rng, genesis, previous, now);
      const data = d.rollup.interface.encodeFunctionData("submitBlobBatch", [index, genesis, 0, claim]);
      const posted = await txs.send({ to: d.addresses.rollup, data, gasLimit: BLOB_BATCH_GAS_LIMIT, blobs: [blob] }, `case ${i}`);
      const l1Timestamp = BigInt((await ethers.provider.getBlock(posted.blockNumber))!.timestamp);
      const verdict = judgeBlobBatch(blob, { preStateRoot: genesis, previousL2Timestamp: previous, l1Timestamp, claim });
      seen.add(verdict.ok ? "honest" : verdict.fault);
      const proof = challenger.sendTransaction({ to: d.addresses.rollup, data: blobFraudCalldata(l1, index, blob, await d.rollup.batchBlobHash(index)), gasLimit: 16_000_000 });
      if (verdict.ok) {
        await expect(proof, `case ${i} (${mutation}): core finds it honest`).to.be.revertedWithCustomError(d.rollup, "RollupNotFraudulent");
      } else {
        const receipt = await (await proof).wait();
        const fault = receipt!.logs.map((l) => d.rollup.interface.parseLog(l)).find((p) => p?.name === "BlobBatchFraudProven")?.args.fault;
        expect(fault, `case ${i} (${mutation}): core finds ${verdict.fault}`).to.equal(FAULT_NUMBER[verdict.fault]);
      }
    }
    expect(seen.size, `verdicts reached: ${[...seen].join(", ")}`).to.be.greaterThan(1);
  });
});
