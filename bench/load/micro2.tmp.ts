import { fundedState, signTransfers, CHAIN_ID } from "../workload";
import { rlpDecode } from "../../src/core/rlp";
import { rawTransaction, signingHash, recoverSigner, isCanonicalSignature } from "../../src/core/txSigning";
import { keccak256 } from "../../src/core/hash";
(async () => {
  const w = fundedState(2_000, 42);
  const txs = await signTransfers(w, 8000, "eth", 7, "0x" + "00".repeat(20));
  const time = (name: string, f: (i: number) => unknown) => { for (let i = 0; i < 2000; i++) f(i); const t = performance.now(); for (let i = 0; i < txs.length; i++) f(i); console.log(name.padEnd(16), ((performance.now() - t) * 1000 / txs.length).toFixed(1), "us"); };
  const bytes = txs.map((x) => Buffer.from(x.raw.slice(2), "hex"));
  time("hex->buf", (i) => Buffer.from(txs[i].raw.slice(2), "hex"));
  time("rlpDecode", (i) => rlpDecode(bytes[i], 1));
  time("rawTransaction", (i) => rawTransaction(txs[i].parsed, txs[i].parsed.sig));
  time("signingHash", (i) => signingHash(txs[i].parsed));
  time("canonical", (i) => isCanonicalSignature(txs[i].parsed.sig));
  time("recover", (i) => recoverSigner(txs[i].parsed.signingHash, txs[i].parsed.sig));
  time("keccak raw", (i) => keccak256(bytes[i]));
})();
