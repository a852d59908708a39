/**
 * The state of past blocks, kept as what each block changed, so that a read at block n — an
 * account, a token balance, an allowance, a supply, a node of the account tree for a proof — is a binary
 * search (historyIndex.ts), with no replay and no tree rebuilt. The history observes every
 * write to the live state (L2State.observeChanges) and keeps the first value each key had
 * since the newest block it holds; when the next block is appended it keeps those values
 * ("priors") as that block's changes, with the priors of the account-tree nodes the block
 * changed on every fourth level, and forgets the blocks that fall out of its window.
 *
 * A key's value at block n is then the prior kept by the first block after n that changed it,
 * or, if none did, its value as of the newest block: for accounts, token balances and allowances the live
 * state's (or the prior noted since, if the open block has changed it), for tree nodes a copy
 * of the kept levels (NodeShadow), for supplies a running sum.
 *
 * Longer than 300 lines because capturing a block, dropping it again, forgetting it and reading
 * it must treat the same six kinds of values alike: apart, one could drift from the others.
 */
import type { L2State } from "../core/state";
import type { JournalEntry } from "../core/journal";
import { ACCOUNT_TREE_DEPTH } from "../core/constants";
import { hashPair } from "../core/hash";
import { bytesToBigint } from "../core/bytes";
import {
  KEPT_LEVELS,
  Kind,
  NodeShadow,
  STRIDE,
  accountPriorAt,
  allowancePriorAt,
  blockChanges,
  changedAllowances,
  nonZeroAt,
  notePrior,
  keyIndex,
  keyLevel,
  leafPriorAt,
  nodeKey,
  positionOf,
  section,
  tokenKey,
  withAllowances,
  wordPriorAt,
  writeAccountPrior,
  writeWord,
  sameAccount,
  type AccountFields,
  type BlockChanges,
  type BlockSummary,
  type PastReads,
} from "./historyLog";
import { ChangeIndex } from "./historyIndex";
import { decodeRecord, encodeRecord } from "./historyRecord";
import { HistoricalState } from "./historicalState";
import { HistoryInconsistentError } from "./historyErrors";

/**
 * Blocks of history kept behind the newest: 14 minutes of the devnet's 100 ms blocks, some
 * 90 s of full blocks at the sequencer's peak rate — many batches either way (geth keeps 128
 * blocks of state in memory). At most ~150 MB of full 32-transfer blocks, ~20 MB of
 * one-transfer ones: the figures are in docs/state-proofs.md.
 */
export const DEFAULT_HISTORY_BLOCKS = 8_192;

export class StateHistory implements PastReads {
  private readonly index = new ChangeIndex();
  private readonly shadow = new NodeShadow();
  /** Each token's supply as of the newest block held. */
  private readonly supply: Map<number, bigint>;
  /** Blocks [oldest, newest]: what their state roots commit to. */
  private readonly summaries = new Map<number, BlockSummary>();
  /** Blocks (oldest, newest]: what each changed. */
  private readonly changes = new Map<number, BlockChanges>();
  /** Values before their first change since the newest block held: the live state has moved on. */
  private pendingAccounts = new Map<number, AccountFields | null>();
  private pendingTokens = new Map<number, Map<number, bigint>>();
  private pendingAllowances = new Map<number, Map<number, bigint>>();
  /** Accounts touched since the last capture with a tree: their paths' nodes are taken at the next. */
  private treePending = new Set<number>();
  private first: number;
  private last: number;

  /**
   * A history of `state` from block `tip` (whose post-state it is) on, keeping `keep` blocks
   * behind the newest. Copies the kept levels of the account tree: O(accounts), once.
   */
  constructor(
    readonly state: L2State,
    tip: { number: number; hash: string | null },
    readonly keep = DEFAULT_HISTORY_BLOCKS,
  ) {
    this.first = this.last = tip.number;
    this.summaries.set(tip.number, { accountsRoot: Buffer.from(state.accountsRoot()), accountCount: state.accountCount, queueIndex: state.queueIndex, withdrawalCount: state.withdrawalCount, tokenCount: state.tokenCount, hash: tip.hash });
    for (const level of KEPT_LEVELS) {
      const count = state.accountCount === 0 ? 0 : ((state.accountCount - 1) >> level) + 1;
      for (let i = 0; i < count; i++) this.shadow.set(level, i, state.accountNode(level, i));
    }
    this.supply = state.totals().tokens;
    state.observeChanges((e) => this.observe(e));
  }

