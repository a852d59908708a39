/**
 * The state as it was after one past block, read from a state history (history.ts): the same
 * reads as the live state's (StateReader), and an account's proof against that block's root.
 * Addresses and tokens are looked up in the live state — an index or a token id, once given,
 * never changes — and refused when they came after the block.
 */
import { rootFromPath } from "../core/accountProof";
import { accountLeaf, stateRoot } from "../core/hashing";
import type { L2Token } from "../core/tokenRegistry";
import { tokenRoot } from "../core/tokenTree";
import { allowanceKey, allowanceRoot } from "../core/allowanceTree";
import type { BlockSummary, PastReads } from "./historyLog";
import type { StateReader } from "./stateReader";
import { HistoryInconsistentError, ProofNotKeptError } from "./historyErrors";

/** An account's proof at a block: its leaf fields, its path, and what the block's state root commits to. */
export interface AccountAtBlock {
  address: string;
  /** Its index in the account tree; null: no account at that address then. */
  index: number | null;
  nonce: bigint;
  balance: bigint;
  tokenRoot: Buffer | null;
  /** Root of the allowances it had given then (null with no account). */
  allowanceRoot: Buffer | null;
  /** Sibling hashes, leaf level first (empty with no account). */
  siblings: Buffer[];
  accountsRoot: Buffer;
  accountCount: number;
  queueIndex: bigint;
  withdrawalCount: bigint;
  tokenCount: number;
  stateRoot: Buffer;
}

export class HistoricalState implements StateReader {
  constructor(
    private readonly history: PastReads,
    /** The block whose post-state this is. */
    readonly blockNumber: number,
    private readonly summary: BlockSummary,
  ) {}

  get accountCount(): number {
    return this.summary.accountCount;
  }

  indexOf(address: string): number | undefined {
    const i = this.history.state.indexOf(address);
    return i !== undefined && i < this.summary.accountCount ? i : undefined;
  }

  accountOf(address: string): { nonce: bigint; balance: bigint } | undefined {
    const i = this.indexOf(address);
    return i === undefined ? undefined : (this.history.accountAt(i, this.blockNumber) ?? undefined);
  }

  tokenBalance(index: number, tokenId: number): bigint {
    return index < this.summary.accountCount ? this.history.tokenAt(index, tokenId, this.blockNumber) : 0n;
  }

  allowance(owner: number, tokenId: number, spender: number): bigint {
    // A spender index from after this block names an account that could not have been approved then.
    if (owner >= this.summary.accountCount || spender >= this.summary.accountCount) return 0n;
    return this.history.allowanceAt(owner, allowanceKey(tokenId, spender), this.blockNumber);
  }

  tokenBalances(address: string): Array<[number, bigint]> {
    const i = this.indexOf(address);
    return i === undefined ? [] : [...this.history.tokensAt(i, this.blockNumber)];
  }

  tokenByL2Address(l2Address: string): L2Token | undefined {
    const token = this.history.state.tokenByL2Address(l2Address);
    return token && token.id < this.summary.tokenCount ? token : undefined;
  }

  token(id: number): L2Token | undefined {
    return id < this.summary.tokenCount ? this.history.state.token(id) : undefined;
  }

  tokenSupply(tokenId: number): bigint {
    return tokenId < this.summary.tokenCount ? this.history.supplyAt(tokenId, this.blockNumber) : 0n;
  }

  /** The block's state root, from what the history keeps of it (null where it kept no tree: see ProofNotKeptError). */
  get stateRoot(): Buffer | null {
    const accountsRoot = this.summary.accountsRoot;
    return accountsRoot && stateRoot({ ...this.summary, accountsRoot });
  }

  /**
   * `address`'s account and its Merkle path at this block. The leaf and path are checked against
   * the block's accounts root before they are given out: HistoryInconsistentError if they miss.
   * ProofNotKeptError at a block whose tree was not kept.
   */
  proof(address: string): AccountAtBlock {
    const s = this.summary;
    const accountsRoot = s.accountsRoot;
    if (!accountsRoot) throw new ProofNotKeptError(this.blockNumber);
    const base = { address, accountsRoot, accountCount: s.accountCount, queueIndex: s.queueIndex, withdrawalCount: s.withdrawalCount, tokenCount: s.tokenCount, stateRoot: stateRoot({ ...s, accountsRoot }) };
    const index = this.indexOf(address);
    const fields = index === undefined ? null : this.history.accountAt(index, this.blockNumber);
    if (index === undefined || !fields) return { ...base, index: null, nonce: 0n, balance: 0n, tokenRoot: null, allowanceRoot: null, siblings: [] };
    const root = tokenRoot(this.history.tokensAt(index, this.blockNumber));
    const allowances = allowanceRoot(this.history.allowancesAt(index, this.blockNumber));
    const leaf = accountLeaf(address, fields.nonce, fields.balance, root, allowances);
    if (!leaf.equals(this.history.nodeAt(0, index, this.blockNumber))) throw new HistoryInconsistentError(this.blockNumber, `account ${index}'s fields do not hash to its kept leaf`);
    const siblings = this.history.pathAt(index, this.blockNumber);
    if (!rootFromPath(leaf, index, siblings).equals(accountsRoot)) throw new HistoryInconsistentError(this.blockNumber, `account ${index}'s path does not reach the block's accounts root`);
    return { ...base, index, nonce: fields.nonce, balance: fields.balance, tokenRoot: root, allowanceRoot: allowances, siblings };
  }
}
