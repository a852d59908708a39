import { expect } from "chai";
import { Transaction, Wallet, getBytes, hexlify } from "ethers";
import { blobCommitment, blobProof, ethersKzg, openBlobAt, prepareBlobs, verifyBlob, versionedHashOf } from "../../src/node/l1/kzg";

/** A blob of field elements (each element's top byte zero), seeded. */
function blobOf(seed: number): Uint8Array {
  const b = new Uint8Array(131072);
  for (let i = 0; i < b.length; i++) b[i] = i % 32 === 0 ? 0 : (i * 31 + seed * 17) & 0xff;
  return b;
}

describe("node/l1/kzg: a blob transaction's KZG runs on a worker thread", function () {
  this.timeout(120_000);

  it("prepareBlobs computes off the event loop the commitment and blob proof the calling thread would, and ethers signs a type-3 transaction from them", async () => {
    const blob = blobOf(7);
    // The event loop keeps turning while the worker computes (~2.5 s of KZG, plus its setup).
    let turns = 0;
    const ticker = setInterval(() => turns++, 10);
    try {
      await prepareBlobs([blob]);
    } finally {
      clearInterval(ticker);
    }
    expect(turns, "event-loop turns while the worker computed").to.be.greaterThan(20);
    // micro-eth-signer's shape of the library: hex in, hex out.
    const kzg = ethersKzg() as { blobToKzgCommitment(blob: string): string; computeBlobProof(blob: string, commitment: string): string };
    const commitment = kzg.blobToKzgCommitment(hexlify(blob));
    expect(commitment.toLowerCase()).to.equal((await blobCommitment(blob)).toLowerCase());
    expect(kzg.computeBlobProof(hexlify(blob), commitment).toLowerCase()).to.equal(blobProof(blob, commitment).toLowerCase());
    // The sidecar ethers builds from them carries the blob's versioned hash.
    const signed = await Wallet.createRandom().signTransaction({ type: 3, chainId: 1n, nonce: 0, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n, maxFeePerBlobGas: 1n, to: Wallet.createRandom().address, blobs: [blob], kzg });
    const tx = Transaction.from(signed);
    expect(tx.blobVersionedHashes).to.deep.equal([versionedHashOf(commitment)]);
    expect(getBytes(commitment)).to.have.length(48);
  });

  it("a challenger's openings and a follower's sidecar checks run on the worker too: the event loop turns meanwhile, and a tampered blob does not verify", async () => {
    const blob = blobOf(9);
    let turns = 0;
    const ticker = setInterval(() => turns++, 10);
    let commitment: string, opening: { proof: string; y: string }, tampered: Uint8Array;
    try {
      commitment = await blobCommitment(blob);
      opening = await openBlobAt(blob, 12345n);
      tampered = Uint8Array.from(blob);
      tampered[100] ^= 1;
      const proof = blobProof(blob, commitment);
      expect(await verifyBlob(blob, commitment, proof)).to.equal(true);
      expect(await verifyBlob(tampered, commitment, proof)).to.equal(false);
      // Not points at all: false, not an error.
      expect(await verifyBlob(blob, "0x" + "00".repeat(48), "0x1234")).to.equal(false);
    } finally {
      clearInterval(ticker);
    }
    expect(turns, "event-loop turns while the worker computed").to.be.greaterThan(20);
    expect(getBytes(opening.proof)).to.have.length(48);
    expect(getBytes(opening.y)).to.have.length(32);
  });
});