  /**
   * The history of a state loaded from a store, from the records the store kept (see
   * {@link persisted}): the unbroken run of them that ends at `tip` — before a gap, what changed
   * is unknown. Without one it starts at `tip`. Costs O(records), no replay.
   */
  static restore(state: L2State, tip: { number: number; hash: string }, records: readonly string[], keep = DEFAULT_HISTORY_BLOCKS): StateHistory {
    const history = new StateHistory(state, tip, keep);
    const decoded = records.flatMap((text) => {
      const r = decodeRecord(text);
      return r && r.number <= tip.number ? [r] : [];
    });
    decoded.sort((a, b) => a.number - b.number);
    let start = decoded.length;
    while (start > 0 && decoded[start - 1].number === tip.number - (decoded.length - start)) start--;
    const run = decoded.slice(start);
    const tipRoot = run.at(-1)?.summary.accountsRoot;
    if (!tipRoot || !tipRoot.equals(history.summaries.get(tip.number)!.accountsRoot!)) return history;
    history.summaries.clear();
    history.first = run[0].number;
    history.summaries.set(run[0].number, run[0].summary);
    // The oldest block's own changes are values before it: not needed to read it.
    for (const r of run.slice(1)) {
      history.index.add(r.number, r.changes);
      history.summaries.set(r.number, r.summary);
      history.changes.set(r.number, r.changes);
    }
    history.last = tip.number;
    history.summaries.get(tip.number)!.hash = tip.hash;
    history.prune();
    return history;
  }

  /** The oldest block whose state is held. */
  get oldest(): number {
    return this.first;
  }

  /** The newest block captured (a replica's runs ahead of its chain while a batch replays). */
  get newest(): number {
    return this.last;
  }

  /** The state at block `n`, if held (and, given `hash`, if it is that block's). */
  at(n: number, hash?: string): HistoricalState | undefined {
    const summary = this.summaries.get(n);
    if (!summary || (hash !== undefined && summary.hash !== null && summary.hash !== hash)) return undefined;
    return new HistoricalState(this, n, summary);
  }

