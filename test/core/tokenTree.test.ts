import { expect } from "chai";
import { L2State } from "../../src/core/state";
import { tokenRoot } from "../../src/core/tokenTree";
import { allowanceRoot } from "../../src/core/allowanceTree";
import { accountLeaf } from "../../src/core/hashing";

/** The leaf src/core would compute for account `index` from scratch, token tree rebuilt whole. */
function leafFromScratch(state: L2State, index: number): Buffer {
  const a = state.account(index);
  return accountLeaf(a.address, a.nonce, a.balance, tokenRoot(a.tokens), allowanceRoot(a.allowances));
}

describe("core/state: token trees of accounts holding many tokens", () => {
  it("updates a large token tree along the changed paths and gives the root a full rebuild gives, through changes, deletions and rollbacks", () => {
    const state = L2State.genesis();
    const holder = state.createAccount("0x" + "ab".repeat(20));
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    // Past the cached-tree threshold, with ids spread over the 24-bit space.
    for (let k = 0; k < 300; k++) state.setTokenBalance(holder, next() % 2 ** 24, BigInt(next()) + 1n);
    state.root();
    for (let round = 0; round < 40; round++) {
      const cp = state.checkpoint();
      const ids = [...state.account(holder).tokens.keys()];
      for (let k = 0; k < 5; k++) {
        const id = k % 2 === 0 ? ids[next() % ids.length] : next() % 2 ** 24;
        state.setTokenBalance(holder, id, next() % 3 === 0 ? 0n : BigInt(next()));
      }
      state.root();
      expect(state.leafOf(holder).equals(leafFromScratch(state, holder)), `round ${round}`).to.equal(true);
      if (round % 3 === 0) {
        state.rollback(cp);
        state.root();
        expect(state.leafOf(holder).equals(leafFromScratch(state, holder)), `round ${round}, rolled back`).to.equal(true);
      } else {
        state.release(cp);
      }
    }
  });
});
