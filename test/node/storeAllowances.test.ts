/**
 * The node store keeps the allowances each account gave (issue 15, item 2): an account record
 * carries them, a store reopened restores them into the same state root, and a store of the
 * format before allowances — whose roots hash 92-byte leaves — is cleared and rebuilt from L1
 * rather than loaded wrong.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ClassicLevel } from "classic-level";
import { L2State } from "../../src/core/state";
import { keccakReady } from "../../src/core/hash";
import { allowanceKey } from "../../src/core/allowanceTree";
import { NodeStore } from "../../src/node/store/nodeStore";
import { accountFromRecord, accountRecord } from "../../src/node/store/records";

const MAX = 2n ** 256n - 1n;
const identity = { chainId: 51730n, rollup: "0x" + "12".repeat(20) };

/** A state whose account 1 gave allowances of two tokens, one infinite, to spenders with 24-bit indices. */
function stateWithAllowances(): L2State {
  const s = L2State.genesis();
  s.registerToken("0x" + "aa".repeat(20));
  s.registerToken("0x" + "bb".repeat(20));
  const owner = s.createAccount("0x" + "01".repeat(20));
  const spender = s.createAccount("0x" + "02".repeat(20));
  s.setBalance(owner, 10n ** 18n);
  s.setTokenBalance(owner, 1, 500n);
  s.setAllowance(owner, 0, spender, 7n);
  s.setAllowance(owner, 1, spender, MAX);
  s.setAllowance(owner, 1, 0, 3n);
  return s;
}

describe("node/store: allowances are kept", () => {
  before(() => keccakReady);

  it("an account record round-trips its allowances (48-bit keys, amounts to 2^256 − 1); one without any is the record it always was", () => {
    const given = new Map([[allowanceKey(2 ** 24 - 1, 2 ** 24 - 1), MAX], [allowanceKey(0, 5), 1n]]);
    const account = { address: "0x" + "ab".repeat(20), nonce: 3n, balance: 9n, tokens: new Map([[1, 2n]]), allowances: given };
    expect(accountFromRecord(accountRecord(account))).to.deep.equal({ ...account, tokens: [...account.tokens], allowances: [...given] });
    const none = { ...account, allowances: new Map<number, bigint>() };
    expect(accountRecord(none)).to.equal(JSON.stringify([none.address, "3", "9", [[1, "2"]]]));
    expect(accountFromRecord(accountRecord(none))).to.not.have.property("allowances");
  });

  it("a store reopened restores every allowance into the same state root", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-allowance-store-"));
    try {
      const s = stateWithAllowances();
      s.trackChanges(true);
      const store = await NodeStore.open(dir, identity);
      store.saveState(s, {});
      await store.close();
      const reopened = await NodeStore.open(dir, identity);
      const restored = await reopened.load((accounts, meta) => L2State.restore(accounts, meta));
      await reopened.close();
      expect(restored).to.not.equal(null);
      const r = restored!.state;
      expect(r.root().equals(s.root())).to.equal(true);
      expect([r.allowance(1, 0, 2), r.allowance(1, 1, 2), r.allowance(1, 1, 0), r.allowance(2, 1, 1)]).to.deep.equal([7n, MAX, 3n, 0n]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a store of format 3 (account leaves without an allowance root) is cleared, not loaded", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-allowance-store-"));
    try {
      const s = stateWithAllowances();
      s.trackChanges(true);
      const store = await NodeStore.open(dir, identity);
      store.saveState(s, {});
      await store.close();
      const db = new ClassicLevel<string, string>(dir, { valueEncoding: "utf8" });
      const meta = JSON.parse((await db.get("meta"))!) as { format: number };
      expect(meta.format).to.equal(4);
      await db.put("meta", JSON.stringify({ ...meta, format: 3 }));
      await db.close();
      const reopened = await NodeStore.open(dir, identity);
      expect(await reopened.load((accounts, m) => L2State.restore(accounts, m))).to.equal(null);
      await reopened.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
