import { expect } from "chai";
import { collectLogs, parseLogFilter, MAX_LOG_RANGE, logMatches } from "../../src/rpc/logs";
import type { ChainStore, L2Block } from "../../src/chain/chainStore";
import { JSONRPCErrorException } from "json-rpc-2.0";

/** A chain of empty blocks, enough to exercise range handling. */
function emptyChain(length: number): ChainStore {
  const blocks = Array.from({ length }, (_, number) => ({ number, hash: "0x" + number.toString(16).padStart(64, "0"), transactions: [] }) as unknown as L2Block);
  return { latest: blocks[length - 1], block: (n: number) => blocks[n], blockByHash: () => undefined } as unknown as ChainStore;
}

describe("rpc/logs", () => {
  it(`refuses a range of more than ${MAX_LOG_RANGE} blocks with a clear error`, () => {
    const chain = emptyChain(MAX_LOG_RANGE + 5);
    const resolve = (tag: unknown) => (typeof tag === "number" ? chain.block(tag) : chain.latest);
    expect(collectLogs(chain, parseLogFilter({ fromBlock: "0x5" }), resolve)).to.deep.equal([]);
    try {
      collectLogs(chain, parseLogFilter({ fromBlock: "0x0" }), resolve);
      expect.fail("no error");
    } catch (e) {
      expect(e).to.be.instanceOf(JSONRPCErrorException);
      expect((e as Error).message).to.match(/more than 10000 blocks/);
    }
  });

  it("matches addresses and topics position by position, null as a wildcard", () => {
    const log = { address: "0x" + "aa".repeat(20), topics: ["0x" + "01".repeat(32), "0x" + "02".repeat(32)] };
    expect(logMatches(log, parseLogFilter({ topics: [null, "0x" + "02".repeat(32)] }))).to.equal(true);
    expect(logMatches(log, parseLogFilter({ topics: [["0x" + "03".repeat(32), "0x" + "01".repeat(32)]] }))).to.equal(true);
    expect(logMatches(log, parseLogFilter({ topics: [null, null, "0x" + "02".repeat(32)] }))).to.equal(false);
    expect(logMatches(log, parseLogFilter({ address: ["0x" + "bb".repeat(20)] }))).to.equal(false);
  });
});
