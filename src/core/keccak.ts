/**
 * keccak256 in plain JavaScript: what hashes until the WebAssembly keccak of ./hash is compiled
 * (and wherever WebAssembly is unavailable). Tuned for short inputs (two 32-byte words of a
 * Merkle path, a transaction's fields): state lanes are 32-bit halves, and nothing is allocated
 * per hash but the 32-byte result.
 */

// Round constants, as [lo, hi] 32-bit halves.
const RC = new Uint32Array([
  0x00000001, 0x00000000, 0x00008082, 0x00000000, 0x0000808a, 0x80000000, 0x80008000, 0x80000000, 0x0000808b, 0x00000000, 0x80000001, 0x00000000,
  0x80008081, 0x80000000, 0x00008009, 0x80000000, 0x0000008a, 0x00000000, 0x00000088, 0x00000000, 0x80008009, 0x00000000, 0x8000000a, 0x00000000,
  0x8000808b, 0x00000000, 0x0000008b, 0x80000000, 0x00008089, 0x80000000, 0x00008003, 0x80000000, 0x00008002, 0x80000000, 0x00000080, 0x80000000,
  0x0000800a, 0x00000000, 0x8000000a, 0x80000000, 0x80008081, 0x80000000, 0x00008080, 0x80000000, 0x80000001, 0x00000000, 0x80008008, 0x80000000,
]);

// For lane i = x + 5y: its rotation, and where rho-pi moves it (lane y + 5((2x + 3y) mod 5)).
const ROT = new Uint8Array(25);
const DEST = new Uint8Array(25);
{
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    ROT[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  for (let xx = 0; xx < 5; xx++) for (let yy = 0; yy < 5; yy++) DEST[xx + 5 * yy] = yy + 5 * ((2 * xx + 3 * yy) % 5);
}

const lo = new Int32Array(25);
const hi = new Int32Array(25);

/**
 * The permutation, generated once as straight-line code over 100 local variables (a lane's
 * halves before and after rho-pi): V8 keeps them in registers, which loops over typed arrays
 * with per-lane rotation branches do not allow. Generated rather than written out because the
 * unrolled text is 600 lines of index arithmetic nobody should review by hand.
 */
const permute = ((): (() => void) => {
  const L = (i: number) => `l${i}`;
  const H = (i: number) => `h${i}`;
  const code: string[] = [];
  for (let i = 0; i < 25; i++) code.push(`let ${L(i)} = lo[${i}], ${H(i)} = hi[${i}];`);
  code.push("let " + Array.from({ length: 25 }, (_, i) => `bl${i}, bh${i}`).join(", ") + ";");
  code.push("let " + Array.from({ length: 5 }, (_, x) => `cl${x}, ch${x}, dl${x}, dh${x}`).join(", ") + ";");
  code.push("for (let r = 0; r < 48; r += 2) {");
  for (let x = 0; x < 5; x++) {
    code.push(`cl${x} = ${[0, 5, 10, 15, 20].map((y) => L(x + y)).join(" ^ ")}; ch${x} = ${[0, 5, 10, 15, 20].map((y) => H(x + y)).join(" ^ ")};`);
  }
  for (let x = 0; x < 5; x++) {
    const p = (x + 4) % 5;
    const n = (x + 1) % 5;
    code.push(`dl${x} = cl${p} ^ ((cl${n} << 1) | (ch${n} >>> 31)); dh${x} = ch${p} ^ ((ch${n} << 1) | (cl${n} >>> 31));`);
  }
  for (let i = 0; i < 25; i++) {
    const x = i % 5;
    const d = DEST[i];
    const n = ROT[i];
    const l = `(${L(i)} ^ dl${x})`;
    const h = `(${H(i)} ^ dh${x})`;
    if (n === 0) code.push(`bl${d} = ${l}; bh${d} = ${h};`);
    else if (n < 32) code.push(`{ const a = ${l}, b = ${h}; bl${d} = (a << ${n}) | (b >>> ${32 - n}); bh${d} = (b << ${n}) | (a >>> ${32 - n}); }`);
    else if (n === 32) code.push(`bl${d} = ${h}; bh${d} = ${l};`);
    else code.push(`{ const a = ${l}, b = ${h}; bl${d} = (b << ${n - 32}) | (a >>> ${64 - n}); bh${d} = (a << ${n - 32}) | (b >>> ${64 - n}); }`);
  }
  for (let y = 0; y < 25; y += 5) {
    for (let x = 0; x < 5; x++) {
      const a = y + x;
      const b = y + ((x + 1) % 5);
      const c = y + ((x + 2) % 5);
      code.push(`${L(a)} = bl${a} ^ (~bl${b} & bl${c}); ${H(a)} = bh${a} ^ (~bh${b} & bh${c});`);
    }
  }
  code.push(`l0 ^= RC[r]; h0 ^= RC[r + 1];`);
  code.push("}");
  for (let i = 0; i < 25; i++) code.push(`lo[${i}] = ${L(i)}; hi[${i}] = ${H(i)};`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function("lo", "hi", "RC", code.join("\n")).bind(null, lo, hi, RC) as () => void;
})();

const RATE = 136;
const block = new Uint8Array(RATE);

function absorb(bytes: Uint8Array, at: number): void {
  for (let w = 0; w < 17; w++) {
    const p = at + 8 * w;
    lo[w] ^= bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
    hi[w] ^= bytes[p + 4] | (bytes[p + 5] << 8) | (bytes[p + 6] << 16) | (bytes[p + 7] << 24);
  }
  permute();
}

/** keccak256 (the original padding, as Ethereum uses) of `data`. */
export function keccak256js(data: Uint8Array): Buffer {
  lo.fill(0);
  hi.fill(0);
  let at = 0;
  for (; at + RATE <= data.length; at += RATE) absorb(data, at);
  block.fill(0);
  block.set(data.subarray(at));
  block[data.length - at] ^= 0x01;
  block[RATE - 1] ^= 0x80;
  absorb(block, 0);
  const out = Buffer.allocUnsafe(32);
  for (let w = 0; w < 4; w++) {
    out.writeInt32LE(lo[w], 8 * w);
    out.writeInt32LE(hi[w], 8 * w + 4);
  }
  return out;
}

/**
 * keccak256 of the 64 bytes at `src[srcAt…]` (two words of a Merkle tree), written to
 * `dst[dstAt…]`: one block, read in place and written in place, nothing allocated.
 */
export function keccak64Into(src: Uint8Array, srcAt: number, dst: Uint8Array, dstAt: number): void {
  lo.fill(0);
  hi.fill(0);
  for (let w = 0; w < 8; w++) {
    const p = srcAt + 8 * w;
    lo[w] = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
    hi[w] = src[p + 4] | (src[p + 5] << 8) | (src[p + 6] << 16) | (src[p + 7] << 24);
  }
  lo[8] = 0x01; // padding: the byte after the input, and the rate's last bit
  hi[16] = 0x80000000 | 0;
  permute();
  for (let w = 0; w < 4; w++) {
    const l = lo[w];
    const h = hi[w];
    const p = dstAt + 8 * w;
    dst[p] = l;
    dst[p + 1] = l >>> 8;
    dst[p + 2] = l >>> 16;
    dst[p + 3] = l >>> 24;
    dst[p + 4] = h;
    dst[p + 5] = h >>> 8;
    dst[p + 6] = h >>> 16;
    dst[p + 7] = h >>> 24;
  }
}