  /**
   * Keeps what the state changed since the newest block held as the next block's changes: the
   * state must be that block's post-state now. With `tree` false — a commitment of a settled
   * batch, whose root the replay does not compute — the block's accounts, balances and
   * supplies are kept but not its tree: nodes are taken at the next capture with one, and no
   * proof is given at this block. Returns the block's number.
   */
  capture(tree = true): number {
    const n = this.last + 1;
    const state = this.state;
    // Token balances that differ from before, and from them each token's supply.
    const tokens: Array<[number, bigint]> = [];
    const deltas = new Map<number, bigint>();
    const holders = new Set<number>();
    for (const [account, priors] of this.pendingTokens) {
      const held = state.peek(account)?.tokens;
      for (const [token, prior] of priors) {
        const now = held?.get(token) ?? 0n;
        if (now === prior) continue;
        tokens.push([tokenKey(account, token), prior]);
        holders.add(account);
        deltas.set(token, (deltas.get(token) ?? 0n) + now - prior);
      }
    }
    tokens.sort((a, b) => a[0] - b[0]);
    // Allowances that differ from before: their owners' leaves changed with them.
    const allowances = changedAllowances(this.pendingAllowances, state, holders);
    const supplies = [...deltas].filter(([, delta]) => delta !== 0n).sort((a, b) => a[0] - b[0]);
    // Accounts whose leaf changed: nonce, balance or existence, a token balance or an allowance. The leaf
    // kept with each is as of the last capture with a tree.
    const accounts = [...new Set([...this.pendingAccounts.keys(), ...holders])]
      .filter((i) => holders.has(i) || !sameAccount(this.pendingAccounts.get(i)!, state.peek(i)))
      .sort((a, b) => a - b);
    for (const i of this.pendingAccounts.keys()) this.treePending.add(i);
    for (const i of this.pendingTokens.keys()) this.treePending.add(i);
    for (const i of this.pendingAllowances.keys()) this.treePending.add(i);
    const { keys, now, changed } = tree ? this.changedNodes() : { keys: [], now: [], changed: [] };
    const nodes = changed.filter((k) => keys[k] >= nodeKey(STRIDE, 0)).map((k) => keys[k]);
    const changes = withAllowances(blockChanges([accounts, tokens.map(([key]) => key), supplies.map(([token]) => token), nodes], (priors, kind, i, at) => {
      if (kind === Kind.Account) {
        const index = accounts[i];
        // An account touched only through its tokens kept its nonce and balance.
        const a = this.pendingAccounts.has(index) ? this.pendingAccounts.get(index)! : state.peek(index)!;
        writeAccountPrior(priors, at, a, this.shadow.get(0, index));
      } else if (kind === Kind.Token) writeWord(priors, at, tokens[i][1]);
      else if (kind === Kind.Supply) writeWord(priors, at, this.supply.get(supplies[i][0]) ?? 0n);
      else this.shadow.copy(keyLevel(nodes[i]), keyIndex(nodes[i]), priors, at);
    }), allowances);
    for (const k of changed) this.shadow.set(keyLevel(keys[k]), keyIndex(keys[k]), now[k]);
    for (const [token, delta] of supplies) this.supply.set(token, (this.supply.get(token) ?? 0n) + delta);
    this.index.add(n, changes);
    const counts = { accountCount: state.accountCount, queueIndex: state.queueIndex, withdrawalCount: state.withdrawalCount, tokenCount: state.tokenCount };
    this.summaries.set(n, { ...counts, accountsRoot: tree ? Buffer.from(state.accountsRoot()) : null, hash: null });
    this.changes.set(n, changes);
    this.last = n;
    this.pendingAccounts = new Map();
    this.pendingTokens = new Map();
    this.pendingAllowances = new Map();
    this.prune();
    return n;
  }

  /** The kept nodes on the paths of the accounts touched since the last capture with a tree, read after one refresh; which of them changed. */
  private changedNodes(): { keys: number[]; now: Buffer[]; changed: number[] } {
    const set = new Set<number>();
    for (const i of this.treePending) for (const level of KEPT_LEVELS) set.add(nodeKey(level, i >> level));
    this.treePending = new Set();
    const keys = Array.from(set).sort((a, b) => a - b);
    const now = this.state.accountNodes(keys.map((key) => [keyLevel(key), keyIndex(key)] as const));
    const changed = keys.flatMap((key, k) => (this.shadow.is(keyLevel(key), keyIndex(key), now[k]) ? [] : [k]));
    return { keys, now, changed };
  }

  /** Block `block` was appended: captured now, unless it was as it replayed (a replica's batch). */
  sealed(block: { number: number; hash: string }): void {
    if (block.number === this.last + 1) this.capture();
    const summary = this.summaries.get(block.number);
    if (!summary) throw new HistoryInconsistentError(block.number, `block appended out of order: the history holds blocks ${this.first} to ${this.last}`);
    summary.hash = block.hash;
  }

