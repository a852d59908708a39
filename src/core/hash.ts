/**
 * keccak256, the one hash of Cairn (Solidity checks every path with it). hash-wasm's
 * WebAssembly keccak does the hashing: measured here ~0.7 µs for the 64-byte Merkle pairs that
 * dominate, against ~2 µs for the JavaScript implementation in ./keccak and ~5 µs for a call
 * into the native `keccak` binding (whose per-call overhead also makes it slower on 100 kB
 * batches). WebAssembly compiles asynchronously: until it is ready — the first milliseconds
 * of a process — and wherever it is unavailable, ./keccak hashes. Both give the same bytes.
 */
import { createKeccak, type IHasher } from "hash-wasm";
import { keccak256js, keccak64Into } from "./keccak";

let wasm: IHasher | null = null;

/** Resolves once the WebAssembly keccak has taken over (or failed to load, leaving JavaScript). */
export const keccakReady: Promise<void> = createKeccak(256).then(
  (hasher) => {
    wasm = hasher;
  },
  () => undefined,
);

/** keccak256 of `data`. */
export function keccak256(data: Uint8Array): Buffer {
  if (!wasm) return keccak256js(data);
  wasm.init();
  wasm.update(data);
  const digest = wasm.digest("binary");
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** Whether the WebAssembly keccak is in use. */
export function wasmKeccakLoaded(): boolean {
  return wasm !== null;
}

const pair = Buffer.alloc(64);

/** keccak256(a ‖ b) of two 32-byte words. */
export function hashPair(a: Uint8Array, b: Uint8Array): Buffer {
  pair.set(a, 0);
  pair.set(b, 32);
  return keccak256(pair);
}

/** keccak256 of the 64 bytes at `src[srcAt…]`, written to `dst[dstAt…]` (Merkle levels hash in place). */
export function hashPairInto(src: Uint8Array, srcAt: number, dst: Uint8Array, dstAt: number): void {
  if (!wasm) return keccak64Into(src, srcAt, dst, dstAt);
  wasm.init();
  wasm.update(src.subarray(srcAt, srcAt + 64));
  dst.set(wasm.digest("binary"), dstAt);
}

/** keccak256 of the two words in sorted order, as OpenZeppelin's MerkleProof and merkletreejs `sortPairs`. */
export function hashSortedPair(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.compare(a, b) <= 0 ? hashPair(a, b) : hashPair(b, a);
}
