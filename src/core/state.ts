/**
 * The L2 state: accounts in an incremental Merkle tree keyed by index (assigned the first time
 * an address appears), and the counters the state root commits to. Account 0 is the zero
 * address, present from genesis.
 */
import { ACCOUNT_TREE_DEPTH, TOKEN_TREE_DEPTH, ZERO_ADDRESS } from "./constants";
import { IncrementalMerkleTree, sparseLevels, sparseRoot, zeroHashes } from "./merkle";
import { accountLeaf, l2TokenAddress, stateRoot } from "./hashing";
import { word } from "./bytes";
import { hashPair } from "./hash";

export interface Account {
  readonly address: string;
  nonce: bigint;
  balance: bigint;
  /** Non-zero token balances by token id (a shared empty map until the account holds a token). */
  readonly tokens: ReadonlyMap<number, bigint>;
}

/** A token known on L2 (its registration has been consumed from the L1 queue). */
export interface L2Token {
  id: number;
  l1Address: string;
  l2Address: string;
}

const TOKEN_ZERO = zeroHashes(TOKEN_TREE_DEPTH);

/** Root of an account's token-balance tree. */
/** Shared by every account without tokens: most accounts, at a few hundred bytes each. */
const NO_TOKENS: ReadonlyMap<number, bigint> = new Map();

/** The account's own token map, made on first write. */
function ownTokens(a: Account): Map<number, bigint> {
  if (a.tokens === NO_TOKENS) (a as { tokens: ReadonlyMap<number, bigint> }).tokens = new Map();
  return a.tokens as Map<number, bigint>;
}

/** Leaves of an account's token tree: each non-zero balance as a word, at its token id. */
export function tokenLeaves(tokens: ReadonlyMap<number, bigint>): Map<number, Buffer> {
  const leaves = new Map<number, Buffer>();
  for (const [id, balance] of tokens) if (balance !== 0n) leaves.set(id, word(balance));
  return leaves;
}

/** Token trees of more tokens than this are kept level by level (see L2State.tokenLevels). */
const LARGE_TOKEN_TREE = 64;

/** Sets leaf `id` of a sparse tree kept as {@link sparseLevels} and rehashes its path only. */
function updateSparsePath(levels: Array<Map<number, Buffer>>, id: number, balance: bigint): void {
  if (balance === 0n) levels[0].delete(id);
  else levels[0].set(id, word(balance));
  let i = id;
  for (let l = 0; l < TOKEN_TREE_DEPTH; l++) {
    const p = i >> 1;
    const left = levels[l].get(p * 2);
    const right = levels[l].get(p * 2 + 1);
    // As sparseLevels: a node exists where some leaf below it does.
    if (left === undefined && right === undefined) levels[l + 1].delete(p);
    else levels[l + 1].set(p, hashPair(left ?? TOKEN_ZERO[l], right ?? TOKEN_ZERO[l]));
    i = p;
  }
}

export function tokenRoot(tokens: ReadonlyMap<number, bigint>): Buffer {
  if (tokens.size === 0) return TOKEN_ZERO[TOKEN_TREE_DEPTH];
  if (tokens.size === 1) {
    // Most holders hold one token: its path is all empty subtrees, hashed straight up (24
    // hashes, without the sparse walk's maps).
    const [[id, balance]] = tokens;
    let node = word(balance);
    for (let level = 0; level < TOKEN_TREE_DEPTH; level++) {
      node = (id >> level) & 1 ? hashPair(TOKEN_ZERO[level], node) : hashPair(node, TOKEN_ZERO[level]);
    }
    return node;
  }
  return sparseRoot(TOKEN_TREE_DEPTH, tokenLeaves(tokens), TOKEN_ZERO);
}

type JournalEntry =
  | { kind: "balance"; index: number; old: bigint }
  | { kind: "nonce"; index: number; old: bigint }
  | { kind: "token"; index: number; tokenId: number; old: bigint }
  | { kind: "create"; index: number }
  | { kind: "register" };

/** A point the state can be rolled back to. */
export interface Checkpoint {
  readonly journalLength: number;
  readonly queueIndex: bigint;
  readonly withdrawalCount: bigint;
}

/** The parts of a state that are not accounts. */
export interface StateMeta {
  accountCount: number;
  /** L1 addresses of the registered tokens, by id. */
  tokens: string[];
  queueIndex: bigint;
  withdrawalCount: bigint;
}

/** Every account and token balance a run of operations read or wrote: what a fraud proof must witness. */
export interface AccessLog {
  accounts: Set<number>;
  tokens: Map<number, Set<number>>;
}

