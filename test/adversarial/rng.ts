/**
 * A small seeded random source for the adversarial suite. Every case draws from its own Rng,
 * derived from the run's seed and the case's number, so one case can be generated again alone
 * (`FUZZ_SEED=<seed> FUZZ_ONLY=<case>`) without replaying the cases before it.
 */
import { keccak256, toUtf8Bytes } from "ethers";

export const MAX_UINT256 = (1n << 256n) - 1n;

/** Bit widths the extreme-value pickers favour: the edges of every integer type in play. */
const EDGE_WIDTHS = [0, 1, 2, 7, 8, 14, 15, 16, 21, 24, 28, 31, 32, 40, 53, 63, 64, 96, 127, 128, 160, 192, 240, 241, 242, 243, 248, 254, 255, 256];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** An Rng for case `index` of the run seeded `seed`. */
  static forCase(seed: string, index: number): Rng {
    return new Rng(`${seed}/${index}`);
  }

  constructor(label: string) {
    const h = Buffer.from(keccak256(toUtf8Bytes(label)).slice(2), "hex");
    this.a = h.readUInt32BE(0);
    this.b = h.readUInt32BE(4);
    this.c = h.readUInt32BE(8);
    this.d = h.readUInt32BE(12) | 1;
  }

  /** sfc32: fast, well distributed, 128 bits of state. */
  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (n <= 0) return 0;
    return Math.floor((this.next32() / 2 ** 32) * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next32() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One of `choices`, each with its weight. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    const total = choices.reduce((s, [w]) => s + w, 0);
    let r = this.int(total);
    for (const [w, v] of choices) {
      if (r < w) return v;
      r -= w;
    }
    return choices[choices.length - 1][1];
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.next32() & 0xff;
    return out;
  }

  /** A uniformly random integer below 2^bits. */
  bits(bits: number): bigint {
    if (bits <= 0) return 0n;
    const hex = this.bytes(Math.ceil(bits / 8)).toString("hex");
    return BigInt("0x" + hex) & ((1n << BigInt(bits)) - 1n);
  }

  /** A bigint in [lo, hi]. */
  bigintIn(lo: bigint, hi: bigint): bigint {
    if (hi <= lo) return lo;
    const span = hi - lo;
    return lo + (this.bits(span.toString(2).length + 8) % (span + 1n));
  }

  /**
   * An extreme value of a field at most `maxBits` wide: 0, 1, 2^k − 1, 2^k, 2^k + 1 or a random
   * value of k bits, with k mostly at a type boundary. Values above `cap` are clamped to it.
   */
  extreme(maxBits = 256, cap = MAX_UINT256): bigint {
    const widths = EDGE_WIDTHS.filter((k) => k <= maxBits);
    const k = this.chance(0.8) ? this.pick(widths) : this.range(0, maxBits);
    const p = 1n << BigInt(k);
    // Powers of ten too: the amount codec's exponent saturates at 31, its mantissa at 32 bytes.
    const ten = 10n ** BigInt(this.range(0, 77));
    const v = this.weighted<bigint>([
      [1, 0n],
      [1, 1n],
      [4, p - 1n],
      [3, p],
      [1, p + 1n],
      [2, this.bits(k)],
      [1, ten],
      [1, ten - 1n],
      [1, ten + 1n],
    ]);
    return v > cap ? cap : v;
  }

  /** A 20-byte address, lower case. */
  address(): string {
    return "0x" + this.bytes(20).toString("hex");
  }
}
