import { expect } from "chai";
import { StateTurns } from "../../src/chain/stateTurns";
import { OverloadedError } from "../../src/core/errors";

/** A task that records its start and end in `log` and ends when `release()` is called. */
function gated(log: string[], name: string) {
  let release!: () => void;
  const ended = new Promise<void>((r) => (release = r));
  const task = async () => {
    log.push(`${name}+`);
    await ended;
    log.push(`${name}-`);
    return name;
  };
  return { task, release };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe("chain: turns at the live state (reads side by side, changes alone, changes first)", () => {
  it("runs reads side by side up to the cap; the next waits for one to end", async () => {
    const turns = new StateTurns({ readers: 2, queuedReaders: 8 });
    const log: string[] = [];
    const [a, b, c] = ["a", "b", "c"].map((n) => gated(log, n));
    const done = [turns.read(a.task), turns.read(b.task), turns.read(c.task)];
    await settle();
    expect(log).to.deep.equal(["a+", "b+"]);
    a.release();
    await settle();
    expect(log).to.deep.equal(["a+", "b+", "a-", "c+"]);
    b.release();
    c.release();
    expect(await Promise.all(done)).to.deep.equal(["a", "b", "c"]);
  });

  it("a change waits for the reads under way, and reads asked for after it wait for it: a stream of reads cannot hold a change back", async () => {
    const turns = new StateTurns({ readers: 2, queuedReaders: 8 });
    const log: string[] = [];
    const r1 = gated(log, "r1");
    const w = gated(log, "w");
    const r2 = gated(log, "r2");
    const done = [turns.read(r1.task), turns.write(w.task), turns.read(r2.task)];
    await settle();
    // r2 would fit under the cap, but a change is waiting.
    expect(log).to.deep.equal(["r1+"]);
    r1.release();
    await settle();
    expect(log).to.deep.equal(["r1+", "r1-", "w+"]);
    w.release();
    await settle();
    expect(log).to.deep.equal(["r1+", "r1-", "w+", "w-", "r2+"]);
    r2.release();
    await Promise.all(done);
  });

  it("changes run one at a time, in the order asked, never beside a read", async () => {
    const turns = new StateTurns({ readers: 4, queuedReaders: 8 });
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    const change = (name: string) => () =>
      turns.write(async () => {
        inside++;
        most = Math.max(most, inside);
        log.push(name);
        await settle();
        inside--;
      });
    const read = () => turns.read(async () => {
      expect(inside, "a read beside a change").to.equal(0);
      await settle();
    });
    await Promise.all([change("w1")(), read(), change("w2")(), read(), change("w3")()]);
    expect(log).to.deep.equal(["w1", "w2", "w3"]);
    expect(most).to.equal(1);
  });

  it("a task that throws gives its turn back", async () => {
    const turns = new StateTurns({ readers: 1, queuedReaders: 8 });
    const failing = () => Promise.reject(new OverloadedError("boom"));
    await turns.read(failing).then(() => expect.fail("resolved"), () => undefined);
    await turns.write(failing).then(() => expect.fail("resolved"), () => undefined);
    expect(await turns.write(async () => "w")).to.equal("w");
    expect(await turns.read(async () => "r")).to.equal("r");
  });

  it("refuses a read at once (OverloadedError) past the queue limit, and the others still run", async () => {
    const turns = new StateTurns({ readers: 1, queuedReaders: 2 });
    const log: string[] = [];
    const held = gated(log, "held");
    const running = turns.read(held.task);
    const queued = [turns.read(async () => 1), turns.read(async () => 2)];
    let refused: unknown = null;
    await turns.read(async () => 3).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(OverloadedError);
    held.release();
    expect(await Promise.all([running, ...queued])).to.deep.equal(["held", 1, 2]);
  });
});