export class L2State {
  private readonly accounts: Account[] = [];
  private readonly tokenRoots: Buffer[] = [];
  private readonly byAddress = new Map<string, number>();
  private readonly tree = new IncrementalMerkleTree(ACCOUNT_TREE_DEPTH);
  private readonly dirty = new Set<number>();
  /** Accounts whose token tree changed, with the token ids that changed (empty: rebuild it). */
  private readonly dirtyTokens = new Map<number, Set<number>>();
  /**
   * The token trees of accounts holding many tokens, kept level by level so that a changed
   * balance costs its path (24 hashes), not the whole tree: with 24-bit ids nothing bounds how
   * many tokens one account holds, and rebuilding a junk-filled account's tree on every touch
   * would cost every node O(tokens held) per commitment.
   */
  private readonly tokenLevels = new Map<number, Array<Map<number, Buffer>>>();
  private readonly tokenList: L2Token[] = [];
  private readonly tokenByL2 = new Map<string, L2Token>();
  private queueConsumed = 0n;
  private withdrawalsMade = 0n;
  private journal: JournalEntry[] | null = null;
  private openCheckpoints: Checkpoint[] = [];
  private access: AccessLog | null = null;
  /** Accounts changed since the last {@link takeChanges}, when a store is tracking them. */
  private changed: Set<number> | null = null;
  /** Running sums of every balance, kept as balances change, so totalSupply is O(1). */
  private ethTotal = 0n;
  private readonly tokenTotals = new Map<number, bigint>();

  /** L1 queue entries consumed so far. */
  get queueIndex(): bigint {
    return this.queueConsumed;
  }

  /** Withdrawals made so far; the next withdrawal's id. */
  get withdrawalCount(): bigint {
    return this.withdrawalsMade;
  }

  /** Marks the next L1 queue entry consumed. */
  consumeQueueEntry(): void {
    this.queueConsumed++;
  }

  /** Returns the next withdrawal id and counts it. */
  takeWithdrawalId(): bigint {
    return this.withdrawalsMade++;
  }

  /** The empty L2: only account 0, the zero address. */
  static genesis(): L2State {
    const s = new L2State();
    s.createAccount(ZERO_ADDRESS);
    return s;
  }

  get accountCount(): number {
    return this.accounts.length;
  }

  get tokenCount(): number {
    return this.tokenList.length;
  }

  indexOf(address: string): number | undefined {
    return this.byAddress.get(address);
  }

  account(index: number): Account {
    const a = this.accounts[index];
    if (!a) throw new RangeError(`no account ${index}`);
    this.access?.accounts.add(index);
    return a;
  }

  /** The account of `address`, if it has one. */
  accountOf(address: string): Account | undefined {
    const i = this.byAddress.get(address);
    return i === undefined ? undefined : this.accounts[i];
  }

  /** Creates the account of `address` at the next index. */
  createAccount(address: string): number {
    if (this.byAddress.has(address)) throw new Error(`account ${address} exists`);
    const index = this.accounts.length;
    this.journal?.push({ kind: "create", index });
    this.access?.accounts.add(index);
    this.accounts.push({ address, nonce: 0n, balance: 0n, tokens: NO_TOKENS });
    this.tokenRoots.push(TOKEN_ZERO[TOKEN_TREE_DEPTH]);
    this.byAddress.set(address, index);
    this.markDirty(index);
    return index;
  }

  setBalance(index: number, balance: bigint): void {
    const a = this.account(index);
    this.journal?.push({ kind: "balance", index, old: a.balance });
    this.ethTotal += balance - a.balance;
    a.balance = balance;
    this.markDirty(index);
  }

  setNonce(index: number, nonce: bigint): void {
    const a = this.account(index);
    this.journal?.push({ kind: "nonce", index, old: a.nonce });
    a.nonce = nonce;
    this.markDirty(index);
  }

  tokenBalance(index: number, tokenId: number): bigint {
    this.trackToken(index, tokenId);
    return this.account(index).tokens.get(tokenId) ?? 0n;
  }

  setTokenBalance(index: number, tokenId: number, balance: bigint): void {
    const tokens = ownTokens(this.account(index));
    this.trackToken(index, tokenId);
    const old = tokens.get(tokenId) ?? 0n;
    this.journal?.push({ kind: "token", index, tokenId, old });
    this.addToTokenTotal(tokenId, balance - old);
    if (balance === 0n) tokens.delete(tokenId);
    else tokens.set(tokenId, balance);
    this.markDirty(index);
    this.markTokenDirty(index, tokenId);
  }

  private markTokenDirty(index: number, tokenId: number | null): void {
    let ids = this.dirtyTokens.get(index);
    if (!ids) this.dirtyTokens.set(index, (ids = new Set()));
    if (tokenId === null) this.tokenLevels.delete(index);
    else ids.add(tokenId);
  }

