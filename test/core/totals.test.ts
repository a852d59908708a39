import { expect } from "chai";
import fc from "fast-check";
import { L2State } from "../../src/core/state";

describe("core/state: running balance totals", () => {
  it("equal a recount after any mix of balance changes, new accounts, checkpoints and rollbacks", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("eth" as const), who: fc.nat(20), v: fc.bigInt({ min: 0n, max: 10n ** 24n }) }),
            fc.record({ op: fc.constant("token" as const), who: fc.nat(20), id: fc.nat(2), v: fc.bigInt({ min: 0n, max: 10n ** 24n }) }),
            fc.record({ op: fc.constant("checkpoint" as const) }),
            fc.record({ op: fc.constant("rollback" as const) }),
            fc.record({ op: fc.constant("release" as const) }),
            fc.record({ op: fc.constant("create" as const) }),
          ),
          { maxLength: 80 },
        ),
        (ops) => {
          const s = L2State.genesis();
          for (let t = 0; t < 3; t++) s.registerToken("0x" + String(t + 1).padStart(40, "0"));
          const open: ReturnType<L2State["checkpoint"]>[] = [];
          let created = 0;
          for (const o of ops) {
            if (o.op === "create") s.createAccount("0x" + (1000 + created++).toString(16).padStart(40, "0"));
            else if (o.op === "eth") s.setBalance(o.who % s.accountCount, o.v);
            else if (o.op === "token") s.setTokenBalance(o.who % s.accountCount, o.id, o.v);
            else if (o.op === "checkpoint") open.push(s.checkpoint());
            else if (o.op === "rollback" && open.length) s.rollback(open.splice(-1)[0]);
            else if (o.op === "release" && open.length) s.release(open.splice(-1)[0]);
            const [a, b] = [s.totals(), s.recountTotals()];
            expect(a.eth).to.equal(b.eth);
            expect([...a.tokens].sort()).to.deep.equal([...b.tokens].sort());
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
