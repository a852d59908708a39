/**
 * keccak256, the one hash of Cairn (Solidity checks every path with it). Short inputs — Merkle
 * pairs, transaction fields, almost every hash Cairn computes — go to the JavaScript
 * implementation in ./keccak, ~2.5x faster there than a call into the native binding; long
 * ones (batches, commitments) to the native binding, ~3x faster there. Without the binding,
 * everything is hashed in JavaScript.
 */
import { keccak256js } from "./keccak";

type Hasher = (data: Uint8Array) => Buffer;

function loadNative(): Hasher | null {
  try {
    // The keccak package wraps its native state in a stream per hash; for millions of 64-byte
    // hashes that wrapper costs more than the hashing, so drive the native state directly.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require("node:path") as typeof import("node:path");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const KeccakState = (require("node-gyp-build") as (dir: string) => new () => NativeKeccak)(path.dirname(require.resolve("keccak/package.json")));
    const hash: Hasher = (data) => {
      const state = new KeccakState();
      state.initialize(1088, 512);
      state.absorb(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      state.absorbLastFewBits(0x01);
      return state.squeeze(32);
    };
    const probe = hash(Buffer.alloc(0)).toString("hex");
    return probe === "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" ? hash : null;
  } catch {
    return null;
  }
}

interface NativeKeccak {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

const nativeKeccak = loadNative();
/** Below this many bytes the JavaScript keccak beats the native call (measured: 2.0 vs 5.2 µs at 64 bytes, 55 vs 18 µs at 4 kB). */
const NATIVE_FROM_BYTES = 512;

/** keccak256 of `data`. */
export const keccak256: Hasher = nativeKeccak ? (data) => (data.length < NATIVE_FROM_BYTES ? keccak256js(data) : nativeKeccak(data)) : keccak256js;

/** Whether the native keccak binding is in use. */
export const nativeKeccakLoaded = nativeKeccak !== null;

const pair = Buffer.alloc(64);

/** keccak256(a ‖ b) of two 32-byte words. */
export function hashPair(a: Uint8Array, b: Uint8Array): Buffer {
  pair.set(a, 0);
  pair.set(b, 32);
  return keccak256js(pair);
}

/** keccak256 of the two words in sorted order, as OpenZeppelin's MerkleProof and merkletreejs `sortPairs`. */
export function hashSortedPair(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.compare(a, b) <= 0 ? hashPair(a, b) : hashPair(b, a);
}