  /** Makes the next token id known on L2. */
  registerToken(l1Address: string): L2Token {
    this.journal?.push({ kind: "register" });
    const token = { id: this.tokenList.length, l1Address, l2Address: l2TokenAddress(l1Address) };
    this.tokenList.push(token);
    this.tokenByL2.set(token.l2Address, token);
    return token;
  }

  token(id: number): L2Token | undefined {
    return this.tokenList[id];
  }

  tokenByL2Address(l2Address: string): L2Token | undefined {
    return this.tokenByL2.get(l2Address);
  }

  get tokens(): readonly L2Token[] {
    return this.tokenList;
  }

  // --- checkpoints: what the challenger and the fraud-proof builder roll back to ------------

  /**
   * Starts recording changes; {@link rollback} undoes everything since. Checkpoints nest: the
   * challenger holds one per batch still in its challenge window, and one per commitment.
   */
  checkpoint(): Checkpoint {
    if (!this.journal) this.journal = [];
    const cp = { journalLength: this.journal.length, queueIndex: this.queueConsumed, withdrawalCount: this.withdrawalsMade };
    this.openCheckpoints.push(cp);
    return cp;
  }

  /** Undoes every change made since `cp`, closing it and every checkpoint opened after it. */
  rollback(cp: Checkpoint): void {
    const at = this.openCheckpoints.indexOf(cp);
    const journal = this.journal;
    if (at < 0 || !journal) throw new Error("rollback to a checkpoint that is not open");
    while (journal.length > cp.journalLength) this.undo(journal.pop()!);
    this.queueConsumed = cp.queueIndex;
    this.withdrawalsMade = cp.withdrawalCount;
    this.openCheckpoints.length = at;
    if (this.openCheckpoints.length === 0) this.journal = null;
  }

  /** Keeps the changes made since `cp` and closes it (checkpoints opened after it stay open). */
  release(cp: Checkpoint): void {
    const at = this.openCheckpoints.indexOf(cp);
    if (at < 0) throw new Error("release of a checkpoint that is not open");
    this.openCheckpoints.splice(at, 1);
    if (this.openCheckpoints.length === 0) this.journal = null;
  }

  // --- persistence: what a node's store writes after each block ----------------------------

  /**
   * From now on, remember which accounts change, for {@link takeChanges}; `all` counts every
   * existing account as changed (a store starting empty must write them).
   */
  trackChanges(all = false): void {
    this.changed ??= new Set();
    if (all) for (let i = 0; i < this.accounts.length; i++) this.changed.add(i);
  }

  /** The accounts changed since the last call (that still exist), and forgets them. */
  takeChanges(): number[] {
    if (!this.changed) return [];
    const out = [...this.changed].filter((i) => i < this.accounts.length).sort((a, b) => a - b);
    this.changed.clear();
    return out;
  }

  /** Everything but the accounts: what a store keeps beside them. */
  snapshotMeta(): StateMeta {
    return { accountCount: this.accounts.length, tokens: this.tokenList.map((t) => t.l1Address), queueIndex: this.queueConsumed, withdrawalCount: this.withdrawalsMade };
  }

  /** A state rebuilt from a store: accounts by index, then its meta. */
  static restore(accounts: Array<{ address: string; nonce: bigint; balance: bigint; tokens: Array<[number, bigint]> }>, meta: StateMeta): L2State {
    if (accounts.length !== meta.accountCount) throw new Error(`store holds ${accounts.length} accounts, its meta says ${meta.accountCount}`);
    const s = new L2State();
    for (const a of accounts) {
      const index = s.createAccount(a.address);
      const account = s.accounts[index];
      account.nonce = a.nonce;
      account.balance = a.balance;
      if (a.tokens.length > 0) {
        (account as { tokens: ReadonlyMap<number, bigint> }).tokens = new Map(a.tokens);
        s.markTokenDirty(index, null);
      }
    }
    for (const l1 of meta.tokens) s.registerToken(l1);
    const totals = s.recountTotals();
    s.ethTotal = totals.eth;
    for (const [id, v] of totals.tokens) s.tokenTotals.set(id, v);
    s.queueConsumed = meta.queueIndex;
    s.withdrawalsMade = meta.withdrawalCount;
    return s;
  }

  private markDirty(index: number): void {
    this.dirty.add(index);
    this.changed?.add(index);
  }

  /** Records every account and token balance touched until {@link stopAccessLog}. */
  startAccessLog(): void {
    this.access = { accounts: new Set(), tokens: new Map() };
  }

  stopAccessLog(): AccessLog {
    const log = this.access ?? { accounts: new Set(), tokens: new Map() };
    this.access = null;
    return log;
  }

  /** The leaf fields of account `index` (untracked; for witnesses). */
  peek(index: number): Account | undefined {
    return this.accounts[index];
  }

