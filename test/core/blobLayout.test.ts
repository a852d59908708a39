import { expect } from "chai";
import { BLOB_ENVELOPE_CAPACITY, BLOB_PAYLOAD_ELEMENTS, BYTES_PER_BLOB, BlobCapacityError, BlobLayoutError, MAX_BLOB_COMMITMENTS, decodeBlob, encodeBlob, payloadElements, tooManyBlobCommitments } from "../../src/core/blobLayout";
import { payloadPrefix } from "../../src/core/blobOpening";

const envelopeOf = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
const problem = (blob: Buffer) => {
  try {
    decodeBlob(blob);
  } catch (e) {
    if (e instanceof BlobLayoutError) return e.problem;
    throw e;
  }
  return null;
};

describe("core/blobLayout: a batch in the first 2,048 elements of a blob, 31 bytes an element", () => {
  it("round-trips envelopes from 1 byte to the capacity, each element's top byte zero", () => {
    for (const n of [1, 27, 28, 59, 1000, BLOB_ENVELOPE_CAPACITY]) {
      const blob = encodeBlob(envelopeOf(n));
      expect(blob.length).to.equal(BYTES_PER_BLOB);
      expect(Array.from({ length: 4096 }, (_, i) => blob[32 * i]).filter((b) => b !== 0), "top bytes").to.deep.equal([]);
      expect(decodeBlob(blob).equals(envelopeOf(n)), `${n} bytes`).to.equal(true);
      expect(payloadElements(n)).to.equal(Math.ceil((n + 4) / 31));
    }
    expect(() => encodeBlob(envelopeOf(BLOB_ENVELOPE_CAPACITY + 1))).to.throw(BlobCapacityError);
  });

  it("refuses every second spelling: a top byte, another version, a length past capacity, bytes after the envelope; the second half of the blob is not read", () => {
    const blob = () => encodeBlob(envelopeOf(100));
    const top = blob();
    top[32 * 5] = 1;
    expect(problem(top)).to.equal("top-byte");
    const version = blob();
    version[1] = 2;
    expect(problem(version)).to.equal("version");
    const length = blob();
    length.writeUIntBE(BLOB_ENVELOPE_CAPACITY + 1, 2, 3);
    expect(problem(length)).to.equal("length");
    const padding = blob();
    padding[32 * 10 + 7] = 9;
    expect(problem(padding)).to.equal("padding");
    const lastPayloadElement = blob();
    lastPayloadElement[32 * (BLOB_PAYLOAD_ELEMENTS - 1) + 31] = 1;
    expect(problem(lastPayloadElement)).to.equal("padding");
    const secondHalf = blob();
    secondHalf[32 * BLOB_PAYLOAD_ELEMENTS] = 0xff;
    expect(problem(secondHalf)).to.equal(null);
    expect(problem(Buffer.alloc(100))).to.equal("blob-size");
  });

  it("counts commitments only up to the blob limit, from length prefixes alone", () => {
    const runs = (n: number) => Buffer.concat(Array.from({ length: n }, () => Buffer.from([0, 7, 0, 1, 0, 0, 0, 0, 1])));
    expect(tooManyBlobCommitments(runs(MAX_BLOB_COMMITMENTS))).to.equal(false);
    expect(tooManyBlobCommitments(runs(MAX_BLOB_COMMITMENTS + 1))).to.equal(true);
    expect(tooManyBlobCommitments(Buffer.from([0xff, 0xff]))).to.equal(false);
  });

  it("sends a proof the elements through the last non-zero one and through the declared envelope", () => {
    const blob = encodeBlob(envelopeOf(100));
    expect(payloadPrefix(blob).topBytes.length).to.equal(payloadElements(100));
    const declaredLonger = Buffer.from(blob);
    declaredLonger.writeUIntBE(1000, 2, 3);
    expect(payloadPrefix(declaredLonger).topBytes.length).to.equal(payloadElements(1000));
    expect(payloadPrefix(Buffer.alloc(BYTES_PER_BLOB)).topBytes.length).to.equal(0);
  });
});
