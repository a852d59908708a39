import { expect } from "chai";
import { DEVNET_PARAMS } from "../../deploy/params";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { BLOB_ENVELOPE_CAPACITY, BYTES_PER_BLOB } from "../../src/core/blobLayout";
import { L2State } from "../../src/core/state";
import { buildFraudWitness } from "../../src/core/fraudProof";
import { positionalProof } from "../../src/core/merkle";
import { summarizeBatch } from "../../src/core/batch";
import { blobBatchArgument, blobFraudCalldata } from "../../src/node/challenger/blobFraudProver";
import { blobRollup, chainedClaims, l1Now, rawBody } from "../helpers/blobFixture";

const hex = (b: Buffer) => "0x" + b.toString("hex");

describe("contracts/Rollup: one-transaction proofs that a blob of a batch is not what its proposer claimed, and of a commitment inside one", function () {
  this.timeout(300_000);

  it("answers an honest blob with RollupNotFraudulent, a tampered opening with RollupBadBlobOpening, and a false claim by reverting the batch and slashing (fault 3)", async () => {
    const t = await blobRollup();
    const bodies = [encodeEmptyRun({ blocks: 3, timestamp: Number(await l1Now()) })];
    const blob = t.encodeBlob(bodies);
    const [honest] = chainedClaims([bodies], t.genesis, 0n, await l1Now());
    const { posting } = await t.post(0, [blob], [honest]);
    // The challenger's calldata, its KZG computed once (~4 s): sent as it is, then tampered with.
    const calldata = await blobFraudCalldata(t.l1, { batchIndex: 0, posting, blobIndex: 0, blob });
    await expect(t.proveBlob(0, posting, 0, blob, calldata)).to.be.revertedWithCustomError(t.rollup, "RollupNotFraudulent").withArgs(0, 0);
    // One byte of the stream changed: the values are no longer the blob's.
    const args = t.rollup.interface.decodeFunctionData("proveBlobFraud", calldata);
    const stream = Buffer.from(args[4].slice(2), "hex");
    stream[20] ^= 1;
    const tampered = t.rollup.interface.encodeFunctionData("proveBlobFraud", [args[0], blobBatchArgument(posting), args[2], args[3], stream, args[5]]);
    await expect(t.proveBlob(0, posting, 0, blob, tampered)).to.be.revertedWithCustomError(t.rollup, "RollupBadBlobOpening").withArgs(0, 0);

    // Batch 1 claims that its run (which changes no state) ends at another state root.
    const second = [encodeEmptyRun({ blocks: 1, timestamp: Number(await l1Now()) })];
    const [claim] = chainedClaims([second], t.genesis, honest.lastTimestamp, await l1Now());
    const lying = await t.post(1, [t.encodeBlob(second)], [{ ...claim, postStateRoot: "0x" + "11".repeat(32) }]);
    const receipt = await (await t.proveBlob(1, lying.posting, 0, t.encodeBlob(second))).wait();
    expect(t.faultOf(receipt)).to.deep.equal({ blob: 0, fault: 3 });
    expect(await t.rollup.batchCount()).to.equal(1n);
    expect(await t.rollup.bonds(t.deployer.address)).to.equal(0n);
  });

  it("over three blobs: proves a false claim in blob 2 of 3, a chain that does not link (blob 2 built on another root than blob 1 ends at), and a false claim in the last blob — each opening that blob alone; the honest blobs answer RollupNotFraudulent", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const rootA = "0x" + "a1".repeat(32);
    const rootB = "0x" + "b2".repeat(32);
    const groups = [[rawBody(rootA, now, Buffer.alloc(40, 1))], [rawBody(rootB, now, Buffer.alloc(40, 2)), encodeEmptyRun({ blocks: 2, timestamp: Number(now) })], [rawBody(rootA, now, Buffer.alloc(40, 3))]];
    const blobs = groups.map((g) => t.encodeBlob(g));
    const honest = chainedClaims(groups, t.genesis, 0n, now);

    const cases: Array<{ name: string; claims: typeof honest; disputed: number }> = [
      { name: "blob 2 of 3 claims another withdrawal root", claims: [honest[0], { ...honest[1], withdrawalRoot: "0x" + "33".repeat(32) }, honest[2]], disputed: 1 },
      // Blob 1's claim summarizes its bodies from rootB, not from rootA where blob 0 ends.
      { name: "blob 2 does not start where blob 1 ends", claims: [honest[0], ...chainedClaims(groups.slice(1), rootB, honest[0].lastTimestamp, now)], disputed: 1 },
      { name: "the last blob claims another block count", claims: [honest[0], honest[1], { ...honest[2], blocks: honest[2].blocks + 1 }], disputed: 2 },
    ];
    // A blob's opening (its KZG, ~4 s) depends on its bytes and its versioned hash alone, which are
    // the same in every case: computed once a blob, the calldata re-encoded for each posting.
    const openings = new Map<number, ReturnType<typeof t.rollup.interface.decodeFunctionData>>();
    const calldataFor = async (posting: Awaited<ReturnType<typeof t.post>>["posting"], k: number) => {
      if (!openings.has(k)) openings.set(k, t.rollup.interface.decodeFunctionData("proveBlobFraud", await blobFraudCalldata(t.l1, { batchIndex: 0, posting, blobIndex: k, blob: blobs[k] })));
      const a = openings.get(k)!;
      return t.rollup.interface.encodeFunctionData("proveBlobFraud", [0, blobBatchArgument(posting), k, a[3], a[4], a[5]]);
    };
    let versionedHashes: string[] | null = null;
    for (const c of cases) {
      await t.rebond();
      const { posting } = await t.post(0, blobs, c.claims);
      versionedHashes ??= posting.versionedHashes;
      expect(posting.versionedHashes, "the same blobs in every case").to.deep.equal(versionedHashes);
      // The honest blobs once.
      for (let k = 0; k < 3 && c === cases[0]; k++) {
        if (k === c.disputed) continue;
        await expect(t.proveBlob(0, posting, k, blobs[k], await calldataFor(posting, k)), `${c.name}: blob ${k} is what it claims`).to.be.revertedWithCustomError(t.rollup, "RollupNotFraudulent");
      }
      const receipt = await (await t.proveBlob(0, posting, c.disputed, blobs[c.disputed], await calldataFor(posting, c.disputed))).wait();
      expect(t.faultOf(receipt), c.name).to.deep.equal({ blob: c.disputed, fault: 3 });
      console.log(`      ${c.name}: ${receipt!.gasUsed} gas`);
      expect(await t.rollup.batchCount()).to.equal(0n);
    }
  });

  it("proves a commitment in the last of three blobs with proveBlobCommitmentFraud: its path to its blob's claimed root, FraudProven at its place in the batch; a path of another shape is refused", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const state = L2State.genesis();
    expect(hex(state.root())).to.equal(t.genesis);
    // Blobs 1 and 2 keep the genesis state (empty runs), so the disputed commitment starts from it.
    const garbage = rawBody("0x" + "44".repeat(32), now, Buffer.from("ffffffffffffffff", "hex"));
    const groups = [[encodeEmptyRun({ blocks: 1, timestamp: Number(now) }), encodeEmptyRun({ blocks: 2, timestamp: Number(now) })], [encodeEmptyRun({ blocks: 1, timestamp: Number(now) })], [encodeEmptyRun({ blocks: 1, timestamp: Number(now) }), garbage]];
    const claims = chainedClaims(groups, t.genesis, 0n, now);
    const { posting } = await t.post(0, groups.map((g) => t.encodeBlob(g)), claims);
    const params = { chainId: BigInt(DEVNET_PARAMS.l2ChainId), queueEntry: () => undefined, position: { queueLimit: 0n, lastInBatch: true } };
    const { verdict, packed } = buildFraudWitness(state, garbage, params);
    expect(verdict.ok, "core finds the commitment wrong").to.equal(false);
    const path = positionalProof(summarizeBatch(Buffer.from(t.genesis.slice(2), "hex"), groups[2]).leaves, 1).map(hex);
    const commitment = { blobIndex: 2, commitmentIndex: 1, preStateRoot: t.genesis, body: hex(garbage), path };
    const c = t.rollup.connect(t.challenger);
    await expect(c.proveBlobCommitmentFraud(0, blobBatchArgument(posting), { ...commitment, path: [...path, path[0]] }, packed)).to.be.revertedWithCustomError(t.rollup, "RollupBadCommitmentProof").withArgs(0, 4);
    await expect(c.proveBlobCommitmentFraud(0, blobBatchArgument(posting), { ...commitment, blobIndex: 1, commitmentIndex: 0 }, packed)).to.be.revertedWithCustomError(t.rollup, "RollupBadCommitmentProof").withArgs(0, 2);
    const receipt = await (await c.proveBlobCommitmentFraud(0, blobBatchArgument(posting), commitment, packed)).wait();
    const proven = receipt!.logs.map((l) => t.rollup.interface.parseLog(l)).find((p) => p?.name === "FraudProven");
    expect(Number(proven?.args.commitmentIndex), "blobs 0 and 1 hold 3 commitments before it").to.equal(4);
    console.log(`      proveBlobCommitmentFraud, commitment 1 of blob 2 of 3: ${receipt!.gasUsed} gas`);
    expect(await t.rollup.batchCount()).to.equal(0n);
  });

  it("proves a blob that is no Cairn payload (fault 1) and an envelope BatchCodec refuses (fault 2), in the second blob of two; the worst proof, 2,048 payload elements, stays under 5M gas", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const first = [encodeEmptyRun({ blocks: 1, timestamp: Number(now) })];
    const claims = chainedClaims([first, first], t.genesis, 0n, now);
    // Garbage in every payload element (top bytes zero, so it is a blob): version byte 0x5a.
    const garbage = Buffer.alloc(BYTES_PER_BLOB);
    for (let i = 0; i < 4096; i++) for (let j = 1; j < 32; j++) garbage[32 * i + j] = (i * 31 + j * 7 + 0x5a) & 0xff || 1;
    const layout = await t.post(0, [t.encodeBlob(first), garbage], claims);
    const layoutProof = await (await t.proveBlob(0, layout.posting, 1, garbage)).wait();
    expect(t.faultOf(layoutProof)).to.deep.equal({ blob: 1, fault: 1 });
    console.log(`      blob fraud proof, 2,048 non-zero payload elements (layout fault): ${layoutProof!.gasUsed} gas`);
    expect(layoutProof!.gasUsed).to.be.lessThan(5_000_000n);

    // The worst case: a full payload that BatchCodec walks to the end before refusing it —
    // 256 commitments filling 2,048 elements, the last a run stamped in the future (the claim
    // itself is within bounds, so the Rollup took it).
    await t.rebond();
    const stamp = await l1Now();
    const bodies: Buffer[] = [];
    const header = rawBody("0x" + "07".repeat(32), stamp);
    const filler = Math.floor((BLOB_ENVELOPE_CAPACITY - 9) / 255) - 2 - header.length;
    for (let i = 0; i < 255; i++) bodies.push(Buffer.concat([header, Buffer.alloc(filler, 0xab)]));
    bodies.push(encodeEmptyRun({ blocks: 1, timestamp: Number(stamp) + 1_000_000 }));
    const envelope = encodeBatch(bodies);
    expect(envelope.length).to.be.at.most(BLOB_ENVELOPE_CAPACITY).and.above(BLOB_ENVELOPE_CAPACITY - 300);
    const worst = await t.post(0, [t.encodeBlob(first), t.encodeBlob(bodies)], claims);
    const refused = await (await t.proveBlob(0, worst.posting, 1, t.encodeBlob(bodies))).wait();
    expect(t.faultOf(refused)).to.deep.equal({ blob: 1, fault: 2 });
    console.log(`      blob fraud proof, ${envelope.length}-byte envelope of 256 commitments in blob 2 of 2 (envelope fault): ${refused!.gasUsed} gas`);
    expect(refused!.gasUsed).to.be.lessThan(5_000_000n);

    // 257 bodies: refused by walking the length prefixes, before any summarizing.
    await t.rebond();
    const many = Array.from({ length: 257 }, () => encodeEmptyRun({ blocks: 1, timestamp: Number(stamp) }));
    const counted = await t.post(0, [t.encodeBlob(many)], [claims[0]]);
    expect(t.faultOf(await (await t.proveBlob(0, counted.posting, 0, t.encodeBlob(many))).wait())).to.deep.equal({ blob: 0, fault: 2 });
  });
});
