import inspector from "node:inspector";
import fs from "node:fs";
import { fundedState, signTransfers, CHAIN_ID, BASE_FEE } from "../workload";
import { parseRawTransaction } from "../../src/core/intake";
import { BlockBuilder, BlockFullError } from "../../src/core/blockBuilder";
(async () => {
  const w = fundedState(10_000, 42);
  const txs = await signTransfers(w, 8000, "eth", 7, "0x" + "00".repeat(20));
  const s = new inspector.Session(); s.connect();
  const post = (m: string, p?: object) => new Promise<any>((res, rej) => s.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
  await post("Profiler.enable"); await post("Profiler.start");
  const t = performance.now();
  let b = new BlockBuilder(w.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: () => undefined });
  for (const x of txs) {
    const p = parseRawTransaction(x.raw, CHAIN_ID);
    try { b.addTransaction(p); } catch (e) {
      if (!(e instanceof BlockFullError)) throw e;
      b.seal(1);
      b = new BlockBuilder(w.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: () => undefined });
      b.addTransaction(p);
    }
  }
  console.log("per tx us", ((performance.now() - t) * 1000 / txs.length).toFixed(1));
  const { profile } = await post("Profiler.stop");
  fs.writeFileSync("/tmp/micro.cpuprofile", JSON.stringify(profile));
})();