  /**
   * Forgets every block after `n`, which the state was rolled back to (a replica's batch that
   * did not replay): a read at those numbers never sees their state again.
   */
  dropAfter(n: number): void {
    if (n < this.first) throw new HistoryInconsistentError(n, `cannot drop back past the oldest block held (${this.first})`);
    for (let b = this.last; b > n; b--) {
      const c = this.changes.get(b)!;
      this.index.remove(c, "last");
      const [accounts, tokens] = [section(c, Kind.Account), section(c, Kind.Token)];
      for (let k = accounts[0]; k < accounts[1]; k++) this.shadow.set(0, c.keys[k], leafPriorAt(c, k));
      for (let k = tokens[1]; k < c.ends[Kind.Supply]; k++) this.supply.set(c.keys[k], bytesToBigint(wordPriorAt(c, k)));
      for (let k = c.ends[Kind.Supply]; k < c.ends[Kind.Node]; k++) this.shadow.set(keyLevel(c.keys[k]), keyIndex(c.keys[k]), wordPriorAt(c, k));
      this.changes.delete(b);
      this.summaries.delete(b);
    }
    this.last = Math.min(this.last, n);
    this.pendingAccounts = new Map();
    this.pendingTokens = new Map();
    this.pendingAllowances = new Map();
    // Back at a block without a tree (inside a settled batch), the accounts its tree-less
    // predecessors changed still wait for the next tree.
    this.treePending = new Set();
    for (let b = this.last; b > this.first && this.summaries.get(b)!.accountsRoot === null; b--) {
      const c = this.changes.get(b)!;
      for (let k = 0; k < c.ends[Kind.Account]; k++) this.treePending.add(c.keys[k]);
    }
  }

  /** What a store keeps of block `n` to restore this history after a restart, and the oldest block it still needs. */
  persisted(n: number): { record: string; oldest: number } | undefined {
    const summary = this.summaries.get(n);
    const changes = this.changes.get(n);
    return summary && changes ? { record: encodeRecord(n, summary, changes), oldest: this.first } : undefined;
  }

  // --- reads at block n (oldest ≤ n ≤ newest), through HistoricalState ---------------------------

  /** Nonce and balance of account `index` at block `n` (null: no account then). */
  accountAt(index: number, n: number): AccountFields | null {
    const b = this.index.accounts.firstAfter(index, n);
    if (b !== undefined) {
      const c = this.changes.get(b)!;
      return accountPriorAt(c, positionOf(c, Kind.Account, index));
    }
    if (this.pendingAccounts.has(index)) return this.pendingAccounts.get(index)!;
    const a = this.state.peek(index);
    return a ? { nonce: a.nonce, balance: a.balance } : null;
  }

  tokenAt(index: number, token: number, n: number): bigint {
    const b = this.index.token(index, token, n);
    if (b !== undefined) {
      const c = this.changes.get(b)!;
      return bytesToBigint(wordPriorAt(c, positionOf(c, Kind.Token, tokenKey(index, token))));
    }
    return this.pendingTokens.get(index)?.get(token) ?? this.state.peek(index)?.tokens.get(token) ?? 0n;
  }

  /** Account `index`'s non-zero token balances at block `n`, by token id. */
  tokensAt(index: number, n: number): Map<number, bigint> {
    const ids = [this.state.peek(index)?.tokens.keys() ?? [], this.index.tokenIds(index), this.pendingTokens.get(index)?.keys() ?? []];
    return nonZeroAt(ids, (id) => this.tokenAt(index, id, n));
  }

  /** Owner `owner`'s allowance at `key` (allowanceTree.ts's allowanceKey) at block `n`. */
  allowanceAt(owner: number, key: number, n: number): bigint {
    const b = this.index.allowance(owner, key, n);
    if (b !== undefined) return allowancePriorAt(this.changes.get(b)!, b, owner, key);
    return this.pendingAllowances.get(owner)?.get(key) ?? this.state.peek(owner)?.allowances.get(key) ?? 0n;
  }

  /** Owner `owner`'s non-zero allowances at block `n`, by key. */
  allowancesAt(owner: number, n: number): Map<number, bigint> {
    const keys = [this.state.peek(owner)?.allowances.keys() ?? [], this.index.allowanceKeys(owner), this.pendingAllowances.get(owner)?.keys() ?? []];
    return nonZeroAt(keys, (key) => this.allowanceAt(owner, key, n));
  }

