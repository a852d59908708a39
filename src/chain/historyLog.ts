/**
 * What one block changed, as a state history (history.ts) keeps it: the values each key had
 * before the block ("priors"), the keys sorted kind by kind in one typed array and the priors
 * packed at the same positions in one buffer — so a block is a few objects whatever it
 * changed (the collector's work grows with objects, not bytes), and finding a key in it is a
 * binary search. And the kept levels of the account tree as of the newest block (NodeShadow).
 */
import { ACCOUNT_TREE_DEPTH } from "../core/constants";
import { zeroHashes } from "../core/merkle";
import { bytesToBigint } from "../core/bytes";
import type { L2State } from "../core/state";
import { HistoryInconsistentError } from "./historyErrors";

const WORD = 32;

/** Nonce and ETH balance: the fields of an account leaf besides its address and token root. */
export interface AccountFields {
  readonly nonce: bigint;
  readonly balance: bigint;
}

/** Whether an account's fields are what they were (null: it did not exist). */
export const sameAccount = (a: AccountFields | null, b: AccountFields | undefined): boolean => (a === null ? b === undefined : b !== undefined && a.nonce === b.nonce && a.balance === b.balance);

/** An account's prior: existed (1 byte) ‖ nonce (8) ‖ balance (32) ‖ leaf (32). */
export const ACCOUNT_PRIOR = 73;
const WORD_PRIOR = WORD;

