/**
 * EIP-4844's versioned hash of a KZG commitment: what `BLOBHASH` returns and the Rollup
 * stores, so what a follower checks a fetched blob's commitment against.
 */
import { sha256 } from "@noble/hashes/sha256";
import { OutOfRangeError } from "./errors";

export const VERSIONED_HASH_VERSION_KZG = 0x01;

/** `0x01 ‖ sha256(commitment)[1:]`, as a 0x-prefixed hex string. */
export function kzgToVersionedHash(commitment: Uint8Array): string {
  if (commitment.length !== 48) throw new OutOfRangeError(`a KZG commitment is 48 bytes, not ${commitment.length}`);
  const hash = sha256(commitment);
  hash[0] = VERSIONED_HASH_VERSION_KZG;
  return "0x" + Buffer.from(hash).toString("hex");
}
