/**
 * Which blocks a state history (history.ts) holds changed each key — each account (and its
 * leaf), token balance, allowance, supply and kept tree node — in block order. A key changed once in the window is one
 * number in a map, a key changed more often one array: most keys are the first kind, and an
 * array a key would cost several times the change itself. Blocks are filed newest last and
 * unfiled from either end — the newest when a replica's batch is dropped, the oldest when it
 * leaves the window — so each key's blocks stay sorted and a lookup is a binary search.
 */
import type { BlockChanges } from "./historyLog";

type End = "first" | "last";
type Blocks = number | number[];

/** The blocks that changed each key of one kind. */
class BlockLists<K> {
  private readonly map = new Map<K, Blocks>();

  get size(): number {
    return this.map.size;
  }

  keys(): Iterable<K> {
    return this.map.keys();
  }

  add(key: K, block: number): void {
    const v = this.map.get(key);
    if (v === undefined) this.map.set(key, block);
    else if (typeof v === "number") this.map.set(key, [v, block]);
    else v.push(block);
  }

  remove(key: K, end: End): void {
    const v = this.map.get(key);
    if (typeof v === "number") {
      this.map.delete(key);
      return;
    }
    if (!v) return;
    if (end === "last") v.pop();
    else v.shift();
    if (v.length === 1) this.map.set(key, v[0]);
  }

  /** The first block after `n` that changed `key`. */
  firstAfter(key: K, n: number): number | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    if (typeof v === "number") return v > n ? v : undefined;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v[mid] > n) hi = mid;
      else lo = mid + 1;
    }
    return v[lo];
  }
}

const SPAN = 2 ** 24;

export class ChangeIndex {
  readonly accounts = new BlockLists<number>();
  /** By account, then by token: an account's tokens changed in the window are its inner keys. */
  private readonly tokens = new Map<number, BlockLists<number>>();
  readonly supplies = new BlockLists<number>();
  readonly nodes = new BlockLists<number>();
  /** By owner, then by allowance key (as tokens: the pair does not fit one exact number). */
  private readonly allowances = new Map<number, BlockLists<number>>();

  /** Files block `n`'s changes: it must be newer than every block filed. */
  add(n: number, c: BlockChanges): void {
    const { keys, ends } = c;
    for (let k = 0; k < ends[0]; k++) this.accounts.add(keys[k], n);
    for (let k = ends[0]; k < ends[1]; k++) {
      const account = Math.floor(keys[k] / SPAN);
      let byToken = this.tokens.get(account);
      if (!byToken) this.tokens.set(account, (byToken = new BlockLists()));
      byToken.add(keys[k] % SPAN, n);
    }
    for (let k = ends[1]; k < ends[2]; k++) this.supplies.add(keys[k], n);
    for (let k = ends[2]; k < ends[3]; k++) this.nodes.add(keys[k], n);
    const a = c.allowances;
    if (a) {
      for (let k = 0; k < a.owners.length; k++) {
        let byKey = this.allowances.get(a.owners[k]);
        if (!byKey) this.allowances.set(a.owners[k], (byKey = new BlockLists()));
        byKey.add(a.keys[k], n);
      }
    }
  }

  /** Unfiles a block's changes: the newest block filed (`end` "last") or the oldest ("first"). */
  remove(c: BlockChanges, end: End): void {
    const { keys, ends } = c;
    for (let k = 0; k < ends[0]; k++) this.accounts.remove(keys[k], end);
    for (let k = ends[0]; k < ends[1]; k++) {
      const account = Math.floor(keys[k] / SPAN);
      const byToken = this.tokens.get(account)!;
      byToken.remove(keys[k] % SPAN, end);
      if (byToken.size === 0) this.tokens.delete(account);
    }
    for (let k = ends[1]; k < ends[2]; k++) this.supplies.remove(keys[k], end);
    for (let k = ends[2]; k < ends[3]; k++) this.nodes.remove(keys[k], end);
    const a = c.allowances;
    if (a) {
      for (let k = 0; k < a.owners.length; k++) {
        const byKey = this.allowances.get(a.owners[k])!;
        byKey.remove(a.keys[k], end);
        if (byKey.size === 0) this.allowances.delete(a.owners[k]);
      }
    }
  }

  /** The first block after `n` that changed account `index`'s balance of `token`. */
  token(index: number, token: number, n: number): number | undefined {
    return this.tokens.get(index)?.firstAfter(token, n);
  }

  /** The first block after `n` that changed owner `owner`'s allowance `key`. */
  allowance(owner: number, key: number, n: number): number | undefined {
    return this.allowances.get(owner)?.firstAfter(key, n);
  }

  /** The allowance keys owner `owner` had changed in a block held. */
  allowanceKeys(owner: number): Iterable<number> {
    return this.allowances.get(owner)?.keys() ?? [];
  }

  /** The tokens whose balance account `index` had changed in a block held. */
  tokenIds(index: number): Iterable<number> {
    return this.tokens.get(index)?.keys() ?? [];
  }
}
