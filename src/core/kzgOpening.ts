/**
 * Opening a blob's polynomial at a point, as EIP-4844's `compute_kzg_proof` does: the value y =
 * p(z), and the quotient (p − y) / (x − z) in evaluation form, a blob whose KZG commitment is the
 * proof. Writing the quotient out here lets any library that commits to a blob open one at a
 * chosen point — kzg-wasm commits but exports no opening — and keeps the arithmetic pure and
 * testable: a wrong quotient is a proof that L1's point-evaluation precompile refuses.
 */
import { FIELD_ELEMENTS_PER_BLOB } from "./blobLayout";
import { BLS_MODULUS, ROOT_OF_UNITY, bitReverse, blobElements, elementsToBlob, powMod } from "./blobOpening";
import { OutOfRangeError } from "./errors";

const N = FIELD_ELEMENTS_PER_BLOB;
const mod = (a: bigint) => ((a % BLS_MODULUS) + BLS_MODULUS) % BLS_MODULUS;
const inverse = (a: bigint) => powMod(a, BLS_MODULUS - 2n);

let domainCache: bigint[] | null = null;
/** ω^brp(i) for i = 0 … 4,095: the point each blob element is the polynomial's value at. */
function domain(): bigint[] {
  if (!domainCache) {
    const natural = [1n];
    for (let i = 1; i < N; i++) natural.push((natural[i - 1] * ROOT_OF_UNITY) % BLS_MODULUS);
    domainCache = natural.map((_, i) => natural[bitReverse(i, 12)]);
  }
  return domainCache;
}

/** The inverses of `values` (none zero) with one field inversion: Montgomery's trick. */
function inverses(values: bigint[]): bigint[] {
  const prefix: bigint[] = new Array(values.length);
  let acc = 1n;
  for (let i = 0; i < values.length; i++) {
    prefix[i] = acc;
    acc = (acc * values[i]) % BLS_MODULUS;
  }
  let inv = inverse(acc);
  const out: bigint[] = new Array(values.length);
  for (let i = values.length - 1; i >= 0; i--) {
    out[i] = (inv * prefix[i]) % BLS_MODULUS;
    inv = (inv * values[i]) % BLS_MODULUS;
  }
  return out;
}

/** What opening a blob at z gives: p(z), and the quotient blob whose commitment is the proof. */
export interface BlobOpening {
  y: bigint;
  quotient: Buffer;
}

/**
 * The opening of `blob` at `z` (a field element): p(z) by the barycentric formula, or the blob's
 * own element when z is a point of the domain, and the quotient (p − y) / (x − z), whose element
 * at z itself (when z is in the domain) is the limit EIP-4844's `compute_quotient_eval_within_domain` gives.
 */
export function openBlob(blob: Uint8Array, z: bigint): BlobOpening {
  if (z < 0n || z >= BLS_MODULUS) throw new OutOfRangeError(`an opening point is a field element, not ${z}`);
  const p = blobElements(blob);
  const bad = p.findIndex((e) => e >= BLS_MODULUS);
  if (bad >= 0) throw new OutOfRangeError(`blob element ${bad} is not a field element`);
  const w = domain();
  const at = w.indexOf(z);
  // 1 / (ω_i − z), with the point z itself (if it is one) left out.
  const shifts = inverses(w.map((wi, i) => (i === at ? 1n : mod(wi - z))));
  let y: bigint;
  if (at >= 0) y = p[at];
  else {
    // p(z) = (z^N − 1) / N · Σ p_i·ω_i / (z − ω_i)
    let sum = 0n;
    for (let i = 0; i < N; i++) sum = (sum + ((p[i] * w[i]) % BLS_MODULUS) * shifts[i]) % BLS_MODULUS;
    y = mod(mod(powMod(z, BigInt(N)) - 1n) * inverse(BigInt(N)) % BLS_MODULUS * mod(-sum));
  }
  const quotient = p.map((pi, i) => (i === at ? 0n : (mod(pi - y) * shifts[i]) % BLS_MODULUS));
  if (at >= 0) {
    // q(z) = Σ_{i ≠ at} (p_i − y)·ω_i / (z·(z − ω_i)), i.e. −Σ q_i·ω_i / z.
    let sum = 0n;
    for (let i = 0; i < N; i++) if (i !== at) sum = (sum + quotient[i] * w[i]) % BLS_MODULUS;
    quotient[at] = mod(-sum * inverse(z));
  }
  return { y, quotient: elementsToBlob(quotient) };
}
