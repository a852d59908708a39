import { expect } from "chai";
import { runChaos } from "../../scripts/chaos";
import { sizedOptions } from "../../scripts/chaos/options";

// The short slice of `npm run chaos` (a few minutes): the same attacks, 20 seconds of honest
// traffic, a flood of 800 queue entries. Progress goes to stderr only with CHAOS_LOG=1.
describe("e2e: chaos — under every attack at once, no acknowledged transaction is lost, posting never stops for good, every forced withdrawal is paid", function () {
  this.timeout(180_000);

  it("20 seconds of honest traffic through hostile token metadata, RPC floods, dropped L1 transactions, an L1 outage past the inclusion window and a queue flood during a sequencer silence", async () => {
    const log = process.env.CHAOS_LOG === "1" ? (line: string) => process.stderr.write(`[chaos] ${line}\n`) : undefined;
    const r = await runChaos(sizedOptions(20, 1, log));
    const summary = JSON.stringify({ failures: r.failures, honest: r.honestTransactions, posting: r.posting, forced: r.forcedWithdrawals }, null, 2);
    expect(r.honestTransactions.acknowledged, summary).to.be.greaterThan(100);
    expect(r.honestTransactions.lost, summary).to.equal(0);
    expect(r.honestTransactions.final, summary).to.equal(r.honestTransactions.acknowledged);
    expect(r.posting.stoppedForGood, summary).to.equal(false);
    expect(r.forcedWithdrawals.requested, summary).to.equal(2);
    expect(r.forcedWithdrawals.completed, summary).to.equal(r.forcedWithdrawals.requested);
    expect(r.failures, summary).to.deep.equal([]);
    expect(r.ok).to.equal(true);
  });
});
