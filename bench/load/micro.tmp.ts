import { fundedState, signTransfers, CHAIN_ID, BASE_FEE } from "../workload";
import { parseRawTransaction } from "../../src/core/intake";
import { BlockBuilder } from "../../src/core/blockBuilder";
import { BlockFullError } from "../../src/core/blockBuilder";
(async () => {
  const w = fundedState(10_000, 42);
  const txs = await signTransfers(w, 8000, "eth", 7, "0x" + "00".repeat(20));
  let t = performance.now();
  const parsed = txs.map((x) => parseRawTransaction(x.raw, CHAIN_ID));
  const parseMs = performance.now() - t;
  t = performance.now();
  let b = new BlockBuilder(w.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: () => undefined });
  let seal = 0;
  for (const p of parsed) {
    try { b.addTransaction(p); } catch (e) {
      if (!(e instanceof BlockFullError)) throw e;
      const s0 = performance.now(); b.seal(1); seal += performance.now() - s0;
      b = new BlockBuilder(w.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: () => undefined });
      b.addTransaction(p);
    }
  }
  const applyMs = performance.now() - t;
  console.log({ n: parsed.length, parsePerTxUs: (parseMs * 1000 / parsed.length).toFixed(1), applyPerTxUs: ((applyMs - seal) * 1000 / parsed.length).toFixed(1), sealPerTxUs: (seal * 1000 / parsed.length).toFixed(1) });
})();
