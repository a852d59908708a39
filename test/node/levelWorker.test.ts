import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LevelWorker } from "../../src/node/store/levelWorker";
import { NodeStore } from "../../src/node/store/nodeStore";
import { OutOfRangeError } from "../../src/core/errors";

describe("node/levelWorker: LevelDB driven from a worker thread", () => {
  it("writes, reads in key order with limits, clears ranges, and answers in order", async () => {
    const db = await LevelWorker.open(fs.mkdtempSync(path.join(os.tmpdir(), "cairn-level-")));
    try {
      const writes = [db.putAll([{ key: "a:2", value: "two" }, { key: "a:1", value: "one" }]), db.put("a:3", "three"), db.putAll([{ key: "a:2", value: "2" }])];
      await Promise.all(writes);
      expect(await db.values({ gte: "a:", lt: "a;" })).to.deep.equal(["one", "2", "three"]);
      expect(() => db.putAll([{ key: "bad\nkey", value: "" }])).to.throw(OutOfRangeError);
      expect(await db.values({ gte: "a:", lt: "a;", limit: 1 })).to.deep.equal(["one"]);
      expect(await db.get("a:3")).to.equal("three");
      expect(await db.get("missing")).to.equal(undefined);
      await db.clear({ gte: "a:2", lt: "a;" });
      expect(await db.values({})).to.deep.equal(["one"]);
    } finally {
      await db.close();
    }
  });

  it("a second node on the same data directory is refused with a message that says so", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-level-"));
    const first = await NodeStore.open(dir, { chainId: 1n, rollup: "0x" + "11".repeat(20) });
    try {
      const second = await NodeStore.open(dir, { chainId: 1n, rollup: "0x" + "11".repeat(20) }).then(
        () => "opened",
        (e: Error) => e.message,
      );
      expect(second).to.match(/is another node using this data directory/);
    } finally {
      await first.close();
    }
  });
});
