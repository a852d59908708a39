import { expect } from "chai";
import { runCrashTest } from "../../scripts/crashTest";

// The small version of `npm run test:crash` (which kills 20 times): the same harness, fewer kills.
describe("e2e: a sequencer SIGKILLed under load loses and duplicates nothing it acknowledged", function () {
  this.timeout(300_000);

  it("4 kills and restarts: every acknowledged transfer once in the chain, no batch posted twice, a replica's roots equal, restarts from the store", async () => {
    const r = await runCrashTest({ kills: 4, senders: 8, seed: 3, upMs: [300, 1_500] });
    expect(r.kills).to.equal(4);
    expect(r.acknowledged).to.be.greaterThan(100);
    expect(r, JSON.stringify(r)).to.include({ lost: 0, duplicated: 0, batchesPostedTwice: 0, rootMismatches: 0, ok: true });
    expect(r.rootsChecked).to.equal(r.batches);
    // Every restart came up from the node's store, not by replaying L1.
    expect(r.startups).to.deep.equal({ fromStore: 4, rebuilt: 0 });
  });
});
