/**
 * The KZG commitments and proofs of EIP-4844 for the nodes: micro-eth-signer's pure JavaScript
 * KZG over the mainnet trusted setup that viem ships. Loading the setup takes seconds (it checks
 * every point), and a commitment or an opening about a second, checking a blob against its
 * commitment with a blob proof about 0.1 s: the nodes run all of it on the KZG worker
 * (kzgWorker.ts), off the event loop. The calling thread loads its own copy only for what ethers
 * asks when a blob was not prepared (and tests' `blobProof`).
 */
import fs from "node:fs";
import path from "node:path";
import { KZG } from "micro-eth-signer/kzg";
import type { KzgLibraryLike } from "ethers";
import { kzgToVersionedHash } from "../../core/versionedHash";
import { KzgWorker, type BlobSidecar } from "./kzgWorker";

let instance: KZG | null = null;
let worker: KzgWorker | null = null;
/** Sidecars computed ahead on the worker, by blob (hex): what `ethersKzg` answers from. */
const prepared = new Map<string, BlobSidecar>();
/** Enough for a six-blob transaction and the one before it. */
const PREPARED_KEPT = 12;

/** The setup is read by path: viem does not export the file, and its own path helper points into _cjs. */
function trustedSetupPath(): string {
  return path.join(path.dirname(require.resolve("viem/package.json")), "trusted-setups", "mainnet.json");
}

function kzg(): KZG {
  if (!instance) {
    const setup = JSON.parse(fs.readFileSync(trustedSetupPath(), "utf8")) as { g1_lagrange: string[]; g2_monomial: string[] };
    instance = new KZG({ g1_lagrange: setup.g1_lagrange, g2_monomial: setup.g2_monomial });
  }
  return instance;
}

const hex = (bytes: Uint8Array) => "0x" + Buffer.from(bytes).toString("hex");

function kzgWorker(): KzgWorker {
  worker ??= new KzgWorker(trustedSetupPath(), require.resolve("micro-eth-signer/kzg"));
  return worker;
}

/** The blob's KZG commitment (48 bytes, hex), computed on the KZG worker. */
export function blobCommitment(blob: Uint8Array): Promise<string> {
  return kzgWorker().commitment(hex(blob));
}

/** The blob proof of `blob` against its commitment, as a sidecar carries it (hex), on the calling thread. */
export function blobProof(blob: Uint8Array, commitment: string): string {
  return kzg().computeBlobProof(hex(blob), commitment);
}

/** Whether `blob` is the blob `commitment` commits to, by its blob proof (as a sidecar carries), checked on the KZG worker. */
export function verifyBlob(blob: Uint8Array, commitment: string, proof: string): Promise<boolean> {
  return kzgWorker().verify(hex(blob), commitment, proof);
}

/** The opening of the blob's polynomial at `z`: its value `y` and the proof, both hex, computed on the KZG worker. */
export function openBlobAt(blob: Uint8Array, z: bigint): Promise<{ proof: string; y: string }> {
  return kzgWorker().open(hex(blob), z);
}

/** The versioned hash `BLOBHASH` gives for a commitment given in hex. */
export function versionedHashOf(commitment: string): string {
  return kzgToVersionedHash(Buffer.from(commitment.replace(/^0x/, ""), "hex"));
}

/**
 * Computes the commitments and blob proofs of `blobs` on the KZG worker, off the event loop, so
 * that `ethersKzg` answers from them when the transaction is signed (and signed again, on every
 * re-send). Call it before sending a blob transaction.
 */
export async function prepareBlobs(blobs: Uint8Array[]): Promise<void> {
  const todo = blobs.map(hex).filter((b) => !prepared.has(b));
  if (todo.length === 0) return;
  const sidecars = await kzgWorker().sidecars(todo);
  todo.forEach((b, i) => prepared.set(b, sidecars[i]));
  for (const b of prepared.keys()) if (prepared.size > PREPARED_KEPT) prepared.delete(b);
}

/**
 * What ethers needs to sign a type-3 transaction with its blobs' commitments and proofs: the
 * sidecars `prepareBlobs` computed, else computed here (on the calling thread).
 */
export function ethersKzg(): KzgLibraryLike {
  const key = (blob: string) => blob.toLowerCase();
  return {
    blobToKzgCommitment: (blob: string) => prepared.get(key(blob))?.commitment ?? kzg().blobToKzgCommitment(blob),
    computeBlobProof: (blob: string, commitment: string) => {
      const p = prepared.get(key(blob));
      return p && p.commitment.toLowerCase() === commitment.toLowerCase() ? p.proof : kzg().computeBlobProof(blob, commitment);
    },
  };
}
