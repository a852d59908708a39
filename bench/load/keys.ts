/** The load generator's senders: deterministic keys, so the parent can fund what the child signs with. */
import secp256k1 from "secp256k1";
import { keccak256 } from "../../src/core/hash";
import { bytesToAddress } from "../../src/core/bytes";

export interface LoadKey {
  privateKey: Buffer;
  address: string;
}

export function loadKeys(count: number, seed: number): LoadKey[] {
  return Array.from({ length: count }, (_, i) => {
    const privateKey = keccak256(Buffer.from(`cairn-load-${seed}-${i}`));
    const pub = secp256k1.publicKeyCreate(privateKey, false);
    return { privateKey, address: bytesToAddress(keccak256(Buffer.from(pub).subarray(1)).subarray(12)) };
  });
}
