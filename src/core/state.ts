/**
 * The L2 state: accounts in an incremental Merkle tree keyed by index (assigned the first time
 * an address appears), and the counters the state root commits to. Account 0 is the zero
 * address, present from genesis. Its token and allowance trees, token registry, checkpoints and
 * supply sums are in tokenTree.ts, allowanceTree.ts, tokenRegistry.ts, journal.ts, supply.ts.
 *
 * Longer than 300 lines because every write to an account goes through L2State, and each must
 * move the journal, the dirty sets, the token roots, the supply sums and the access log in step,
 * with its undo beside it: spread over files, a new kind of write could update one and miss
 * another.
 */
import { ACCOUNT_TREE_DEPTH, ZERO_ADDRESS } from "./constants";
import { IncrementalMerkleTree } from "./merkle";
import { accountLeafWith, stateRoot } from "./hashing";
import { OutOfRangeError } from "./errors";
import { NONE, ownAllowances, ownTokens, put, track } from "./accountMaps";
import { DuplicateAccountError, StoredStateMismatchError } from "./stateErrors";
import { Journal, type Checkpoint, type JournalEntry } from "./journal";
import { TokenRoots } from "./tokenTree";
import { AllowanceRoots, allowanceKey } from "./allowanceTree";
import { RunningSupply, countSupply, type Supply } from "./supply";
import { TokenRegistry, type L2Token } from "./tokenRegistry";
import { ContractStore, type ContractReader } from "./evm/contractStore";
import { emptyAccessLog, type Account, type AccessLog, type StateMeta, type StoredAccount } from "./stateTypes";

export type { Account, AccessLog, StateMeta, StoredAccount } from "./stateTypes";