/** The kinds of key a block changes, in the order they are laid out. */
export const Kind = { Account: 0, Token: 1, Supply: 2, Node: 3 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/**
 * What one block changed: its keys kind by kind (accounts, {@link tokenKey}s, token ids for
 * supplies, {@link nodeKey}s of kept nodes other than leaves), each kind ascending, and their
 * priors at the same positions in one buffer — {@link ACCOUNT_PRIOR} bytes an account, a word
 * for each other key. Two buffers a block, whatever it changed.
 */
export interface BlockChanges {
  readonly keys: Float64Array;
  readonly priors: Buffer;
  /** Where each kind's keys end in `keys`. */
  readonly ends: readonly [number, number, number, number];
  /** The allowances the block changed (absent: none, as in most blocks). */
  readonly allowances?: AllowanceChanges;
}

/**
 * The allowances one block changed, apart from {@link BlockChanges.keys}: an owner and an
 * allowance key (allowanceTree.ts, 48 bits) together take 72 bits, more than a float holds
 * exactly, so they are two arrays — the pairs ascending by owner, then key — with each prior a
 * word at the pair's position in `priors`.
 */
export interface AllowanceChanges {
  readonly owners: Float64Array;
  readonly keys: Float64Array;
  readonly priors: Buffer;
}

/** Block changes `c` with `allowances` (pairs ascending, priors in the same order), or `c` itself without any. */
export function withAllowances(c: BlockChanges, allowances: ReadonlyArray<readonly [owner: number, key: number, prior: bigint]>): BlockChanges {
  if (allowances.length === 0) return c;
  const priors = Buffer.alloc(allowances.length * WORD);
  allowances.forEach(([, , prior], i) => writeWord(priors, i * WORD, prior));
  return { ...c, allowances: { owners: Float64Array.from(allowances, ([o]) => o), keys: Float64Array.from(allowances, ([, k]) => k), priors } };
}

/** The allowances that differ from the priors noted since the last capture, as (owner, key, prior), ascending; their owners are added to `owners`. */
export function changedAllowances(pending: ReadonlyMap<number, ReadonlyMap<number, bigint>>, state: L2State, owners: Set<number>): Array<[number, number, bigint]> {
  const out: Array<[number, number, bigint]> = [];
  for (const [owner, priors] of pending) {
    const given = state.peek(owner)?.allowances;
    for (const [key, prior] of priors) {
      if ((given?.get(key) ?? 0n) === prior) continue;
      out.push([owner, key, prior]);
      owners.add(owner);
    }
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** Notes `old` as account `index`'s prior at `key`, unless one is noted already (the first value since the last capture is the prior). */
export function notePrior(pending: Map<number, Map<number, bigint>>, index: number, key: number, old: bigint): void {
  let priors = pending.get(index);
  if (!priors) pending.set(index, (priors = new Map()));
  if (!priors.has(key)) priors.set(key, old);
}

/** The non-zero values `read` gives at every key of `keys` (which may repeat), by key ascending. */
export function nonZeroAt(keys: ReadonlyArray<Iterable<number>>, read: (key: number) => bigint): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const key of [...new Set(keys.flatMap((k) => [...k]))].sort((a, b) => a - b)) {
    const v = read(key);
    if (v !== 0n) out.set(key, v);
  }
  return out;
}

/** Owner `owner`'s allowance `key` before block `b`, whose changes `c` are filed as changing it. */
export function allowancePriorAt(c: BlockChanges, b: number, owner: number, key: number): bigint {
  const prior = c.allowances && allowancePriorIn(c.allowances, owner, key);
  if (!prior) throw new HistoryInconsistentError(b, `block ${b} is filed as changing allowance ${key} of account ${owner} but keeps no prior of it`);
  return bytesToBigint(prior);
}

/** The prior of owner `owner`'s allowance `key` kept in `a`, or undefined if the block did not change it. A view. */
function allowancePriorIn(a: AllowanceChanges, owner: number, key: number): Buffer | undefined {
  let lo = 0;
  let hi = a.owners.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const o = a.owners[mid];
    const k = a.keys[mid];
    if (o === owner && k === key) return a.priors.subarray(mid * WORD, (mid + 1) * WORD);
    if (o < owner || (o === owner && k < key)) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** What a state root commits to after a block, and the block's hash once it is appended. */
export interface BlockSummary {
  hash: string | null;
  /** Null for a block whose tree was not kept (inside a settled batch a replica replayed at once): no proof at it. */
  readonly accountsRoot: Buffer | null;
  readonly accountCount: number;
  readonly queueIndex: bigint;
  readonly withdrawalCount: bigint;
  readonly tokenCount: number;
}

/** Account `account`'s balance of `token` as one number (both are below 2^24). */
export const tokenKey = (account: number, token: number): number => account * 2 ** 24 + token;

/** What a block that changed nothing kept (one object for all of them). */
const NO_CHANGES: BlockChanges = { keys: new Float64Array(0), priors: Buffer.alloc(0), ends: [0, 0, 0, 0] };

/** Where kind `kind`'s keys are in `c.keys`: [from, to). */
export function section(c: BlockChanges, kind: Kind): [number, number] {
  return [kind === Kind.Account ? 0 : c.ends[kind - 1], c.ends[kind]];
}

/** Where `key` of kind `kind` is in `c.keys`, or -1. */
export function positionOf(c: BlockChanges, kind: Kind, key: number): number {
  let [lo, hi] = section(c, kind);
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = c.keys[mid];
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Where the prior of the key at position `k` starts in `c.priors`. */
function priorOffset(c: BlockChanges, k: number): number {
  const accounts = c.ends[0];
  return k < accounts ? k * ACCOUNT_PRIOR : accounts * ACCOUNT_PRIOR + (k - accounts) * WORD_PRIOR;
}

/** A block's changes from its keys, kind by kind, and the priors written by `write` at each key's offset. */
export function blockChanges(byKind: readonly [number[], number[], number[], number[]], write: (priors: Buffer, kind: Kind, i: number, at: number) => void): BlockChanges {
  if (byKind.every((list) => list.length === 0)) return NO_CHANGES;
  const keys = new Float64Array(byKind[0].length + byKind[1].length + byKind[2].length + byKind[3].length);
  const ends: [number, number, number, number] = [0, 0, 0, 0];
  let k = 0;
  byKind.forEach((list, kind) => {
    keys.set(list, k);
    k += list.length;
    ends[kind] = k;
  });
  // Exactly sized, not from Buffer's shared pool: a block's priors live as long as the block is kept.
  const c: BlockChanges = { keys, priors: Buffer.alloc(byKind[0].length * ACCOUNT_PRIOR + (k - byKind[0].length) * WORD_PRIOR), ends };
  byKind.forEach((list, kind) => list.forEach((_, i) => write(c.priors, kind as Kind, i, priorOffset(c, section(c, kind as Kind)[0] + i))));
  return c;
}

/** An account's prior: its nonce and balance (null: it did not exist), and its leaf. */
export function writeAccountPrior(out: Buffer, at: number, prior: AccountFields | null, leaf: Buffer): void {
  if (prior) {
    out[at] = 1;
    out.writeBigUInt64BE(prior.nonce, at + 1);
    writeWord(out, at + 9, prior.balance);
  }
  leaf.copy(out, at + 41);
}

export function accountPriorAt(c: BlockChanges, k: number): AccountFields | null {
  const at = priorOffset(c, k);
  if (c.priors[at] === 0) return null;
  return { nonce: c.priors.readBigUInt64BE(at + 1), balance: bytesToBigint(c.priors.subarray(at + 9, at + 41)) };
}

/** The leaf kept with the account prior at position `k`. A view. */
export function leafPriorAt(c: BlockChanges, k: number): Buffer {
  const at = priorOffset(c, k) + 41;
  return c.priors.subarray(at, at + WORD);
}

/** The word prior at position `k` (a token balance, a supply or a node hash). A view. */
export function wordPriorAt(c: BlockChanges, k: number): Buffer {
  const at = priorOffset(c, k);
  return c.priors.subarray(at, at + WORD);
}

/** Writes `v` as a 32-byte big-endian word at byte `at` (a balance or supply). */
export function writeWord(out: Buffer, at: number, v: bigint): void {
  out.write(v.toString(16).padStart(64, "0"), at, WORD, "hex");
}

// --- account-tree nodes ------------------------------------------------------------------------

/**
 * The levels of the account tree whose nodes are kept: every STRIDE-th, leaves included. A node
 * between two is hashed from at most 2^(STRIDE-1) kept ones below it when a proof needs it: a
 * proof costs ~66 hashes, and a block keeps ~1/4 of the nodes it changed.
 */
export const STRIDE = 4;
export const KEPT_LEVELS: readonly number[] = Array.from({ length: Math.ceil(ACCOUNT_TREE_DEPTH / STRIDE) }, (_, i) => i * STRIDE);

const LEVEL_SPAN = 2 ** ACCOUNT_TREE_DEPTH;
/** A kept node as one small integer: level · 2^24 + index (below 2^31 for level ≤ 20). */
export const nodeKey = (level: number, index: number): number => level * LEVEL_SPAN + index;
export const keyLevel = (key: number): number => Math.floor(key / LEVEL_SPAN);
export const keyIndex = (key: number): number => key % LEVEL_SPAN;

const ZERO = zeroHashes(ACCOUNT_TREE_DEPTH);

/**
 * The kept levels' nodes as of the newest block the history holds, one growable buffer a
 * level: the value of every node no later block changed. Level 0 holds every leaf (32 bytes an
 * account); each level above a sixteenth as many.
 */
export class NodeShadow {
  private readonly levels: Buffer[] = [];
  private readonly sizes: number[] = [];

  /** Node `index` of kept level `level` (an empty subtree's hash past what was set). A view: copy it to keep it. */
  get(level: number, index: number): Buffer {
    if (index >= (this.sizes[level] ?? 0)) return ZERO[level];
    return this.levels[level].subarray(index * WORD, (index + 1) * WORD);
  }

  /** Whether node `index` of `level` is `hash`, without a view. */
  is(level: number, index: number, hash: Buffer): boolean {
    if (index >= (this.sizes[level] ?? 0)) return ZERO[level].equals(hash);
    return hash.compare(this.levels[level], index * WORD, (index + 1) * WORD) === 0;
  }

  /** Copies node `index` of `level` into `out` at byte `at`. */
  copy(level: number, index: number, out: Buffer, at: number): void {
    if (index >= (this.sizes[level] ?? 0)) ZERO[level].copy(out, at);
    else this.levels[level].copy(out, at, index * WORD, (index + 1) * WORD);
  }

  set(level: number, index: number, hash: Uint8Array): void {
    const size = this.sizes[level] ?? 0;
    if (index >= size) {
      let buf = this.levels[level] ?? Buffer.alloc(0);
      if ((index + 1) * WORD > buf.length) {
        const grown = Buffer.alloc(Math.max(index + 1, Math.ceil((buf.length / WORD) * 1.5), 16) * WORD);
        buf.copy(grown, 0, 0, size * WORD);
        buf = this.levels[level] = grown;
      }
      // Slots between the old size and this one read as empty subtrees.
      for (let i = size; i < index; i++) ZERO[level].copy(buf, i * WORD);
      this.sizes[level] = index + 1;
    }
    this.levels[level].set(hash, index * WORD);
  }

  /** Bytes held (for the memory figures). */
  get bytes(): number {
    return this.levels.reduce((sum, b) => sum + (b?.length ?? 0), 0);
  }
}

/** What a past block's state (historicalState.ts) reads of a history, at a block it holds. */
export interface PastReads {
  readonly state: L2State;
  accountAt(index: number, n: number): AccountFields | null;
  tokenAt(index: number, token: number, n: number): bigint;
  tokensAt(index: number, n: number): Map<number, bigint>;
  /** Owner `owner`'s allowance at `key` (allowanceTree.ts's allowanceKey) at block `n`. */
  allowanceAt(owner: number, key: number, n: number): bigint;
  /** Owner `owner`'s non-zero allowances at block `n`, by key. */
  allowancesAt(owner: number, n: number): Map<number, bigint>;
  supplyAt(token: number, n: number): bigint;
  nodeAt(level: number, index: number, n: number): Buffer;
  pathAt(index: number, n: number): Buffer[];
}
