/**
 * Attack review of historical state reads and eth_getProof (journal observer, state history,
 * HistoricalState, the RPC's block references, verifyAccountProof): consensus is untouched by
 * the observer, a read at block n is the state after block n through every way the L2 is
 * rebuilt or reverted, hostile block references and proofs are refused as they should be.
 *
 * Longer than 300 lines because each attack needs the same small chain (a driver state that
 * signs commitments, a replica that replays them, snapshots to compare with) and splitting it
 * would put the fixture in one file and every attack that reads it in another.
 */
import { expect } from "chai";
import { Wallet, type HDNodeWallet } from "ethers";
import { L2State, type AccessLog } from "../../src/core/state";
import { CheckpointNotOpenError, type Checkpoint } from "../../src/core/journal";
import { keccakReady } from "../../src/core/hash";
import { BlockBuilder, type SealedBlock } from "../../src/core/blockBuilder";
import { decodeCommitment, encodeCommitment } from "../../src/core/commitment";
import { replayCommitment } from "../../src/core/replay";
import { buildFraudWitness } from "../../src/core/fraudProof";
import { verifyAccountProof, type AccountProof } from "../../src/core/accountProof";
import { QueueKind, WITHDRAWAL_PREDEPLOY } from "../../src/core/constants";
import { l2TokenAddress } from "../../src/core/hashing";
import type { QueueEntry } from "../../src/core/queueOps";
import { StateHistory } from "../../src/chain/history";
import { ChainState } from "../../src/chain/chainState";
import { BatchReplayer } from "../../src/node/replica/batchReplayer";
import type { L2Backend } from "../../src/chain/backend";
import { createMethods } from "../../src/rpc/methods";
import { RpcServer } from "../../src/rpc/server";
import pino from "pino";
import type { AccountProofResponse } from "../../src/chain/api";
import { BASE_FEE, CHAIN_ID, erc20, predeploy, signParsed } from "../helpers/coreFixture";
import { randomAddress } from "../helpers/randomWallet";

/** A deterministic generator, so a failure replays. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return { int: (n: number) => Math.floor(next() * n), big: (n: number) => BigInt(Math.floor(next() * n)) };
}
type Rng = ReturnType<typeof rng>;
const hex = (b: Buffer) => "0x" + b.toString("hex");
const q = (v: bigint | number) => "0x" + v.toString(16);
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
const L1_TOKEN = "0x00000000000000000000000000000000000abcde";

/** A full, independent copy of `s`. */
function copyOf(s: L2State): L2State {
  const accounts = Array.from({ length: s.accountCount }, (_, i) => {
    const a = s.peek(i)!;
    return { address: a.address, nonce: a.nonce, balance: a.balance, tokens: [...a.tokens] };
  });
  return L2State.restore(accounts, s.snapshotMeta());
}

const logOf = (l: AccessLog) => json({ accounts: [...l.accounts].sort((a, b) => a - b), tokens: [...l.tokens].sort(([a], [b]) => a - b).map(([i, t]) => [i, [...t].sort((a, b) => a - b)]) });
const summaryOf = (s: L2State) => json({ root: hex(s.root()), n: s.accountCount, t: s.tokenCount, q: s.queueIndex, w: s.withdrawalCount, totals: s.totals(), recount: s.recountTotals() });

/**
 * An L2 that signs commitments as a sequencer would: wallets funded by deposits, a token, and
 * blocks of ETH and token transfers (to old and new addresses) and withdrawals.
 */
class Driver {
  state = L2State.genesis();
  readonly queue: QueueEntry[] = [];
  readonly wallets: HDNodeWallet[] = Array.from({ length: 5 }, () => Wallet.createRandom());
  readonly l2Token = l2TokenAddress(L1_TOKEN);
  private timestamp = 1_700_000_000;

  enqueue(kind: QueueEntry["kind"], account: string, amount: bigint, tokenId = 0): void {
    this.queue.push({ index: BigInt(this.queue.length), kind, account: account.toLowerCase(), tokenId, amount });
  }

  /** The next block: what is queued, then `txs` random transactions (some refused). Applied to the driver's state. */
  async block(r: Rng, txs: number): Promise<SealedBlock> {
    return (await this.open(r, txs)).seal(this.timestamp++);
  }

  /** {@link block}, left open. */
  async open(r: Rng, txs: number): Promise<BlockBuilder> {
    const b = new BlockBuilder(this.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: (i) => this.queue[Number(i)] });
    while (this.state.queueIndex < BigInt(this.queue.length)) b.addQueueEntry();
    for (let k = 0; k < txs; k++) {
      const w = this.wallets[r.int(this.wallets.length)];
      const to = r.int(3) === 0 ? randomAddress() : this.wallets[r.int(this.wallets.length)].address;
      const pick = r.int(4);
      const tx =
        pick === 0 && this.state.tokenCount > 0
          ? { to: this.l2Token, data: erc20.encodeFunctionData("transfer", [to, r.big(50)]) }
          : pick === 1
            ? { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [w.address, "0x" + "00".repeat(20), 1000n + r.big(1000)]) }
            : pick === 2
              ? { to, value: 10n ** 24n } // more than anyone holds: refused, the state untouched
              : { to, value: 1n + r.big(1_000_000) };
      // The builder applies each transaction at once: the state holds the next nonce.
      const nonce = Number(this.state.accountOf(w.address.toLowerCase())?.nonce ?? 0n);
      try {
        b.addTransaction(await signParsed(w, { ...tx, nonce }));
      } catch {
        // Refused (e.g. funds): the state is as it was (execute.ts), the nonce unused.
      }
    }
    return b;
  }

  /** Funds every wallet with ETH and the token, in the next block. */
  fund(): void {
    this.enqueue(QueueKind.TOKEN_REGISTRATION, L1_TOKEN, 0n, 0);
    for (const w of this.wallets) {
      this.enqueue(QueueKind.ETH_DEPOSIT, w.address, 10n ** 18n);
      this.enqueue(QueueKind.TOKEN_DEPOSIT, w.address, 10_000n, 0);
    }
  }
}

