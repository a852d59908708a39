/**
 * verifyAccountProof (src/core/accountProof.ts): an account's leaf, path and the state's
 * counters rebuild the state root L2State computes; anything else — another value, a malformed
 * field, an absent account — is false, never an exception.
 */
import { expect } from "chai";
import { L2State } from "../../src/core/state";
import { keccakReady } from "../../src/core/hash";
import { tokenRoot } from "../../src/core/tokenTree";
import { EMPTY_ALLOWANCE_ROOT, allowanceRoot } from "../../src/core/allowanceTree";
import { accountProofRoot, rootFromPath, verifyAccountProof, type AccountProof } from "../../src/core/accountProof";
import { accountLeaf } from "../../src/core/hashing";

const hex = (b: Buffer) => "0x" + b.toString("hex");
const q = (v: bigint | number) => "0x" + v.toString(16);

function stateWithAccounts(): L2State {
  const s = L2State.genesis();
  s.registerToken("0x" + "aa".repeat(20));
  s.registerToken("0x" + "bb".repeat(20));
  for (let i = 1; i <= 9; i++) {
    const index = s.createAccount("0x" + i.toString(16).padStart(40, "0"));
    s.setBalance(index, BigInt(i) * 10n ** 18n);
    s.setNonce(index, BigInt(i));
    if (i % 3 === 0) s.setTokenBalance(index, i % 2, BigInt(i) * 1000n);
  }
  // Account 6 has given allowances: the proof must carry their root for its leaf to hash right.
  s.setAllowance(6, 0, 2, 500n);
  s.setAllowance(6, 1, 9, 2n ** 256n - 1n);
  s.consumeQueueEntry();
  s.takeWithdrawalId();
  return s;
}

/** The proof of account `index` as eth_getProof answers it, from the live state. */
function proofOf(s: L2State, index: number): AccountProof {
  const a = s.peek(index)!;
  return {
    address: a.address,
    balance: q(a.balance),
    nonce: q(a.nonce),
    accountProof: s.accountProof(index).map(hex),
    accountIndex: q(index),
    tokenRoot: hex(tokenRoot(a.tokens)),
    allowanceRoot: hex(allowanceRoot(a.allowances)),
    accountCount: q(s.accountCount),
    queueIndex: q(s.queueIndex),
    withdrawalCount: q(s.withdrawalCount),
    tokenCount: q(s.tokenCount),
  };
}

describe("core/accountProof: verifyAccountProof", () => {
  before(() => keccakReady);

  it("rebuilds the state root from every account's leaf (allowance root included), path and the counters", () => {
    const s = stateWithAccounts();
    for (let i = 0; i < s.accountCount; i++) {
      const proof = proofOf(s, i);
      expect(verifyAccountProof(proof, s.root()), `account ${i}`).to.equal(true);
      expect(accountProofRoot(proof)!.equals(s.root())).to.equal(true);
    }
    const a = s.peek(3)!;
    expect(rootFromPath(accountLeaf(a.address, a.nonce, a.balance, tokenRoot(a.tokens), EMPTY_ALLOWANCE_ROOT), 3, s.accountProof(3)).equals(s.accountsRoot())).to.equal(true);
    const owner = s.peek(6)!;
    expect(owner.allowances.size).to.equal(2);
    expect(rootFromPath(accountLeaf(owner.address, owner.nonce, owner.balance, tokenRoot(owner.tokens), allowanceRoot(owner.allowances)), 6, s.accountProof(6)).equals(s.accountsRoot())).to.equal(true);
  });

  it("is false, and does not throw, for a proof with anything changed or malformed (another or no allowance root too), one of no account, or another root", () => {
    const s = stateWithAccounts();
    const proof = proofOf(s, 6);
    const root = s.root();
    const bad: Array<Partial<Record<keyof AccountProof, unknown>>> = [
      { balance: q(6n * 10n ** 18n + 1n) },
      { nonce: "0x7" },
      { tokenRoot: hex(tokenRoot(new Map())) },
      { allowanceRoot: hex(EMPTY_ALLOWANCE_ROOT) },
      { allowanceRoot: hex(allowanceRoot(new Map([[0, 500n]]))) },
      { allowanceRoot: null },
      { allowanceRoot: undefined },
      { accountIndex: "0x5" },
      { accountIndex: null, tokenRoot: null },
      { accountCount: q(s.accountCount + 1) },
      { withdrawalCount: "0x0" },
      { tokenCount: "0x3" },
      { accountProof: [...proof.accountProof].reverse() },
      { accountProof: proof.accountProof.slice(0, 23) },
      { accountProof: "0x" },
      { address: "0x" + "00".repeat(19) },
      { balance: -1n },
      { balance: 2n ** 256n },
      { nonce: 1.5 },
      { nonce: 2n ** 64n },
      { accountIndex: 2 ** 24 },
    ];
    for (const change of bad) expect(verifyAccountProof({ ...proof, ...change } as AccountProof, root), JSON.stringify(change, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).to.equal(false);
    expect(verifyAccountProof(proof, "0x1234")).to.equal(false);
    expect(verifyAccountProof(null as unknown as AccountProof, root)).to.equal(false);
    s.setBalance(1, 1n);
    expect(verifyAccountProof(proof, s.root()), "the state moved on").to.equal(false);
    expect(verifyAccountProof({ ...proof, address: proof.address.toUpperCase().replace("0X", "0x") }, root), "an address in any letter case").to.equal(true);
  });
});
