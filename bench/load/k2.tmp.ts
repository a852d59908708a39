import { keccak256js } from "../../src/core/keccak";
import { keccak256 } from "../../src/core/hash";
import { keccak_256 } from "@noble/hashes/sha3";
for (const len of [0, 1, 32, 64, 135, 136, 137, 300, 1000]) {
  const b = Buffer.alloc(len).map((_, i) => (i * 31 + len) & 255) as Buffer;
  if (!keccak256js(b).equals(Buffer.from(keccak_256(b)))) throw new Error("mismatch at " + len);
}
for (const len of [64, 120, 4096]) {
  const b = Buffer.alloc(len, 3); const n = len > 1000 ? 5000 : 300000;
  for (const [name, f] of [["native", keccak256], ["js", keccak256js]] as const) {
    for (let i = 0; i < 5000; i++) f(b);
    const t = performance.now(); for (let i = 0; i < n; i++) f(b);
    console.log(len, name, ((performance.now() - t) * 1000 / n).toFixed(2), "us");
  }
}