/** `body` claiming another post-state root: fraud a replica refuses and a challenger proves. */
function wrongRoot(body: Buffer): Buffer {
  const c = decodeCommitment(body);
  return encodeCommitment({ ...c, postStateRoot: Buffer.alloc(32, 0x5a) });
}

/** An L2Backend over a ChainState, as the nodes give the RPC theirs. */
function backendOf(cs: ChainState, finalBatches = 0): L2Backend {
  return {
    chainId: CHAIN_ID,
    baseFee: BASE_FEE * 3n,
    get state() {
      return cs.state;
    },
    get chain() {
      return cs.chain;
    },
    get history() {
      return cs.history;
    },
    nonce: (address) => cs.state.accountOf(address.toLowerCase())?.nonce ?? 0n,
    tokenMetadata: (id) => cs.tokenMetadata(id),
    pendingTransaction: () => undefined,
    status: () => cs.status({ queueLength: BigInt(cs.queue.length), batchCount: BigInt(cs.chain.batches.length), finalBatchCount: BigInt(finalBatches), revertedBatchCount: 0n }, { bridge: "0x" + "00".repeat(20), rollup: "0x" + "00".repeat(20), chainId: 31337 }),
    onBlock: (l) => cs.onBlock(l),
  };
}

/** A method's answer as the dispatcher would give it: its result, or its error's code and message. */
async function call(methods: ReturnType<typeof createMethods>, method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  try {
    return { result: await methods[method](params, { client: "test" } as never) };
  } catch (e) {
    const err = e as { code?: number; message: string };
    return { error: { code: err.code ?? -32603, message: err.message } };
  }
}

/** What every read at block `n` must say: the snapshot's accounts, tokens, supplies and, with a tree, its proofs. */
function expectAt(h: StateHistory, n: number, snap: L2State, addresses: readonly string[], what: string, stateRoot?: string): void {
  const past = h.at(n);
  expect(past, `${what}: block ${n} held`).to.not.equal(undefined);
  expect(past!.accountCount, `${what}: accounts at ${n}`).to.equal(snap.accountCount);
  for (const a of addresses) {
    const want = snap.accountOf(a);
    const got = past!.accountOf(a);
    expect(got && [got.nonce, got.balance], `${what}: ${a} at ${n}`).to.deep.equal(want && [want.nonce, want.balance]);
    const tokens = want ? [...want.tokens].filter(([, v]) => v > 0n).sort(([x], [y]) => x - y) : [];
    expect(past!.tokenBalances(a), `${what}: tokens of ${a} at ${n}`).to.deep.equal(tokens);
  }
  for (let t = 0; t < 2; t++) expect(past!.tokenSupply(t), `${what}: supply ${t} at ${n}`).to.equal(t < snap.tokenCount ? (snap.totals().tokens.get(t) ?? 0n) : 0n);
  if (past!.stateRoot === null) return;
  expect(hex(past!.stateRoot), `${what}: root at ${n}`).to.equal(hex(snap.root()));
  if (stateRoot) expect(hex(past!.stateRoot), `${what}: the block's root at ${n}`).to.equal(stateRoot);
  for (const a of addresses) {
    const p = past!.proof(a);
    const wire: AccountProof = { address: a, balance: q(p.balance), nonce: q(p.nonce), accountProof: p.siblings.map(hex), accountIndex: p.index === null ? null : q(p.index), tokenRoot: p.tokenRoot && hex(p.tokenRoot), allowanceRoot: p.allowanceRoot && hex(p.allowanceRoot), accountCount: q(p.accountCount), queueIndex: q(p.queueIndex), withdrawalCount: q(p.withdrawalCount), tokenCount: q(p.tokenCount) };
    expect(verifyAccountProof(wire, snap.root()), `${what}: proof of ${a} at ${n}`).to.equal(snap.accountOf(a) !== undefined);
  }
}

