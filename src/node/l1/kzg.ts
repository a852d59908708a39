/**
 * The KZG commitments and proofs of EIP-4844 for the nodes, all computed off the event loop on
 * KZG worker threads (kzgWorker.ts, kzg-wasm with the ceremony's trusted setup): a commitment or
 * a blob proof ~0.35 s, checking a blob against its commitment ~15 ms. An opening at a chosen
 * point is the commitment to a quotient blob that src/core/kzgOpening.ts writes out (kzg-wasm
 * exports no opening). There is a worker for each core but the one the node runs on, at least
 * two, and a request goes to the least busy.
 */
import os from "node:os";
import type { KzgLibraryLike } from "ethers";
import { kzgToVersionedHash } from "../../core/versionedHash";
import { openBlob } from "../../core/kzgOpening";
import { CairnError } from "../../core/errors";
import { BYTES_PER_BLOB } from "../../core/blobLayout";
import { KzgWorker, type BlobSidecar } from "./kzgWorker";

/** The node's thread mostly waits on KZG while it runs: two workers even on two cores. */
const WORKERS = Math.min(4, Math.max(2, os.availableParallelism() - 1));
const workers: KzgWorker[] = [];

const hex = (bytes: Uint8Array) => "0x" + Buffer.from(bytes).toString("hex");

/** The least busy KZG worker; a dead one is replaced (its own requests have failed). */
function kzgWorker(): KzgWorker {
  for (let i = 0; i < WORKERS; i++) {
    if (!workers[i] || workers[i].dead) workers[i] = new KzgWorker(require.resolve("kzg-wasm"));
  }
  return workers.reduce((best, w) => (w.load < best.load ? w : best));
}

/** The blob's KZG commitment (48 bytes, hex). */
export function blobCommitment(blob: Uint8Array): Promise<string> {
  return kzgWorker().commitment(hex(blob));
}

/** The blob proof of `blob` against its commitment, as a sidecar carries it (hex). */
export function blobProof(blob: Uint8Array, commitment: string): Promise<string> {
  return kzgWorker().blobProof(hex(blob), commitment);
}

/** A commitment or proof as versionedHashOf reads one: 48 bytes of hex, 0x or not, any case. */
const POINT_HEX = /^(0x)?[0-9a-fA-F]{96}$/;
const pointHex = (h: string) => "0x" + h.replace(/^0x/, "").toLowerCase();

/**
 * Whether `blob` is the blob `commitment` commits to, by its blob proof (as a sidecar carries).
 * What is not a blob or 48-byte points is false here: kzg-wasm would read other lengths past
 * their end, and a megabyte of proof (a beacon API's to choose) would overflow its stack.
 */
export async function verifyBlob(blob: Uint8Array, commitment: string, proof: string): Promise<boolean> {
  if (blob.length !== BYTES_PER_BLOB || !POINT_HEX.test(commitment) || !POINT_HEX.test(proof)) return false;
  return kzgWorker().verify(hex(blob), pointHex(commitment), pointHex(proof));
}

/** The opening of the blob's polynomial at `z`: its value `y` (32 bytes) and the proof (48 bytes), both hex. */
export async function openBlobAt(blob: Uint8Array, z: bigint): Promise<{ proof: string; y: string }> {
  const { y, quotient } = openBlob(blob, z);
  return { proof: await blobCommitment(quotient), y: "0x" + y.toString(16).padStart(64, "0") };
}

/** The versioned hash `BLOBHASH` gives for a commitment given in hex. */
export function versionedHashOf(commitment: string): string {
  return kzgToVersionedHash(Buffer.from(commitment.replace(/^0x/, ""), "hex"));
}

/** A blob as ethers signs it: one shorter than a blob is padded with zeros. */
function signedBlob(blob: Uint8Array): Uint8Array {
  if (blob.length >= BYTES_PER_BLOB) return blob;
  const padded = new Uint8Array(BYTES_PER_BLOB);
  padded.set(blob);
  return padded;
}

/** The commitments and blob proofs of `blobs` (as ethers signs them: padded), in order, spread over the workers. */
export function blobSidecars(blobs: Uint8Array[]): Promise<BlobSidecar[]> {
  return Promise.all(blobs.map((b) => kzgWorker().sidecar(hex(signedBlob(b)))));
}

/** Ethers asked for the KZG of a blob it was not given the sidecar of. */
export class BlobNotPreparedError extends CairnError {
  readonly code = "BLOB_NOT_PREPARED";
  constructor() {
    super("ethers asked for the KZG commitment or proof of a blob whose sidecar was not computed first (blobSidecars)");
  }
}

/**
 * What ethers needs to sign a type-3 transaction of `blobs`: the sidecars `blobSidecars`
 * computed for them, answered without computing anything (ethers asks on every signing, and a
 * re-sent transaction is signed again).
 */
export function ethersKzg(blobs: Uint8Array[], sidecars: BlobSidecar[]): KzgLibraryLike {
  const byBlob = new Map(blobs.map((b, i) => [hex(signedBlob(b)), sidecars[i]]));
  const sidecarOf = (blob: string) => {
    const s = byBlob.get(blob.toLowerCase());
    if (!s) throw new BlobNotPreparedError();
    return s;
  };
  return {
    blobToKzgCommitment: (blob: string) => sidecarOf(blob).commitment,
    computeBlobProof: (blob: string, commitment: string) => {
      const s = sidecarOf(blob);
      if (s.commitment.toLowerCase() !== commitment.toLowerCase()) throw new BlobNotPreparedError();
      return s.proof;
    },
  };
}
