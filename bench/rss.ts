/** Child process of `npm run bench`: peak RSS of an L2State holding N funded accounts. */
import { L2State } from "../src/core/state";

const n = Number(process.argv[2] ?? 1_000_000);
const state = L2State.genesis();
state.registerToken("0x00000000000000000000000000000000000c0ffe");
let peak = 0;
for (let i = 0; i < n; i++) {
  const index = state.createAccount("0x" + (0x10000000 + i).toString(16).padStart(40, "0"));
  state.setBalance(index, 10n ** 18n + BigInt(i));
  if (i % 10 === 0) state.setTokenBalance(index, 0, BigInt(i));
  if (i % 100_000 === 0) {
    state.root();
    peak = Math.max(peak, process.memoryUsage().rss);
  }
}
const root = state.root().toString("hex");
peak = Math.max(peak, process.memoryUsage().rss);
process.stdout.write(JSON.stringify({ accounts: state.accountCount, peakRssMb: Math.round(peak / 2 ** 20), root }) + "\n");
