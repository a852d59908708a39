/**
 * How a batch sits in an EIP-4844 blob. A blob is 4,096 field elements of 32 bytes, each below
 * the BLS12-381 scalar modulus; Cairn writes only the low 31 bytes of each (the top byte is
 * zero), so any bytes fit and the bytes of element i are blob bytes [32i + 1, 32i + 32).
 *
 * The payload is the element-packed stream `[version 1][envelope length 3][envelope]`, where
 * the envelope is exactly a calldata batch's `commitments` argument (`encodeBatch`): one
 * summary, one splitter, one set of roots for both kinds of batch. The stream fills elements
 * 0, 1, … in order, 31 bytes each, zero-padded.
 *
 * Only the first BLOB_PAYLOAD_ELEMENTS (2,048) elements carry the payload, and the rest of the
 * blob is never read. In the blob's bit-reversed order those 2,048 elements are the evaluations
 * of the blob polynomial on the subgroup of order 2,048, which is what lets one transaction
 * open all of them at once (docs/architecture.md, *Blob batches*); and at EIP-7623's floor of
 * 40 gas a non-zero calldata byte, carrying 63.5 kB of payload in that proof costs ~2.5M gas,
 * where a whole blob's 127 kB would cost 5.1M.
 *
 * One encoding per payload: the version is 1, the length fits, every top byte of the payload
 * elements is zero and every byte after the envelope up to element 2,048 is zero.
 */
import { CairnError } from "./errors";

export const BYTES_PER_BLOB = 131_072;
export const FIELD_ELEMENTS_PER_BLOB = 4096;
/** The bytes of one field element Cairn writes (the top byte stays zero, below the modulus). */
export const BYTES_PER_ELEMENT_PAYLOAD = 31;
/** Elements that carry the payload: the subgroup of order 2,048 in bit-reversed order. */
export const BLOB_PAYLOAD_ELEMENTS = 2048;
export const BLOB_LAYOUT_VERSION = 1;
/** Version byte and 3-byte envelope length. */
export const BLOB_HEADER_BYTES = 4;
/** The longest envelope one blob carries: 2,048 × 31 − 4 = 63,484 bytes. */
export const BLOB_ENVELOPE_CAPACITY = BLOB_PAYLOAD_ELEMENTS * BYTES_PER_ELEMENT_PAYLOAD - BLOB_HEADER_BYTES;

/**
 * The most commitments a blob batch may hold (BlobData.MAX_COMMITMENTS): the Rollup refuses a
 * claim of more, and a blob whose envelope has more is fraud, found by walking length prefixes
 * alone — what keeps the proof of it under 5M gas, since summarizing costs ~3.8k a commitment.
 */
export const MAX_BLOB_COMMITMENTS = 256;

/**
 * Whether `envelope` has more than MAX_BLOB_COMMITMENTS bodies, walked as BlobData walks it:
 * length prefixes only, stopping at the end or past the limit.
 */
export function tooManyBlobCommitments(envelope: Buffer): boolean {
  let count = 0;
  for (let offset = 0; offset + 2 <= envelope.length; offset += 2 + envelope.readUInt16BE(offset)) {
    if (++count > MAX_BLOB_COMMITMENTS) return true;
  }
  return false;
}

/** What is wrong with a blob's payload. */
export type BlobLayoutProblem = "blob-size" | "top-byte" | "version" | "length" | "padding";

/** A blob whose bytes are not a payload Cairn writes. Posted by a proposer, it is fraud. */
export class BlobLayoutError extends CairnError {
  override readonly name = "BlobLayoutError";
  readonly code = "BLOB_LAYOUT";
  constructor(
    readonly problem: BlobLayoutProblem,
    details: string,
  ) {
    super(`blob is not a Cairn payload (${problem})`, { details });
  }
}

/** The envelope is too long for one blob: the caller's mistake, nothing was written. */
export class BlobCapacityError extends CairnError {
  override readonly name = "BlobCapacityError";
  readonly code = "BLOB_CAPACITY";
  constructor(readonly length: number) {
    super(`a batch of ${length} bytes does not fit a blob`, { details: `at most ${BLOB_ENVELOPE_CAPACITY} bytes` });
  }
}

/** The element-packed stream of a payload: header then envelope, unpadded. */
export function blobStream(envelope: Buffer): Buffer {
  if (envelope.length > BLOB_ENVELOPE_CAPACITY) throw new BlobCapacityError(envelope.length);
  const header = Buffer.from([BLOB_LAYOUT_VERSION, envelope.length >> 16, (envelope.length >> 8) & 0xff, envelope.length & 0xff]);
  return Buffer.concat([header, envelope]);
}

/** The blob that carries `envelope` (a batch's `[u16 length][body]` run, see encodeBatch). */
export function encodeBlob(envelope: Buffer): Buffer {
  const stream = blobStream(envelope);
  const blob = Buffer.alloc(BYTES_PER_BLOB);
  for (let i = 0, at = 0; at < stream.length; i++, at += BYTES_PER_ELEMENT_PAYLOAD) {
    stream.copy(blob, 32 * i + 1, at, Math.min(at + BYTES_PER_ELEMENT_PAYLOAD, stream.length));
  }
  return blob;
}

/** How many payload elements a blob carrying an envelope of `length` bytes fills. */
export function payloadElements(length: number): number {
  return Math.ceil((BLOB_HEADER_BYTES + length) / BYTES_PER_ELEMENT_PAYLOAD);
}

/**
 * The envelope a blob carries.
 * @throws BlobLayoutError when the blob is not exactly what encodeBlob writes (over its first
 *   BLOB_PAYLOAD_ELEMENTS elements; the rest is not read).
 */
export function decodeBlob(blob: Uint8Array): Buffer {
  if (blob.length !== BYTES_PER_BLOB) throw new BlobLayoutError("blob-size", `${blob.length} bytes, not ${BYTES_PER_BLOB}`);
  const stream = Buffer.alloc(BLOB_PAYLOAD_ELEMENTS * BYTES_PER_ELEMENT_PAYLOAD);
  for (let i = 0; i < BLOB_PAYLOAD_ELEMENTS; i++) {
    if (blob[32 * i] !== 0) throw new BlobLayoutError("top-byte", `element ${i} has top byte ${blob[32 * i]}`);
    stream.set(blob.subarray(32 * i + 1, 32 * i + 32), BYTES_PER_ELEMENT_PAYLOAD * i);
  }
  if (stream[0] !== BLOB_LAYOUT_VERSION) throw new BlobLayoutError("version", `version ${stream[0]}`);
  const length = stream.readUIntBE(1, 3);
  if (length > BLOB_ENVELOPE_CAPACITY) throw new BlobLayoutError("length", `envelope of ${length} bytes, over ${BLOB_ENVELOPE_CAPACITY}`);
  const end = BLOB_HEADER_BYTES + length;
  for (let at = end; at < stream.length; at++) {
    if (stream[at] !== 0) throw new BlobLayoutError("padding", `non-zero byte ${at} of the payload after the envelope`);
  }
  return Buffer.from(stream.subarray(BLOB_HEADER_BYTES, end));
}
