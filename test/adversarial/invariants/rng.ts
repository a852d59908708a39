/**
 * A small seeded generator (mulberry32): the same seed gives the same action sequence, so a
 * failing run is reproduced by its seed alone.
 */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError("pick from an empty list");
    return xs[this.int(xs.length)];
  }

  /** A share of `total` in [0, total]: amounts that are sometimes all of it, sometimes dust. */
  share(total: bigint): bigint {
    const r = this.next();
    if (r < 0.1) return total;
    if (r < 0.2) return total > 0n ? 1n : 0n;
    return (total * BigInt(this.int(1_000_000))) / 1_000_000n;
  }

  /** A 32-bit seed for a child generator. */
  seed(): number {
    return this.int(0x1_0000_0000);
  }

  /** 32 bytes, hex: deterministic private keys for L2-only wallets. */
  key(): string {
    let out = "0x";
    for (let i = 0; i < 8; i++) out += this.int(0x1_0000_0000).toString(16).padStart(8, "0");
    // A key of all zeros (or past the curve order) is astronomically unlikely; keep it non-zero anyway.
    return out === "0x" + "0".repeat(64) ? "0x" + "0".repeat(63) + "1" : out;
  }
}