export class L2State {
  private readonly accounts: Account[] = [];
  private readonly tokenRoots = new TokenRoots();
  private readonly allowanceRoots = new AllowanceRoots();
  private readonly byAddress = new Map<string, number>();
  private readonly tree = new IncrementalMerkleTree(ACCOUNT_TREE_DEPTH);
  private readonly dirty = new Set<number>();
  private readonly registry = new TokenRegistry();
  private queueConsumed = 0n;
  private withdrawalsMade = 0n;
  private readonly journal = new Journal();
  private access: AccessLog | null = null;
  /** Accounts changed since the last {@link takeChanges}, when a store is tracking them. */
  private changed: Set<number> | null = null;
  private readonly supply = new RunningSupply();
  private readonly contracts = new ContractStore();

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
    return this.registry.all.length;
  }

  indexOf(address: string): number | undefined {
    return this.byAddress.get(address);
  }

  account(index: number): Account {
    const a = this.accounts[index];
    if (!a) throw new OutOfRangeError(`no account ${index}`);
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
    const existing = this.byAddress.get(address);
    if (existing !== undefined) throw new DuplicateAccountError(address, existing);
    const index = this.accounts.length;
    this.journal.recording?.push({ kind: "create", index });
    this.access?.accounts.add(index);
    this.accounts.push({ address, nonce: 0n, balance: 0n, tokens: NONE, allowances: NONE });
    this.tokenRoots.addAccount();
    this.allowanceRoots.addAccount();
    this.byAddress.set(address, index);
    this.markDirty(index);
    return index;
  }

  setBalance(index: number, balance: bigint): void {
    const a = this.account(index);
    this.journal.recording?.push({ kind: "balance", index, old: a.balance });
    this.supply.addEth(balance - a.balance);
    a.balance = balance;
    this.markDirty(index);
  }

  setNonce(index: number, nonce: bigint): void {
    const a = this.account(index);
    this.journal.recording?.push({ kind: "nonce", index, old: a.nonce });
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
    this.journal.recording?.push({ kind: "token", index, tokenId, old });
    this.supply.addToken(tokenId, balance - old);
    put(tokens, tokenId, balance);
    this.markDirty(index);
    this.tokenRoots.changed(index, tokenId);
  }

  /** What account `owner` allows account `spender` to take of token `tokenId`. */
  allowance(owner: number, tokenId: number, spender: number): bigint {
    const key = allowanceKey(tokenId, spender);
    this.trackAllowance(owner, key);
    return this.account(owner).allowances.get(key) ?? 0n;
  }

  setAllowance(owner: number, tokenId: number, spender: number, amount: bigint): void {
    const allowances = ownAllowances(this.account(owner));
    const key = allowanceKey(tokenId, spender);
    this.trackAllowance(owner, key);
    this.journal.recording?.push({ kind: "allowance", index: owner, key, old: allowances.get(key) ?? 0n });
    put(allowances, key, amount);
    this.markDirty(owner);
    this.allowanceRoots.changed(owner, key);
  }

  /** Contract code and storage by account index (experimental EVM mode; evm/contractStore.ts). */
  get contractState(): ContractReader {
    return this.contracts;
  }

  setCode(index: number, code: Buffer): void {
    this.account(index);
    this.journal.recording?.push({ kind: "code", index, old: this.contracts.code(index) });
    this.contracts.setCode(index, code);
    this.markDirty(index);
  }

  setStorage(index: number, slot: bigint, value: bigint): void {
    this.account(index);
    this.journal.recording?.push({ kind: "storage", index, slot, old: this.contracts.storage(index, slot) });
    this.contracts.setStorage(index, slot, value);
    this.markDirty(index);
  }

  /** Makes the next token id known on L2. */
  registerToken(l1Address: string): L2Token {
    this.journal.recording?.push({ kind: "register" });
    return this.registry.register(l1Address);
  }

  token(id: number): L2Token | undefined {
    return this.registry.byId(id);
  }

  tokenByL2Address(l2Address: string): L2Token | undefined {
    return this.registry.byL2Address(l2Address);
  }

  get tokens(): readonly L2Token[] {
    return this.registry.all;
  }

  // --- checkpoints: what the challenger and the fraud-proof builder roll back to ------------

  /** Starts recording changes; {@link rollback} undoes everything since (see journal.ts). */
  checkpoint(): Checkpoint {
    return this.journal.checkpoint(this.queueConsumed, this.withdrawalsMade);
  }

  /** Undoes every change made since `cp`, closing it and every checkpoint opened after it. */
  rollback(cp: Checkpoint): void {
    this.journal.rollback(cp, (e) => this.undo(e));
    this.queueConsumed = cp.queueIndex;
    this.withdrawalsMade = cp.withdrawalCount;
  }

  /** Keeps the changes made since `cp` and closes it (checkpoints opened after it stay open). */
  release(cp: Checkpoint): void {
    this.journal.release(cp);
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

  /** Hands `observer` each change before it is made, with the value it replaces (a node's state history); null stops. */
  observeChanges(observer: ((entry: JournalEntry) => void) | null): void {
    this.journal.observe(observer);
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
    return { accountCount: this.accounts.length, tokens: this.registry.all.map((t) => t.l1Address), queueIndex: this.queueConsumed, withdrawalCount: this.withdrawalsMade };
  }

  /** A state rebuilt from a store: accounts by index, then its meta. */
  static restore(accounts: StoredAccount[], meta: StateMeta): L2State {
    if (accounts.length !== meta.accountCount) throw new StoredStateMismatchError(accounts.length, meta.accountCount);
    const s = new L2State();
    for (const a of accounts) {
      const index = s.createAccount(a.address);
      const account = s.accounts[index];
      account.nonce = a.nonce;
      account.balance = a.balance;
      if (a.tokens.length > 0) {
        (account as { tokens: ReadonlyMap<number, bigint> }).tokens = new Map(a.tokens);
        s.tokenRoots.replaced(index);
      }
      if (a.allowances && a.allowances.length > 0) {
        (account as { allowances: ReadonlyMap<number, bigint> }).allowances = new Map(a.allowances);
        s.allowanceRoots.replaced(index);
      }
    }
    for (const l1 of meta.tokens) s.registerToken(l1);
    s.supply.reset(s.recountTotals());
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
    this.access = emptyAccessLog();
  }

  stopAccessLog(): AccessLog {
    const log = this.access ?? emptyAccessLog();
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

  /** {@link accountNode} for many nodes, the tree refreshed once (a state history reads each block's changed ones). */
  accountNodes(at: ReadonlyArray<readonly [level: number, index: number]>): Buffer[] {
    this.accountsRoot();
    return at.map(([level, index]) => this.tree.nodeAt(level, index));
  }

  private trackToken(index: number, tokenId: number): void {
    if (this.access) track(this.access.tokens, index, tokenId);
  }

  private trackAllowance(owner: number, key: number): void {
    if (this.access) track(this.access.allowances, owner, key);
  }

  private undo(e: JournalEntry): void {
    switch (e.kind) {
      case "balance":
        this.supply.addEth(e.old - this.accounts[e.index].balance);
        this.accounts[e.index].balance = e.old;
        this.markDirty(e.index);
        break;
      case "nonce":
        this.accounts[e.index].nonce = e.old;
        this.markDirty(e.index);
        break;
      case "token": {
        const tokens = ownTokens(this.accounts[e.index]);
        this.supply.addToken(e.tokenId, e.old - (tokens.get(e.tokenId) ?? 0n));
        put(tokens, e.tokenId, e.old);
        this.markDirty(e.index);
        this.tokenRoots.changed(e.index, e.tokenId);
        break;
      }
      case "allowance":
        put(ownAllowances(this.accounts[e.index]), e.key, e.old);
        this.markDirty(e.index);
        this.allowanceRoots.changed(e.index, e.key);
        break;
      case "code":
      case "storage":
        if (e.kind === "code") this.contracts.setCode(e.index, e.old);
        else this.contracts.setStorage(e.index, e.slot, e.old);
        this.markDirty(e.index);
        break;
      case "create": {
        const a = this.accounts.pop()!;
        this.contracts.remove(e.index);
        this.tokenRoots.removeLastAccount(e.index);
        this.allowanceRoots.removeLastAccount(e.index);
        this.byAddress.delete(a.address);
        this.dirty.delete(e.index);
        this.tree.setLeaf(e.index, Buffer.alloc(32));
        break;
      }
      case "register":
        this.registry.removeLast();
        break;
    }
  }

  /** Root of the account tree. */
  accountsRoot(): Buffer {
    this.tokenRoots.refresh((i) => this.accounts[i].tokens);
    this.allowanceRoots.refresh((i) => this.accounts[i].allowances);
    for (const i of this.dirty) this.tree.setLeaf(i, this.leafOf(i));
    this.dirty.clear();
    return this.tree.root();
  }

  /** The state root: the account tree and the counters. */
  root(): Buffer {
    return stateRoot({
      accountsRoot: this.accountsRoot(),
      accountCount: this.accounts.length,
      queueIndex: this.queueConsumed,
      withdrawalCount: this.withdrawalsMade,
      tokenCount: this.registry.all.length,
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
    return accountLeafWith(a.address, a.nonce, a.balance, this.tokenRoots.of(index), this.allowanceRoots.of(index), this.contracts.contractHashOf(index));
  }

  /** Sum of all ETH balances, and of each token's balances: what the L1 escrow must cover (see supply.ts). */
  totals(): Supply {
    return this.supply.current();
  }

  /** {@link totals} counted account by account (O(accounts)): what the running sums must equal. */
  recountTotals(): Supply {
    return countSupply(this.accounts);
  }
}
