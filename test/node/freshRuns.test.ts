import { expect } from "chai";
import { freshRuns } from "../../src/shared/schedule";

describe("node/schedule: freshRuns", () => {
  it("a call during a run gets the next run, started after it and shared by every such call; a failed run does not stop the next", async () => {
    const seen: number[] = [];
    let world = 0;
    let runs = 0;
    let release!: () => void;
    const run = freshRuns(async () => {
      runs++;
      const observed = world; // what this run read "from L1" when it started
      if (runs === 1) await new Promise<void>((r) => (release = r));
      seen.push(observed);
      if (runs === 1) throw new Error("first run fails");
    });
    const first = run().catch((e: Error) => e.message);
    world = 1; // a transaction lands while the first run is under way
    const [a, b] = [run(), run()];
    expect(a).to.equal(b);
    release();
    expect(await first).to.equal("first run fails");
    await a;
    await run.settled();
    expect(seen).to.deep.equal([0, 1]);
    expect(runs).to.equal(2);
  });
});
