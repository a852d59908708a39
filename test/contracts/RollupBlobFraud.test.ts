import { expect } from "chai";
import { ethers } from "hardhat";
import { HDNodeWallet, Mnemonic } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { BLOB_ENVELOPE_CAPACITY, BYTES_PER_BLOB, encodeBlob } from "../../src/core/blobLayout";
import { summarizeEnvelope, type EnvelopeSummary } from "../../src/core/batchEnvelope";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L1TxManager } from "../../src/node/l1/txManager";
import { blobFraudCalldata } from "../../src/node/challenger/blobFraudProver";
import { BLOB_BATCH_GAS_LIMIT } from "../../src/node/sequencer/batchData";
import { silentLogger } from "../../src/shared/logger";

/** Hardhat's account 0 (the devnet's sequencer) as a key, which can sign blob transactions. */
const sequencerKey = () => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(ethers.provider);

describe("contracts/Rollup: one-transaction proofs that a blob is not the batch its proposer claimed", function () {
  this.timeout(180_000);

  async function deployed() {
    const [deployer, , challenger] = await ethers.getSigners();
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    await (await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
    const l1 = new L1Contracts(ethers.provider, d.addresses);
    const txs = new L1TxManager(sequencerKey(), { logger: silentLogger });
    const genesis = await d.rollup.genesisStateRoot();
    /** Posts `blob` as batch `index` with `claim` (the Rollup checks only its bounds). */
    const post = async (index: number, blob: Buffer, claim: EnvelopeSummary) => {
      const data = d.rollup.interface.encodeFunctionData("submitBlobBatch", [index, genesis, 0, claim]);
      return txs.send({ to: d.addresses.rollup, data, gasLimit: BLOB_BATCH_GAS_LIMIT, blobs: [blob] }, `blob batch ${index}`);
    };
    const prove = async (index: number) => {
      const data = blobFraudCalldata(l1, index, blob0.get()!, await d.rollup.batchBlobHash(index));
      return { data, send: (calldata = data) => challenger.sendTransaction({ to: d.addresses.rollup, data: calldata, gasLimit: 16_000_000 }) };
    };
    const blob0 = { value: null as Buffer | null, get() { return this.value; } };
    return { ...d, challenger, genesis, post, prove, blob0 };
  }

  async function l1Now(): Promise<number> {
    return (await ethers.provider.getBlock("latest"))!.timestamp;
  }

  it("answers an honest blob batch with RollupNotFraudulent, a tampered opening with RollupBadBlobOpening, and a false claim by reverting the batch and slashing (fault 3)", async () => {
    const t = await deployed();
    const envelope = encodeBatch([encodeEmptyRun({ blocks: 3, timestamp: await l1Now() })]);
    t.blob0.value = encodeBlob(envelope);
    const honest = summarizeEnvelope(envelope, t.genesis, 0n, BigInt(await l1Now()));
    await t.post(0, t.blob0.value, honest);
    const proof = await t.prove(0);
    await expect(proof.send()).to.be.revertedWithCustomError(t.rollup, "RollupNotFraudulent").withArgs(0, 0);
    // One byte of the stream changed: the values are no longer the blob's.
    const args = t.rollup.interface.decodeFunctionData("proveBlobFraud", proof.data);
    const stream = Buffer.from(args[2].slice(2), "hex");
    stream[20] ^= 1;
    const tampered = t.rollup.interface.encodeFunctionData("proveBlobFraud", [args[0], args[1], stream, args[3]]);
    await expect(proof.send(tampered)).to.be.revertedWithCustomError(t.rollup, "RollupBadBlobOpening").withArgs(0);

    // Batch 1 claims that its run (which changes no state) ends at another state root.
    const second = encodeBatch([encodeEmptyRun({ blocks: 1, timestamp: await l1Now() })]);
    t.blob0.value = encodeBlob(second);
    const claim = summarizeEnvelope(second, t.genesis, honest.lastTimestamp, BigInt(await l1Now()));
    await t.post(1, t.blob0.value, { ...claim, postStateRoot: "0x" + "11".repeat(32) });
    const receipt = await (await (await t.prove(1)).send()).wait();
    const fault = receipt!.logs.map((l) => t.rollup.interface.parseLog(l)).find((p) => p?.name === "BlobBatchFraudProven");
    expect(fault?.args.fault).to.equal(3n);
    expect(await t.rollup.batchCount()).to.equal(1n);
    expect(await t.rollup.bonds((await ethers.getSigners())[0].address)).to.equal(0n);
  });

  it("proves a blob that is no Cairn payload (fault 1) and an envelope BatchCodec refuses (fault 2); the worst proof, 2,048 payload elements, stays under 5M gas", async () => {
    const t = await deployed();
    const now = await l1Now();
    const claim = summarizeEnvelope(encodeBatch([encodeEmptyRun({ blocks: 1, timestamp: now })]), t.genesis, 0n, BigInt(now));
    // Garbage in every payload element (top bytes zero, so it is a blob): version byte 0x5a.
    const garbage = Buffer.alloc(BYTES_PER_BLOB);
    for (let i = 0; i < 4096; i++) for (let j = 1; j < 32; j++) garbage[32 * i + j] = (i * 31 + j * 7 + 0x5a) & 0xff || 1;
    t.blob0.value = garbage;
    await t.post(0, garbage, claim);
    const layout = await (await (await t.prove(0)).send()).wait();
    const layoutFault = layout!.logs.map((l) => t.rollup.interface.parseLog(l)).find((p) => p?.name === "BlobBatchFraudProven");
    expect(layoutFault?.args.fault).to.equal(1n);
    console.log(`      blob fraud proof, 2,048 non-zero payload elements (layout fault): ${layout!.gasUsed} gas`);
    expect(layout!.gasUsed).to.be.lessThan(5_000_000n);

    // The worst case: a full payload that BatchCodec walks to the end before refusing it —
    // 256 commitments filling 2,048 elements, the last a run stamped in the future (the claim
    // itself is within bounds, so the Rollup took it).
    await (await t.rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
    const stamp = await l1Now();
    const header = Buffer.concat([Buffer.alloc(32, 7), Buffer.from([0]), Buffer.from(stamp.toString(16).padStart(10, "0"), "hex")]);
    const bodies: Buffer[] = [];
    const filler = Math.floor((BLOB_ENVELOPE_CAPACITY - 9) / 255) - 2 - header.length;
    for (let i = 0; i < 255; i++) bodies.push(Buffer.concat([header, Buffer.alloc(filler, 0xab)]));
    bodies.push(encodeEmptyRun({ blocks: 1, timestamp: stamp + 1_000_000 }));
    const envelope = encodeBatch(bodies);
    expect(envelope.length).to.be.at.most(BLOB_ENVELOPE_CAPACITY).and.above(BLOB_ENVELOPE_CAPACITY - 300);
    t.blob0.value = encodeBlob(envelope);
    await t.post(0, t.blob0.value, claim);
    const refused = await (await (await t.prove(0)).send()).wait();
    const envelopeFault = refused!.logs.map((l) => t.rollup.interface.parseLog(l)).find((p) => p?.name === "BlobBatchFraudProven");
    expect(envelopeFault?.args.fault).to.equal(2n);
    console.log(`      blob fraud proof, ${envelope.length}-byte envelope of 256 commitments (envelope fault): ${refused!.gasUsed} gas`);
    expect(refused!.gasUsed).to.be.lessThan(5_000_000n);

    // 257 bodies: refused by walking the length prefixes, before any summarizing.
    await (await t.rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
    const many = encodeBatch(Array.from({ length: 257 }, () => encodeEmptyRun({ blocks: 1, timestamp: stamp })));
    t.blob0.value = encodeBlob(many);
    await t.post(0, t.blob0.value, claim);
    const counted = await (await (await t.prove(0)).send()).wait();
    expect(counted!.logs.map((l) => t.rollup.interface.parseLog(l)).find((p) => p?.name === "BlobBatchFraudProven")?.args.fault).to.equal(2n);
  });
});