describe("adversarial: historical state and eth_getProof under attack", function () {
  this.timeout(120_000);
  before(() => keccakReady);

  describe("consensus: a state's observer changes no transition, rollback, release or access log", () => {
    it("replays 4,000 random writes, nested checkpoints, out-of-order releases, rollbacks and access logs identically with and without a history observing (and capturing, with and without a tree)", () => {
      const r = rng(11);
      const plain = L2State.genesis();
      const watched = L2State.genesis();
      const history = new StateHistory(watched, { number: 0, hash: null }, 8);
      const open: Array<[Checkpoint, Checkpoint]> = [];
      let logging = false;
      for (let step = 0; step < 4000; step++) {
        const both = (f: (s: L2State) => unknown) => [f(plain), f(watched)];
        const pick = r.int(20);
        const i = r.int(plain.accountCount);
        const value = r.big(1e12);
        if (pick === 0 || plain.accountCount < 3) {
          const address = randomAddress().toLowerCase();
          both((s) => s.createAccount(address));
        } else if (pick <= 4) both((s) => s.setBalance(i, value));
        else if (pick === 5) both((s) => s.setNonce(i, s.account(i).nonce + 1n));
        else if (pick <= 8 && plain.tokenCount > 0) {
          const token = r.int(plain.tokenCount);
          const v = r.int(3) === 0 ? 0n : value;
          both((s) => s.setTokenBalance(i, token, v));
        } else if (pick === 9 && plain.tokenCount < 5) {
          const l1 = "0x" + (plain.tokenCount + 1).toString(16).padStart(40, "0");
          both((s) => s.registerToken(l1));
        } else if (pick === 10) {
          both((s) => s.consumeQueueEntry());
          both((s) => s.takeWithdrawalId());
        } else if (pick <= 12) open.push([plain.checkpoint(), watched.checkpoint()]);
        else if (pick === 13 && open.length) {
          const at = r.int(open.length);
          const [a, b] = open[at];
          plain.rollback(a);
          watched.rollback(b);
          open.length = at;
        } else if (pick === 14 && open.length) {
          const [a, b] = open.splice(r.int(open.length), 1)[0];
          plain.release(a);
          watched.release(b);
        } else if (pick === 15) {
          if (logging) expect(logOf(watched.stopAccessLog()), `access log at step ${step}`).to.equal(logOf(plain.stopAccessLog()));
          else both((s) => s.startAccessLog());
          logging = !logging;
        } else if (pick === 16) history.capture(r.int(3) !== 0);
        else if (pick === 17) {
          const token = r.int(Math.max(1, plain.tokenCount));
          both((s) => s.tokenBalance(i, token));
        }
        else if (pick === 18) watched.accountNodes([[4, 0], [8, 0]]);
        else expect(summaryOf(watched), `step ${step}`).to.equal(summaryOf(plain));
      }
      expect(summaryOf(watched)).to.equal(summaryOf(plain));
      // Closed checkpoints stay closed on both; with none open, neither keeps journal entries.
      const stale = plain.checkpoint();
      plain.rollback(stale);
      expect(() => plain.rollback(stale)).to.throw(CheckpointNotOpenError);
      for (const [a, b] of open.reverse()) (plain.release(a), watched.release(b));
      expect((watched as unknown as { journal: { entries: unknown } }).journal.entries, "an observer alone builds no journal").to.equal(null);
      expect((plain as unknown as { journal: { recording: unknown } }).journal.recording, "unobserved, no checkpoint: nothing is even built").to.equal(null);
    });

    it("builds byte-identical fraud witnesses and verdicts on an observed state, through a challenger's per-batch and per-commitment checkpoints", async () => {
      const r = rng(12);
      const driver = new Driver();
      driver.fund();
      const plain = L2State.genesis();
      const watched = L2State.genesis();
      const history = new StateHistory(watched, { number: 0, hash: null });
      const applied: Array<[Checkpoint, Checkpoint]> = [];
      let witnesses = 0;
      const kinds = new Set<string>();
      for (let batch = 0; batch < 8; batch++) {
        const bodies: Buffer[] = [];
        for (let c = 0; c < 3; c++) bodies.push((await driver.block(r, 1 + r.int(4))).body);
        const queueLimit = BigInt(driver.queue.length);
        // Candidates at each commitment: the honest one, one claiming another root, one with a byte flipped.
        applied.push([plain.checkpoint(), watched.checkpoint()]);
        for (let c = 0; c < bodies.length; c++) {
          const params = { chainId: CHAIN_ID, queueEntry: (i: bigint) => driver.queue[Number(i)], position: { queueLimit, lastInBatch: c === bodies.length - 1 } };
          const flipped = Buffer.from(bodies[c]);
          flipped[40 + r.int(flipped.length - 40)] ^= 1 << r.int(8);
          for (const body of [bodies[c], wrongRoot(bodies[c]), flipped]) {
            const [a, b] = [buildFraudWitness(plain, body, params), buildFraudWitness(watched, body, params)];
            expect(json(b.verdict), `batch ${batch} commitment ${c}`).to.equal(json(a.verdict));
            expect(b.packed, `witness, batch ${batch} commitment ${c}`).to.equal(a.packed);
            witnesses++;
            kinds.add(a.verdict.ok ? "ok" : json(a.verdict).slice(0, 30));
          }
          const cps = [plain.checkpoint(), watched.checkpoint()];
          const verdicts = [replayCommitment(plain, bodies[c], params).verdict, replayCommitment(watched, bodies[c], params).verdict];
          expect(verdicts.map((v) => v.ok)).to.deep.equal([true, true]);
          plain.release(cps[0]);
          watched.release(cps[1]);
          history.capture();
          expect(hex(watched.root())).to.equal(hex(plain.root()));
        }
        // A fraud proof reverts the newest batch now and then; the oldest one leaves the window.
        if (r.int(4) === 0) {
          const [a, b] = applied.pop()!;
          plain.rollback(a);
          watched.rollback(b);
          history.dropAfter(history.newest - bodies.length);
          // The driver's chain goes on from the reverted state.
          driver.state = copyOf(plain);
        } else if (applied.length > 2) {
          const [a, b] = applied.shift()!;
          plain.release(a);
          watched.release(b);
        }
        expect(summaryOf(watched), `after batch ${batch}`).to.equal(summaryOf(plain));
      }
      expect(witnesses).to.equal(72);
      expect(kinds.size, [...kinds].join(", ")).to.be.at.least(3);
    });
  });
  describe("wrong history: a read at block n is the state after block n", () => {
    /** A replica's ChainState with a history of `keep` blocks, applying batches as ReplicaNode.applyBatch does. */
    function replica(keep: number) {
      const cs = new ChainState(CHAIN_ID);
      (cs as unknown as { past: StateHistory }).past = new StateHistory(cs.state, cs.chain.latest, keep);
      const replayer = new BatchReplayer(null);
      let batches = 0;
      const apply = async (bodies: Buffer[], o: { final: boolean; queueLimit: bigint; preStateRoot: string; postStateRoot: string; during?: () => void }): Promise<boolean> => {
        const state = cs.state;
        const cp = state.checkpoint();
        const preRoot = cs.chain.latest.stateRoot;
        let queueIndex = state.queueIndex;
        const [results] = await replayer.replayBatches(state, [{ bodies, queueLimit: o.queueLimit, final: o.final }], {
          chainId: CHAIN_ID,
          queueEntry: (i) => cs.queue.entry(i),
          afterCommitment: (rootComputed) => {
            cs.history.capture(rootComputed);
            o.during?.();
          },
        });
        const honest = results.length === bodies.length && results.every((x) => x.verdict.ok) && hex(state.root()) === o.postStateRoot && preRoot === o.preStateRoot;
        if (!honest) {
          state.rollback(cp);
          cs.history.dropAfter(cs.chain.latest.number);
          return false;
        }
        state.release(cp);
        const first = cs.chain.latest.number + 1;
        let pre: Buffer = Buffer.from(preRoot.slice(2), "hex");
        results.forEach((x, i) => {
          queueIndex += BigInt(x.results.filter((y) => y.type === "queue").length);
          cs.appendReplayed(x, bodies[i], pre, queueIndex);
          pre = x.commitment!.postStateRoot;
        });
        cs.chain.recordBatch({ index: batches++, firstBlock: first, lastBlock: cs.chain.latest.number, l1TxHash: "0x" + "00".repeat(32), l1Block: 1 });
        return true;
      };
      return { cs, apply };
    }

    const everyone = (s: L2State) => [...Array.from({ length: s.accountCount }, (_, i) => s.peek(i)!.address), randomAddress().toLowerCase()];

    it("on a replica: honest, dishonest (a wrong root, a wrong pre-state, a queue count lie) and settled batches, read mid-replay, after each drop and across a sliding 6-block window", async () => {
      const r = rng(21);
      const driver = new Driver();
      driver.fund();
      const { cs, apply } = replica(6);
      const snaps = new Map<number, L2State>([[0, copyOf(driver.state)]]);
      let treeless = 0;
      const checkHeld = (what: string) => {
        const addresses = everyone(driver.state);
        for (let n = cs.history.oldest; n <= cs.chain.latest.number; n++) {
          expectAt(cs.history, n, snaps.get(n)!, addresses, what, cs.chain.block(n)!.stateRoot);
          if (cs.history.at(n)!.stateRoot === null) treeless++;
        }
      };
      let drops = 0;
      for (let batch = 0; batch < 14; batch++) {
        const preStateRoot = cs.chain.latest.stateRoot;
        const sealed: SealedBlock[] = [];
        const first = cs.chain.latest.number + 1;
        for (let c = 0, count = 1 + r.int(4); c < count; c++) {
          sealed.push(await driver.block(r, r.int(5)));
          snaps.set(first + c, copyOf(driver.state));
        }
        cs.queue.learn(driver.queue);
        const bodies = sealed.map((b) => b.body);
        const honest = { final: r.int(3) === 0, queueLimit: driver.state.queueIndex, preStateRoot, postStateRoot: hex(sealed.at(-1)!.postStateRoot) };
        // What the replica holds must read right while a batch replays, honest or not.
        const during = () => checkHeld(`batch ${batch} mid-replay`);
        const lies = [
          { ...honest, bodies: [...bodies.slice(0, -1), wrongRoot(bodies.at(-1)!)] },
          { ...honest, bodies, preStateRoot: "0x" + "77".repeat(32) },
          { ...honest, bodies, queueLimit: honest.queueLimit + 1n },
        ];
        if (batch > 0 && r.int(2) === 0) {
          const lie = lies[r.int(lies.length)];
          expect(await apply(lie.bodies, { ...lie, during }), `batch ${batch}: a lie is refused`).to.equal(false);
          expect(cs.history.newest, "the refused blocks are forgotten").to.equal(cs.chain.latest.number);
          expect(cs.history.at(cs.chain.latest.number + 1)).to.equal(undefined);
          checkHeld(`batch ${batch} after a drop`);
          drops++;
        }
        expect(await apply(bodies, { ...honest, during }), `batch ${batch}: honest`).to.equal(true);
        expect(cs.chain.latest.stateRoot).to.equal(hex(driver.state.root()));
        checkHeld(`batch ${batch}`);
      }
      expect(drops).to.be.at.least(4);
      expect(treeless, "settled batches' inner blocks were read too").to.be.greaterThan(0);
      expect(cs.history.oldest, "the window slid").to.be.greaterThan(10);
      expect(cs.history.at(0), "genesis left the window").to.equal(undefined);
    });

    it("on a replica part-way through a batch (between commitments, where it awaits recovered signers), latest and pending answer its latest block, never the unfinished batch a fraud proof may drop", async () => {
      const r = rng(22);
      const driver = new Driver();
      driver.fund();
      const { cs, apply } = replica(64);
      const methods = createMethods(backendOf(cs));
      cs.queue.learn(driver.queue);
      const funded = await driver.block(r, 0);
      expect(await apply([funded.body], { final: false, queueLimit: driver.state.queueIndex, preStateRoot: cs.chain.latest.stateRoot, postStateRoot: hex(funded.postStateRoot) })).to.equal(true);
      const settled = copyOf(cs.state);
      const bodies: Buffer[] = [];
      for (let c = 0; c < 3; c++) bodies.push((await driver.block(r, 4)).body);
      let checked = 0;
      // Synchronous, as an RPC request served while the replica awaits between commitments.
      const read = (method: string, params: unknown[]) => {
        try {
          return { result: methods[method](params, { client: "test" } as never) };
        } catch (e) {
          return { error: (e as Error).message };
        }
      };
      const during = () => {
        for (const w of driver.wallets) {
          const a = settled.accountOf(w.address.toLowerCase())!;
          for (const tag of ["latest", "pending", q(cs.chain.latest.number)]) {
            expect(read("eth_getBalance", [w.address, tag]), `balance at ${tag}`).to.deep.equal({ result: q(a.balance) });
            expect(read("eth_getTransactionCount", [w.address, tag]), `nonce at ${tag}`).to.deep.equal({ result: q(a.nonce) });
          }
          checked++;
        }
      };
      // A lie (another root at its end): refused and dropped, after each of its commitments was read.
      const lie = [...bodies.slice(0, -1), wrongRoot(bodies.at(-1)!)];
      expect(await apply(lie, { final: false, queueLimit: driver.state.queueIndex, preStateRoot: cs.chain.latest.stateRoot, postStateRoot: "0x" + "5a".repeat(32), during })).to.equal(false);
      expect(checked).to.be.at.least(2 * driver.wallets.length);
    });

    it("on a sequencer: refused transactions leave no trace; restarted from its records every block reads as before by number and hash; an old store's, a gapped and another chain's records are not served as this chain's", async () => {
      const r = rng(31);
      const driver = new Driver();
      const cs = new ChainState(CHAIN_ID);
      driver.state = cs.state; // the sequencer builds on its live state
      driver.fund();
      const snaps = [copyOf(cs.state)];
      const records = new Map<number, string>();
      for (let n = 1; n <= 24; n++) {
        cs.queue.learn(driver.queue);
        const block = cs.append(await driver.block(r, r.int(6)), cs.state.queueIndex);
        records.set(block.number, cs.history.persisted(block.number)!.record);
        snaps.push(copyOf(cs.state));
        if (n % 5 === 0) driver.enqueue(QueueKind.ETH_DEPOSIT, randomAddress(), 5n);
      }
      cs.queue.learn(driver.queue);
      await driver.open(r, 6); // the open block: its writes are pending, not a block
      const addresses = everyone(driver.state);
      for (let n = 0; n <= 24; n++) expectAt(cs.history, n, snaps[n], addresses, "sequencer", cs.chain.block(n)!.stateRoot);

      const restart = (history: string[]) => {
        const again = new ChainState(CHAIN_ID);
        again.restore({ state: copyOf(snaps[24]), blocks: cs.chain.blocks.map((b) => ({ ...b })), batches: [], history });
        return again;
      };
      const restarted = restart([...records.values()].reverse());
      expect(restarted.history.oldest).to.equal(1);
      for (let n = 1; n <= 24; n++) {
        expectAt(restarted.history, n, snaps[n], addresses, "restarted", cs.chain.block(n)!.stateRoot);
        expect(restarted.history.at(n, cs.chain.block(n)!.hash), `by hash at ${n}`).to.not.equal(undefined);
      }
      expect(restart([]).history.oldest, "a store written before records were").to.equal(24);
      expect(restart([...records].filter(([n]) => n !== 9).map(([, t]) => t)).history.oldest, "after a gap").to.equal(10);
      expect(restart([...records].filter(([n]) => n !== 24).map(([, t]) => t)).history.oldest, "without the tip's record").to.equal(24);

      // Two chains with one tip state and different pasts: X deposits in block 1, Y in block 2.
      const [x, y] = [new ChainState(CHAIN_ID), new ChainState(CHAIN_ID)];
      const alice = randomAddress().toLowerCase();
      const deposit = { index: 0n, kind: QueueKind.ETH_DEPOSIT, account: alice, tokenId: 0, amount: 5n };
      const seal = (c: ChainState, drain: boolean, t: number) => {
        c.queue.learn([deposit]);
        const b = new BlockBuilder(c.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: (i) => c.queue.entry(i) });
        if (drain) b.addQueueEntry();
        return c.append(b.seal(t), c.state.queueIndex);
      };
      [seal(x, true, 1), seal(x, false, 2), seal(y, false, 1), seal(y, true, 2)].forEach(() => {});
      expect(x.chain.latest.stateRoot).to.equal(y.chain.latest.stateRoot);
      const yAgain = new ChainState(CHAIN_ID);
      const xRecords = [1, 2].map((n) => x.history.persisted(n)!.record);
      yAgain.restore({ state: copyOf(y.state), blocks: y.chain.blocks.map((b) => ({ ...b })), batches: [], history: xRecords });
      const methods = createMethods(backendOf(yAgain));
      const answer = await call(methods, "eth_getBalance", [alice, "0x1"]);
      // The records' block hashes are X's: refused as not held, never X's balance at Y's block 1.
      expect(answer.error?.code, JSON.stringify(answer)).to.equal(-32000);
      expect(await call(methods, "eth_getBalance", [alice, "0x2"])).to.deep.equal({ result: "0x5" });

      // Back at genesis (a chain that does not line up with L1): the old blocks are gone by number and by hash.
      const old = cs.chain.block(3)!;
      cs.resetToGenesis();
      const fresh = createMethods(backendOf(cs));
      expect((await call(fresh, "eth_getBalance", [addresses[1], { blockHash: old.hash }])).error).to.deep.equal({ code: -32000, message: "header for hash not found" });
      expect((await call(fresh, "eth_getProof", [addresses[1], [], q(3)])).error).to.deep.equal({ code: -32000, message: "header not found" });
      expect((await call(fresh, "eth_getBalance", [addresses[1], "0x0"])).result).to.equal("0x0");
    });
  });
  describe("hostile block references, storage keys and forged proofs", () => {
    let cs: ChainState;
    let server: RpcServer;
    let url: string;
    const logged: string[] = [];
    const someone = randomAddress();
    before(async () => {
      const r = rng(41);
      const driver = new Driver();
      cs = new ChainState(CHAIN_ID);
      driver.state = cs.state;
      driver.fund();
      for (let n = 1; n <= 6; n++) {
        cs.queue.learn(driver.queue);
        cs.append(await driver.block(r, 3), cs.state.queueIndex);
      }
      cs.chain.recordBatch({ index: 0, firstBlock: 1, lastBlock: 3, l1TxHash: "0x" + "00".repeat(32), l1Block: 1 });
      cs.chain.recordBatch({ index: 1, firstBlock: 4, lastBlock: 5, l1TxHash: "0x" + "00".repeat(32), l1Block: 2 });
      await driver.open(r, 4); // writes pending in the open block
      const logger = pino({ level: "error" }, { write: (line: string) => void logged.push(line) });
      server = new RpcServer(createMethods(backendOf(cs, 1)), { host: "127.0.0.1", port: 0, logger, chainId: CHAIN_ID });
      url = await server.start();
    });
    after(() => server?.stop());

    const post = async (body: string) => {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      return { status: res.status, text: await res.text() };
    };
    const rpc = async (method: string, params: unknown[]) => {
      const { status, text } = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
      expect(status, `${method} HTTP status`).to.equal(200);
      return JSON.parse(text) as { result?: unknown; error?: { code: number; message: string } };
    };

    it("answers every hostile block reference with -32602 or geth's -32000, HTTP 200, nothing logged as a bug: EIP-1898 objects, hashes of wrong length, 0x, -1, 2^64, 1,000 digits, deep nesting", async () => {
      const h2 = cs.chain.block(2)!.hash;
      const refs: Array<[string, unknown, number | "ok"]> = [
        ["both hash and number", { blockHash: h2, blockNumber: "0x2" }, -32602],
        ["requireCanonical true", { blockHash: h2, requireCanonical: true }, "ok"],
        ["requireCanonical false", { blockHash: h2, requireCanonical: false }, "ok"],
        ["requireCanonical a string", { blockHash: h2, requireCanonical: "true" }, -32602],
        ["a 2-byte hash", { blockHash: "0x1234" }, -32602],
        ["a 31-byte hash", { blockHash: h2.slice(0, 64) }, -32602],
        ["a 33-byte hash", { blockHash: h2 + "00" }, -32602],
        ["a null hash", { blockHash: null }, -32602],
        ["a bare 66-character non-hex", "0x" + "zz".repeat(32), -32602],
        ["a hash without 0x", h2.slice(2), -32602],
        ["an unknown hash", { blockHash: "0x" + "ee".repeat(32) }, -32000],
        ["an unknown bare hash", "0x" + "ee".repeat(32), -32000],
        ["0x", "0x", -32602],
        ["-1", "-1", -32602],
        ["-0x1", "-0x1", -32602],
        ["a negative JSON number", -1, -32602],
        ["a JSON number", 1, -32602],
        ["2^64", "0x10000000000000000", -32602],
        ["1,000 hex digits", "0x" + "f".repeat(1000), -32602],
        ["13 hex digits (past the chain)", "0x" + "f".repeat(13), -32000],
        ["a leading zero", "0x01", -32602],
        ["0X", "0X1", -32602],
        ["a tag with a space", "latest ", -32602],
        ["an empty object", {}, -32602],
        ["an array", ["0x1"], -32602],
        ["true", true, -32602],
        ["blockNumber within blockNumber", { blockNumber: { blockNumber: "0x1" } }, -32602],
        ["genesis", "earliest", "ok"],
        ["safe", "safe", "ok"],
        ["finalized", "finalized", "ok"],
        ["pending", "pending", "ok"],
      ];
      for (const [what, ref, code] of refs) {
        for (const [method, params] of [
          ["eth_getBalance", [someone, ref]],
          ["eth_getProof", [someone, [], ref]],
          ["eth_call", [{ to: "0xca11bde05977b3631167028862be2a173976ca11", data: "0x42cbb15c" }, ref]],
        ] as const) {
          const answer = await rpc(method, params as unknown as unknown[]);
          if (code === "ok") expect(answer.error, `${method}, ${what}`).to.equal(undefined);
          else expect(answer.error?.code, `${method}, ${what}: ${JSON.stringify(answer).slice(0, 120)}`).to.equal(code);
        }
      }
      // 60,000 levels of { blockNumber: … } fit in the 1 MiB body: no recursion may follow them.
      const deep = '{"blockNumber":'.repeat(60_000) + '"0x1"' + "}".repeat(60_000);
      for (const method of ["eth_getBalance", "eth_getTransactionCount", "eth_getCode"]) {
        const { status, text } = await post(`{"jsonrpc":"2.0","id":1,"method":"${method}","params":["${someone}",${deep}]}`);
        expect(status).to.equal(200);
        expect((JSON.parse(text) as { error?: { code: number } }).error?.code, `${method}, blockNumber nested 60,000 deep`).to.equal(-32602);
      }
      expect(logged, "no request was answered as a bug").to.deep.equal([]);
    });

    it("answers odd addresses and storage keys with -32602, and 100,000 storage keys within the 1 MiB body limit in bounded time and size", async () => {
      for (const address of [someone.slice(2), someone + "00", someone.slice(0, 41), null, 5, someone.replace("0x", "0X")]) {
        expect((await rpc("eth_getProof", [address, [], "latest"])).error?.code, String(address)).to.equal(-32602);
      }
      expect((await rpc("eth_getProof", [someone.toUpperCase().replace("0X", "0x"), [], "latest"])).error).to.equal(undefined);
      for (const keys of ["0x0", {}, [1], ["0x"], ["0x" + "0".repeat(65)], [null]]) {
        expect((await rpc("eth_getProof", [someone, keys, "latest"])).error?.code, JSON.stringify(keys)).to.equal(-32602);
      }
      const keys = Array.from({ length: 100_000 }, () => "0x0");
      const started = performance.now();
      const { status, text } = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getProof", params: [someone, keys, "latest"] }));
      const ms = performance.now() - started;
      expect(status).to.equal(200);
      const answer = JSON.parse(text) as { result: AccountProofResponse };
      expect(answer.result.storageProof).to.have.length(100_000);
      expect(text.length, "~40 bytes a key").to.be.below(5_000_000);
      expect(ms).to.be.below(5_000);
      const over = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getProof", params: [someone, Array.from({ length: 200_000 }, () => "0x0"), "latest"] }));
      expect(over.status, "a body past 1 MiB is refused before it is parsed").to.not.equal(200);
    });
    it("proves what each block held and refuses forged proofs without throwing: wrong index, address or counters, other depths, non-hex, unsafe numbers, 2^64 counters, a million siblings", async () => {
      const holder = cs.state.peek(1)!.address;
      for (let n = 0; n <= cs.chain.latest.number; n++) {
        const block = cs.chain.block(n)!;
        const proof = (await rpc("eth_getProof", [holder, [], q(n)])).result as AccountProofResponse;
        expect(verifyAccountProof(proof, block.stateRoot), `block ${n}`).to.equal(n > 0);
        if (n > 1) expect(verifyAccountProof(proof, cs.chain.block(n - 1)!.stateRoot), `block ${n} against ${n - 1}'s root`).to.equal(block.stateRoot === cs.chain.block(n - 1)!.stateRoot);
      }
      // "pending" and "latest" prove against the last sealed block, not the open one.
      const latest = cs.chain.latest;
      for (const tag of ["pending", "latest"]) {
        const p = (await rpc("eth_getProof", [holder, [], tag])).result as AccountProofResponse;
        expect([p.blockNumber, p.stateRoot, verifyAccountProof(p, latest.stateRoot)], tag).to.deep.equal([q(latest.number), latest.stateRoot, true]);
      }
      const proof = (await rpc("eth_getProof", [holder, [], "latest"])).result as AccountProofResponse;
      const root = latest.stateRoot;
      const big = (v: unknown) => BigInt(v as string);
      const forged: Array<[string, unknown]> = [
        ["index + 1", { ...proof, accountIndex: q(big(proof.accountIndex) + 1n) }],
        ["index at the count", { ...proof, accountIndex: proof.accountCount }],
        ["index 2^24", { ...proof, accountIndex: q(2 ** 24) }],
        ["index -1", { ...proof, accountIndex: -1 }],
        ["index 1.5", { ...proof, accountIndex: 1.5 }],
        ["index NaN", { ...proof, accountIndex: NaN }],
        ["index null", { ...proof, accountIndex: null }],
        ["index 2^53 + 1 as a bigint", { ...proof, accountIndex: 2n ** 53n + 1n }],
        ["another address", { ...proof, address: someone }],
        ["address without 0x", { ...proof, address: proof.address.slice(2) }],
        ["nonce + 1", { ...proof, nonce: q(big(proof.nonce) + 1n) }],
        ["nonce 2^64", { ...proof, nonce: q(2n ** 64n) }],
        ["balance + 2^256", { ...proof, balance: q(big(proof.balance) + 2n ** 256n) }],
        ["balance negative", { ...proof, balance: -1n }],
        ["token root zero", { ...proof, tokenRoot: "0x" + "00".repeat(32) }],
        ["token root null", { ...proof, tokenRoot: null }],
        ["account count + 1", { ...proof, accountCount: q(big(proof.accountCount) + 1n) }],
        ["account count + 2^64", { ...proof, accountCount: q(big(proof.accountCount) + 2n ** 64n) }],
        ["queue index + 1", { ...proof, queueIndex: q(big(proof.queueIndex) + 1n) }],
        ["withdrawal count + 2^64", { ...proof, withdrawalCount: q(big(proof.withdrawalCount) + 2n ** 64n) }],
        ["token count + 1", { ...proof, tokenCount: q(big(proof.tokenCount) + 1n) }],
        ["token count 2^64 - 1", { ...proof, tokenCount: q(2n ** 64n - 1n) }],
        ["token count 2^53 + 1", { ...proof, tokenCount: q(2n ** 53n + 1n) }],
        ["token count 2^64 - 1 as a bigint", { ...proof, tokenCount: 2n ** 64n - 1n }],
        ["23 siblings", { ...proof, accountProof: proof.accountProof.slice(1) }],
        ["25 siblings", { ...proof, accountProof: [...proof.accountProof, proof.accountProof[0]] }],
        ["no siblings", { ...proof, accountProof: [] }],
        ["a million siblings", { ...proof, accountProof: new Array(1_000_000).fill(proof.accountProof[0]) }],
        ["siblings swapped", { ...proof, accountProof: [proof.accountProof[1], proof.accountProof[0], ...proof.accountProof.slice(2)] }],
        ["a sibling not hex", { ...proof, accountProof: proof.accountProof.map((x, i) => (i === 3 ? "0x" + "zz".repeat(32) : x)) }],
        ["a sibling a number", { ...proof, accountProof: proof.accountProof.map((x, i) => (i === 3 ? 7 : x)) }],
        ["siblings a string", { ...proof, accountProof: proof.accountProof.join("") }],
        ["balance not hex", { ...proof, balance: "0xzz" }],
        ["balance 65 digits", { ...proof, balance: "0x1" + "0".repeat(64) }],
        ["null", null],
        ["a string", "proof"],
        ["an array", [proof]],
      ];
      for (const [what, p] of forged) {
        let ok: boolean | string;
        try {
          ok = verifyAccountProof(p as AccountProof, root);
        } catch (e) {
          ok = `threw ${(e as Error).message.slice(0, 80)}`;
        }
        expect(ok, what).to.equal(false);
      }
      for (const badRoot of [root.slice(0, 64), root + "00", root.slice(2), 5, null, new Uint8Array(31), Buffer.from(root.slice(2), "hex").subarray(0, 31)]) {
        expect(verifyAccountProof(proof, badRoot as string), String(badRoot)).to.equal(false);
      }
      // The same proof as libraries parse it, and with upper-case hex or a checksummed address, holds.
      expect(verifyAccountProof({ ...proof, balance: big(proof.balance), nonce: Number(proof.nonce), accountIndex: Number(proof.accountIndex) }, Buffer.from(root.slice(2), "hex"))).to.equal(true);
      expect(verifyAccountProof({ ...proof, address: proof.address.toUpperCase().replace("0X", "0x"), accountProof: proof.accountProof.map((x) => x.toUpperCase().replace("0X", "0x")) }, root.toUpperCase().replace("0X", "0x"))).to.equal(true);
    });

    it("answers Multicall3's block views at a past block as that block had them: number, timestamp and base fee", async () => {
      const views = { getBlockNumber: "0x42cbb15c", getCurrentBlockTimestamp: "0x0f28c97d", getBasefee: "0x3e64a696" };
      for (const n of [1, 4]) {
        const block = cs.chain.block(n)!;
        const at = async (data: string) => BigInt((await rpc("eth_call", [{ to: "0xca11bde05977b3631167028862be2a173976ca11", data }, q(n)])).result as string);
        expect(await at(views.getBlockNumber)).to.equal(BigInt(n));
        expect(await at(views.getCurrentBlockTimestamp)).to.equal(BigInt(block.timestamp));
        expect(await at(views.getBasefee), `block ${n}'s base fee, not the next block's`).to.equal(block.baseFee);
      }
    });
  });
});
