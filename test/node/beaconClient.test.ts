import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { BeaconBlobSource, BlobAuthenticationError, BlobUnavailableError } from "../../src/node/l1/beaconClient";
import { encodeBlob } from "../../src/core/blobLayout";
import { blobCommitment, blobProof, versionedHashOf } from "../../src/node/l1/kzg";

describe("node/beaconClient: a blob is handed out only once it is proven to be the one named", function () {
  this.timeout(60_000);
  let server: http.Server;
  let url: string;
  let sidecars: unknown[] = [];
  let sidecarRequests = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/eth/v1/beacon/genesis") return res.end(JSON.stringify({ data: { genesis_time: "1000" } }));
      if (req.url === "/eth/v1/config/spec") return res.end(JSON.stringify({ data: { SECONDS_PER_SLOT: "12" } }));
      if (req.url === "/eth/v1/beacon/blob_sidecars/5") {
        sidecarRequests++;
        return res.end(JSON.stringify({ data: sidecars }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ code: 404 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("finds the blob at the slot of the L1 block's time, and refuses a forged one and a missing one", async () => {
    const blob = encodeBlob(Buffer.from("a batch"));
    const commitment = await blobCommitment(blob);
    const hash = versionedHashOf(commitment);
    const source = new BeaconBlobSource(url);
    // The proof ethers would attach: computed over the real blob.
    const proof = await blobProof(blob, commitment);
    sidecars = [{ index: "0", blob: "0x" + blob.toString("hex"), kzg_commitment: commitment, kzg_proof: proof }];
    expect((await source.blobs(1060n, [hash]))[0].equals(blob)).to.equal(true);

    const forged = Buffer.from(blob);
    forged[40] ^= 1;
    sidecars = [{ index: "0", blob: "0x" + forged.toString("hex"), kzg_commitment: commitment, kzg_proof: proof }];
    await source.blobs(1060n, [hash]).then(
      () => expect.fail("a forged blob was handed out"),
      (e: unknown) => expect(e).to.be.instanceOf(BlobAuthenticationError),
    );
    sidecars = [];
    await source.blobs(1060n, [hash]).then(
      () => expect.fail("a blob was handed out from nowhere"),
      (e: unknown) => expect(e).to.be.instanceOf(BlobUnavailableError),
    );
  });

  it("fetches a slot's sidecars once for all the blobs a batch names there, in the order named, repeats included", async () => {
    const blobs = [encodeBlob(Buffer.from("first")), encodeBlob(Buffer.from("second"))];
    const commitments = await Promise.all(blobs.map((b) => blobCommitment(b)));
    const proofs = await Promise.all(blobs.map((b, i) => blobProof(b, commitments[i])));
    sidecars = blobs.map((b, i) => ({ index: String(i), blob: "0x" + b.toString("hex"), kzg_commitment: commitments[i], kzg_proof: proofs[i] }));
    const hashes = commitments.map(versionedHashOf);
    const source = new BeaconBlobSource(url);
    sidecarRequests = 0;
    const got = await source.blobs(1060n, [hashes[1], hashes[0], hashes[1]]);
    expect(got.map((b) => b.equals(blobs[1]) ? 1 : b.equals(blobs[0]) ? 0 : -1)).to.deep.equal([1, 0, 1]);
    expect(sidecarRequests).to.equal(1);
  });
});
