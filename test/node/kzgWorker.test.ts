import { expect } from "chai";
import { Transaction, Wallet, getBytes, hexlify } from "ethers";
import { loadKZG } from "kzg-wasm";
import { BlobNotPreparedError, blobCommitment, blobProof, blobSidecars, ethersKzg, openBlobAt, verifyBlob, versionedHashOf } from "../../src/node/l1/kzg";
import { KzgWorker, KzgWorkerError } from "../../src/node/l1/kzgWorker";
import { openBlob } from "../../src/core/kzgOpening";
import { BLS_MODULUS, ROOT_OF_UNITY, bitReverse, blobElements } from "../../src/core/blobOpening";
import { OutOfRangeError } from "../../src/core/errors";

/** A blob of field elements (each element's top byte zero), seeded. */
function blobOf(seed: number): Uint8Array {
  const b = new Uint8Array(131072);
  for (let i = 0; i < b.length; i++) b[i] = i % 32 === 0 ? 0 : (i * 31 + seed * 17) & 0xff;
  return b;
}

/** Event-loop turns of a 10 ms ticker while `run` runs. */
async function turnsDuring(run: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  const ticker = setInterval(() => turns++, 10);
  try {
    await run();
  } finally {
    clearInterval(ticker);
  }
  return turns;
}

const word = (v: bigint) => "0x" + v.toString(16).padStart(64, "0");

describe("node/l1/kzg: a blob transaction's KZG runs on worker threads", function () {
  this.timeout(120_000);

  it("blobSidecars computes three blobs' commitments and blob proofs off the event loop, and ethers signs a type-3 transaction from them without computing anything", async () => {
    const blobs = [blobOf(7), blobOf(8), blobOf(9)];
    let sidecars: Awaited<ReturnType<typeof blobSidecars>> = [];
    const turns = await turnsDuring(async () => (sidecars = await blobSidecars(blobs)));
    expect(turns, "event-loop turns while the workers computed").to.be.greaterThan(10);
    for (const [i, blob] of blobs.entries()) {
      expect(sidecars[i].commitment, `blob ${i}'s commitment`).to.equal(await blobCommitment(blob));
      expect(await verifyBlob(blob, sidecars[i].commitment, sidecars[i].proof), `blob ${i}'s proof`).to.equal(true);
    }
    const kzg = ethersKzg(blobs, sidecars);
    const request = { type: 3, chainId: 1n, nonce: 0, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n, maxFeePerBlobGas: 1n, to: Wallet.createRandom().address };
    const tx = Transaction.from(await Wallet.createRandom().signTransaction({ ...request, blobs, kzg }));
    expect(tx.blobVersionedHashes).to.deep.equal(sidecars.map((s) => versionedHashOf(s.commitment)));
    expect(getBytes(sidecars[0].commitment)).to.have.length(48);
    // A blob it was not given the sidecar of: a typed refusal, never a computation on the node's thread.
    await Wallet.createRandom()
      .signTransaction({ ...request, blobs: [blobOf(10)], kzg })
      .then(
        () => expect.fail("signed a blob with no sidecar"),
        (e: unknown) => expect(e).to.be.instanceOf(BlobNotPreparedError),
      );
  });

  it("a blob proof checks the blob it was made for and no other: a tampered blob, a wrong commitment, and bytes that are not points are false, not errors", async () => {
    const blob = blobOf(11);
    const commitment = await blobCommitment(blob);
    const proof = await blobProof(blob, commitment);
    const tampered = Uint8Array.from(blob);
    tampered[100] ^= 1;
    expect(await verifyBlob(blob, commitment, proof)).to.equal(true);
    expect(await verifyBlob(tampered, commitment, proof)).to.equal(false);
    expect(await verifyBlob(blob, await blobCommitment(tampered), proof)).to.equal(false);
    expect(await verifyBlob(blob, "0x" + "00".repeat(48), "0x1234")).to.equal(false);
    expect(await verifyBlob(blob, commitment, "0x" + "ff".repeat(48))).to.equal(false);
    const notField = Uint8Array.from(blob);
    notField.fill(0xff, 0, 32);
    expect(await verifyBlob(notField, commitment, proof), "an element ≥ the modulus").to.equal(false);
    expect(await verifyBlob(blob.subarray(0, 1000), commitment, proof), "a short blob").to.equal(false);
  });

  it("openings at points off the domain, on it (ω^0, ω^1, ω^2048 = −1) and at 0 verify with c-kzg's own check, and on the domain open to the blob's element there", async () => {
    const kzg = await loadKZG();
    const blob = blobOf(12);
    const commitment = await blobCommitment(blob);
    const elements = blobElements(blob);
    const omega = (k: bigint) => {
      let r = 1n;
      for (let i = 0n; i < k; i++) r = (r * ROOT_OF_UNITY) % BLS_MODULUS;
      return r;
    };
    const points = [0n, 12345n, BLS_MODULUS - 2n, 1n, ROOT_OF_UNITY, BLS_MODULUS - 1n];
    const turns = await turnsDuring(async () => {
      const openings = await Promise.all(points.map((z) => openBlobAt(blob, z)));
      for (const [i, z] of points.entries()) {
        const { proof, y } = openings[i];
        expect(getBytes(proof)).to.have.length(48);
        expect(getBytes(y)).to.have.length(32);
        expect(kzg.verifyKZGProof(commitment, word(z), y, proof), `the opening at ${z}`).to.equal(true);
        expect(kzg.verifyKZGProof(commitment, word(z), word((BigInt(y) + 1n) % BLS_MODULUS), proof), `another value at ${z}`).to.equal(false);
      }
    });
    expect(turns, "event-loop turns while six openings were computed").to.be.greaterThan(10);
    // ω^k sits at blob index brp(k).
    for (const k of [0, 1, 2048]) expect(openBlob(blob, omega(BigInt(k))).y, `p(ω^${k})`).to.equal(elements[bitReverse(k, 12)]);
  });

  it("openBlob refuses a point outside the field and a blob whose element is not a field element", () => {
    const blob = blobOf(13);
    expect(() => openBlob(blob, BLS_MODULUS)).to.throw(OutOfRangeError);
    expect(() => openBlob(blob, -1n)).to.throw(OutOfRangeError);
    const notField = Uint8Array.from(blob);
    notField.fill(0xff, 32 * 5, 32 * 6);
    expect(() => openBlob(notField, 7n)).to.throw(OutOfRangeError, /element 5/);
    expect(() => openBlob(blob.subarray(1), 7n)).to.throw(OutOfRangeError);
  });

  it("a KZG worker that has exited fails what is asked of it at once, as the KzgWorkerError the pool replaces it on", async () => {
    const worker = new KzgWorker(require.resolve("kzg-wasm"));
    const pending = worker.commitment(hexlify(blobOf(14)));
    await worker.close();
    await pending.then(
      () => expect.fail("answered after it exited"),
      (e: unknown) => expect(e).to.be.instanceOf(KzgWorkerError),
    );
    expect(worker.dead).to.equal(true);
    await worker.verify(hexlify(blobOf(14)), "0x00", "0x00").then(
      () => expect.fail("answered after it exited"),
      (e: unknown) => expect(e).to.be.instanceOf(KzgWorkerError),
    );
  });
});