  supplyAt(token: number, n: number): bigint {
    const b = this.index.supplies.firstAfter(token, n);
    if (b === undefined) return this.supply.get(token) ?? 0n;
    const c = this.changes.get(b)!;
    return bytesToBigint(wordPriorAt(c, positionOf(c, Kind.Supply, token)));
  }

  /** Node `index` of level `level` (0: leaves) of the account tree at block `n`. A view: copy it to keep it. */
  nodeAt(level: number, index: number, n: number): Buffer {
    const kept = level - (level % STRIDE);
    if (kept === level) return this.keptNodeAt(level, index, n);
    // Hashed up from the kept level below: at most 2^(STRIDE-1) nodes.
    const width = 1 << (level - kept);
    let layer: Buffer[] = [];
    for (let j = 0; j < width; j++) layer.push(this.keptNodeAt(kept, index * width + j, n));
    while (layer.length > 1) {
      const next: Buffer[] = [];
      for (let j = 0; j < layer.length; j += 2) next.push(hashPair(layer[j], layer[j + 1]));
      layer = next;
    }
    return layer[0];
  }

  /** Account `index`'s Merkle path at block `n`: its siblings, leaf level first. */
  pathAt(index: number, n: number): Buffer[] {
    const path: Buffer[] = [];
    for (let level = 0; level < ACCOUNT_TREE_DEPTH; level++) path.push(Buffer.from(this.nodeAt(level, (index >> level) ^ 1, n)));
    return path;
  }

  /** What is held, for the memory figures of docs/state-proofs.md. */
  size(): { blocks: number; accountEntries: number; tokenEntries: number; allowanceEntries: number; nodeEntries: number; keys: number; shadowBytes: number } {
    const out = { blocks: this.summaries.size, accountEntries: 0, tokenEntries: 0, allowanceEntries: 0, nodeEntries: 0, keys: this.index.accounts.size + this.index.nodes.size, shadowBytes: this.shadow.bytes };
    for (const c of this.changes.values()) {
      out.accountEntries += c.ends[Kind.Account];
      out.tokenEntries += c.ends[Kind.Token] - c.ends[Kind.Account];
      out.allowanceEntries += c.allowances?.owners.length ?? 0;
      out.nodeEntries += c.ends[Kind.Node] - c.ends[Kind.Supply];
    }
    return out;
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Keeps the first value each key had since the newest block held (handed over before the write). */
  private observe(e: JournalEntry): void {
    switch (e.kind) {
      case "create":
        if (!this.pendingAccounts.has(e.index)) this.pendingAccounts.set(e.index, null);
        break;
      case "balance":
      case "nonce":
      case "code": // and "storage": a contract's leaf changes with them (experimental EVM mode)
      case "storage":
        if (!this.pendingAccounts.has(e.index)) {
          const a = this.state.peek(e.index)!;
          this.pendingAccounts.set(e.index, { nonce: a.nonce, balance: a.balance });
        }
        break;
      case "token":
        notePrior(this.pendingTokens, e.index, e.tokenId, e.old);
        break;
      case "allowance":
        notePrior(this.pendingAllowances, e.index, e.key, e.old);
        break;
      case "register":
        // The token count is in each block's summary.
        break;
    }
  }

  private keptNodeAt(level: number, index: number, n: number): Buffer {
    // A leaf changes with its account, and is kept with it.
    const b = level === 0 ? this.index.accounts.firstAfter(index, n) : this.index.nodes.firstAfter(nodeKey(level, index), n);
    if (b === undefined) return this.shadow.get(level, index);
    const c = this.changes.get(b)!;
    return level === 0 ? leafPriorAt(c, positionOf(c, Kind.Account, index)) : wordPriorAt(c, positionOf(c, Kind.Node, nodeKey(level, index)));
  }

  /** Forgets the blocks that fell out of the window: their entries are the oldest of their keys'. */
  private prune(): void {
    while (this.last - this.first > this.keep) {
      const b = this.first + 1;
      this.index.remove(this.changes.get(b)!, "first");
      this.changes.delete(b);
      this.summaries.delete(this.first);
      this.first = b;
    }
  }
}
