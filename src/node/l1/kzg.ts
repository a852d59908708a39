/**
 * The KZG commitments and proofs of EIP-4844 for the nodes: micro-eth-signer's pure JavaScript
 * KZG over the mainnet trusted setup that viem ships. Loading the setup takes seconds (it checks
 * every point), so it happens once per process, on first use; a commitment or an opening takes
 * about a second, checking a blob against its commitment with a blob proof about 0.1 s.
 */
import fs from "node:fs";
import path from "node:path";
import { KZG } from "micro-eth-signer/kzg";
import type { KzgLibraryLike } from "ethers";
import { kzgToVersionedHash } from "../../core/versionedHash";

let instance: KZG | null = null;

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

/** The blob's KZG commitment (48 bytes, hex). */
export function blobCommitment(blob: Uint8Array): string {
  return kzg().blobToKzgCommitment(hex(blob));
}

/** The blob proof of `blob` against its commitment, as a sidecar carries it (hex). */
export function blobProof(blob: Uint8Array, commitment: string): string {
  return kzg().computeBlobProof(hex(blob), commitment);
}

/** Whether `blob` is the blob `commitment` commits to, by its blob proof (as a sidecar carries). */
export function verifyBlob(blob: Uint8Array, commitment: string, proof: string): boolean {
  try {
    return kzg().verifyBlobProof(hex(blob), commitment, proof);
  } catch {
    // Bytes that are not field elements or points: not the blob, whatever the library's reason.
    return false;
  }
}

/** The opening of the blob's polynomial at `z`: its value `y` and the proof, both hex. */
export function openBlobAt(blob: Uint8Array, z: bigint): { proof: string; y: string } {
  const [proof, y] = kzg().computeProof(hex(blob), z);
  return { proof, y };
}

/** The versioned hash `BLOBHASH` gives for a commitment given in hex. */
export function versionedHashOf(commitment: string): string {
  return kzgToVersionedHash(Buffer.from(commitment.replace(/^0x/, ""), "hex"));
}

/** What ethers needs to sign a type-3 transaction with its blobs' commitments and proofs. */
export function ethersKzg(): KzgLibraryLike {
  return {
    blobToKzgCommitment: (blob: string) => kzg().blobToKzgCommitment(blob),
    computeBlobProof: (blob: string, commitment: string) => kzg().computeBlobProof(blob, commitment),
  };
}
