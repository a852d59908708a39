import { keccak_256 } from "@noble/hashes/sha3";
import { keccak256 } from "../../src/core/hash";
const b64 = Buffer.alloc(64, 7), b120 = Buffer.alloc(120, 9), b4k = Buffer.alloc(4096, 1);
for (const [name, buf] of [["64", b64], ["120", b120], ["4k", b4k]] as const) {
  for (const [impl, f] of [["native", keccak256], ["noble", keccak_256]] as const) {
    const n = name === "4k" ? 5000 : 200000;
    for (let i = 0; i < 1000; i++) f(buf);
    const t = performance.now(); for (let i = 0; i < n; i++) f(buf);
    console.log(name, impl, ((performance.now() - t) * 1000 / n).toFixed(2), "us");
  }
}
