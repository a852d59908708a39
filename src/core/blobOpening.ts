/**
 * The field arithmetic behind opening a blob's payload on L1 in one transaction (BlobData.sol
 * checks what this builds). A blob is p(x) in evaluation form: element i is p(ω^brp(i)), ω a
 * primitive 4,096th root of unity of the BLS12-381 scalar field, brp the 12-bit reversal. Its
 * first 2,048 elements are p on the subgroup H of order 2,048. Writing p's coefficients as
 * A(x) + x^2048·B(x), p = (x^2048 − 1)·B + (A + B): the quotient by the vanishing polynomial of
 * H is q = B, and the remainder I = A + B is what the values on H interpolate to. The prover
 * commits to q (as a blob of its evaluations, so any KZG library commits to it), and L1 checks
 * p(z) = q(z)·(z^2048 − 1) + I(z) at a challenge z fixed after the commitment and the values.
 */
import { keccak256 } from "./hash";
import { BLOB_PAYLOAD_ELEMENTS, BYTES_PER_BLOB, BYTES_PER_ELEMENT_PAYLOAD, BLOB_HEADER_BYTES, BLOB_ENVELOPE_CAPACITY, BLOB_LAYOUT_VERSION, FIELD_ELEMENTS_PER_BLOB } from "./blobLayout";
import { OutOfRangeError } from "./errors";

export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/** base^exponent in the BLS12-381 scalar field. */
export function powMod(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % BLS_MODULUS;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % BLS_MODULUS;
    b = (b * b) % BLS_MODULUS;
  }
  return result;
}

/** EIP-4844's root of unity: 7^((r − 1) / 4,096). */
export const ROOT_OF_UNITY = powMod(7n, (BLS_MODULUS - 1n) / 4096n);

/** `i`'s lowest `bits` bits in reverse order: where EIP-4844 puts the element of ω^i in a blob. */
export function bitReverse(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++, i >>= 1) r = (r << 1) | (i & 1);
  return r;
}

/** Evaluations at ω^0 … ω^(n−1) of the polynomial with coefficients `a` (or, with ω^-1 and a 1/n, the inverse). */
function transform(a: bigint[], omega: bigint): bigint[] {
  const n = a.length;
  const bits = Math.log2(n);
  const out = a.map((_, i) => a[bitReverse(i, bits)]);
  for (let size = 2; size <= n; size *= 2) {
    const step = powMod(omega, BigInt(n / size));
    for (let start = 0; start < n; start += size) {
      let w = 1n;
      for (let k = 0; k < size / 2; k++) {
        const u = out[start + k];
        const v = (out[start + k + size / 2] * w) % BLS_MODULUS;
        out[start + k] = (u + v) % BLS_MODULUS;
        out[start + k + size / 2] = (u - v + BLS_MODULUS) % BLS_MODULUS;
        w = (w * step) % BLS_MODULUS;
      }
    }
  }
  return out;
}

/** The blob's 4,096 elements as field elements, in blob order. */
export function blobElements(blob: Uint8Array): bigint[] {
  if (blob.length !== BYTES_PER_BLOB) throw new OutOfRangeError(`a blob is ${BYTES_PER_BLOB} bytes, not ${blob.length}`);
  return Array.from({ length: FIELD_ELEMENTS_PER_BLOB }, (_, i) => BigInt("0x" + Buffer.from(blob.subarray(32 * i, 32 * i + 32)).toString("hex")));
}

/** A blob of `values` (field elements, in blob order). */
export function elementsToBlob(values: bigint[]): Buffer {
  const blob = Buffer.alloc(BYTES_PER_BLOB);
  values.forEach((v, i) => blob.write(v.toString(16).padStart(64, "0"), 32 * i, "hex"));
  return blob;
}

/** p's coefficients from the blob (its evaluations in bit-reversed order). */
function coefficients(blob: Uint8Array): bigint[] {
  const d = blobElements(blob);
  const natural = d.map((_, k) => d[bitReverse(k, 12)]);
  const inverseN = powMod(BigInt(FIELD_ELEMENTS_PER_BLOB), BLS_MODULUS - 2n);
  return transform(natural, powMod(ROOT_OF_UNITY, BLS_MODULUS - 2n)).map((c) => (c * inverseN) % BLS_MODULUS);
}

/** The quotient q = (p − I) / (x^2048 − 1) as a blob (its evaluations, bit-reversed), ready to commit to and open. */
export function quotientBlob(blob: Uint8Array): Buffer {
  const a = coefficients(blob);
  const q = a.map((_, k) => (k < BLOB_PAYLOAD_ELEMENTS ? a[k + BLOB_PAYLOAD_ELEMENTS] : 0n));
  const natural = transform(q, ROOT_OF_UNITY);
  return elementsToBlob(natural.map((_, i) => natural[bitReverse(i, 12)]));
}

/** The first `n` elements of a blob as L1 takes them: their top bytes, and their low 31 bytes concatenated. */
export interface PayloadPrefix {
  topBytes: Buffer;
  stream: Buffer;
}

/**
 * The shortest prefix of the payload elements a proof must send: through the last non-zero
 * element, and through the envelope the header declares when it declares one that fits.
 */
export function payloadPrefix(blob: Uint8Array): PayloadPrefix {
  let n = 0;
  for (let i = BLOB_PAYLOAD_ELEMENTS - 1; i >= 0 && n === 0; i--) {
    if (blob.subarray(32 * i, 32 * i + 32).some((b) => b !== 0)) n = i + 1;
  }
  if (blob[0] === 0 && blob[1] === BLOB_LAYOUT_VERSION) {
    const length = (blob[2] << 16) | (blob[3] << 8) | blob[4];
    if (length <= BLOB_ENVELOPE_CAPACITY) n = Math.max(n, Math.ceil((BLOB_HEADER_BYTES + length) / BYTES_PER_ELEMENT_PAYLOAD));
  }
  const topBytes = Buffer.alloc(n);
  const stream = Buffer.alloc(n * BYTES_PER_ELEMENT_PAYLOAD);
  for (let i = 0; i < n; i++) {
    topBytes[i] = blob[32 * i];
    stream.set(blob.subarray(32 * i + 1, 32 * i + 32), BYTES_PER_ELEMENT_PAYLOAD * i);
  }
  return { topBytes, stream };
}

/** BlobData's challenge: keccak256(versionedHash ‖ quotient commitment ‖ keccak(topBytes) ‖ keccak(stream)) mod r. */
export function blobChallenge(versionedHash: string, quotientCommitment: string, prefix: PayloadPrefix): bigint {
  const bytes = (h: string) => Buffer.from(h.replace(/^0x/, ""), "hex");
  const digest = keccak256(Buffer.concat([bytes(versionedHash), bytes(quotientCommitment), keccak256(prefix.topBytes), keccak256(prefix.stream)]));
  return BigInt("0x" + digest.toString("hex")) % BLS_MODULUS;
}