  /** Node `index` at `level` of the account tree (level 0: leaves), for multiproofs. */
  accountNode(level: number, index: number): Buffer {
    this.accountsRoot();
    return this.tree.nodeAt(level, index);
  }

  private trackToken(index: number, tokenId: number): void {
    if (!this.access) return;
    let set = this.access.tokens.get(index);
    if (!set) this.access.tokens.set(index, (set = new Set()));
    set.add(tokenId);
  }

  private undo(e: JournalEntry): void {
    switch (e.kind) {
      case "balance":
        this.ethTotal += e.old - this.accounts[e.index].balance;
        this.accounts[e.index].balance = e.old;
        this.markDirty(e.index);
        break;
      case "nonce":
        this.accounts[e.index].nonce = e.old;
        this.markDirty(e.index);
        break;
      case "token": {
        const tokens = ownTokens(this.accounts[e.index]);
        this.addToTokenTotal(e.tokenId, e.old - (tokens.get(e.tokenId) ?? 0n));
        if (e.old === 0n) tokens.delete(e.tokenId);
        else tokens.set(e.tokenId, e.old);
        this.markDirty(e.index);
        this.markTokenDirty(e.index, e.tokenId);
        break;
      }
      case "create": {
        const a = this.accounts.pop()!;
        this.tokenRoots.pop();
        this.byAddress.delete(a.address);
        this.dirty.delete(e.index);
        this.dirtyTokens.delete(e.index);
        this.tokenLevels.delete(e.index);
        this.tree.setLeaf(e.index, Buffer.alloc(32));
        break;
      }
      case "register": {
        const t = this.tokenList.pop()!;
        this.tokenByL2.delete(t.l2Address);
        break;
      }
    }
  }

  /** Root of the account tree. */
  accountsRoot(): Buffer {
    for (const [i, ids] of this.dirtyTokens) this.tokenRoots[i] = this.updatedTokenRoot(i, ids);
    this.dirtyTokens.clear();
    for (const i of this.dirty) this.tree.setLeaf(i, this.leafOf(i));
    this.dirty.clear();
    return this.tree.root();
  }

  /** Account `i`'s token root after the balances `ids` changed (see tokenLevels). */
  private updatedTokenRoot(i: number, ids: ReadonlySet<number>): Buffer {
    const tokens = this.accounts[i].tokens;
    if (tokens.size <= LARGE_TOKEN_TREE) {
      this.tokenLevels.delete(i);
      return tokenRoot(tokens);
    }
    let levels = this.tokenLevels.get(i);
    if (!levels) {
      levels = sparseLevels(TOKEN_TREE_DEPTH, tokenLeaves(tokens), TOKEN_ZERO);
      this.tokenLevels.set(i, levels);
    } else {
      for (const id of ids) updateSparsePath(levels, id, tokens.get(id) ?? 0n);
    }
    return levels[TOKEN_TREE_DEPTH].get(0) ?? TOKEN_ZERO[TOKEN_TREE_DEPTH];
  }

  /** The state root: the account tree and the counters. */
  root(): Buffer {
    return stateRoot({
      accountsRoot: this.accountsRoot(),
      accountCount: this.accounts.length,
      queueIndex: this.queueConsumed,
      withdrawalCount: this.withdrawalsMade,
      tokenCount: this.tokenList.length,
    });
  }

  /** Merkle path of account `index` against {@link accountsRoot}. */
  accountProof(index: number): Buffer[] {
    this.accountsRoot();
    return this.tree.proof(index);
  }

  /** Leaf hash of account `index`. */
  leafOf(index: number): Buffer {
    const a = this.accounts[index];
    return accountLeaf(a.address, a.nonce, a.balance, this.tokenRoots[index]);
  }

  /** Sum of all ETH balances, and of each token's balances: what the L1 escrow must cover. */
  totals(): { eth: bigint; tokens: Map<number, bigint> } {
    return { eth: this.ethTotal, tokens: new Map([...this.tokenTotals].filter(([, v]) => v !== 0n)) };
  }

  /** {@link totals} counted account by account (O(accounts)): what the running sums must equal. */
  recountTotals(): { eth: bigint; tokens: Map<number, bigint> } {
    let eth = 0n;
    const tokens = new Map<number, bigint>();
    for (const a of this.accounts) {
      eth += a.balance;
      for (const [id, v] of a.tokens) tokens.set(id, (tokens.get(id) ?? 0n) + v);
    }
    return { eth, tokens };
  }

  private addToTokenTotal(tokenId: number, delta: bigint): void {
    if (delta !== 0n) this.tokenTotals.set(tokenId, (this.tokenTotals.get(tokenId) ?? 0n) + delta);
  }
}
