/** Log queries over long L1 block ranges, cut to what public L1 nodes answer. */
/** L1 blocks one log query covers: public L1 nodes cap the range of eth_getLogs. */
export const MAX_LOG_RANGE = 5_000;

/** Runs a log query over [fromBlock, toBlock] in slices of {@link MAX_LOG_RANGE} blocks, in order. */
export async function inSlices<T>(fromBlock: number, toBlock: number, query: (from: number, to: number) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let from = fromBlock; from <= toBlock; from += MAX_LOG_RANGE) out.push(...(await query(from, Math.min(toBlock, from + MAX_LOG_RANGE - 1))));
  return out;
}
