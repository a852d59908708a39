/**
 * The amount maps an account keeps — its token balances and the allowances it has given — made
 * on first write (most accounts never write one), and the access log's per-owner key sets.
 */
/** The maps of an account (state.ts's Account), as far as these helpers need them. */
interface Account {
  readonly tokens: ReadonlyMap<number, bigint>;
  readonly allowances: ReadonlyMap<number, bigint>;
}

/** Shared by every account without tokens or allowances: most accounts, at a few hundred bytes each. */
export const NONE: ReadonlyMap<number, bigint> = new Map();

/** The account's own token map, made on first write. */
export function ownTokens(a: Account): Map<number, bigint> {
  if (a.tokens === NONE) (a as { tokens: ReadonlyMap<number, bigint> }).tokens = new Map();
  return a.tokens as Map<number, bigint>;
}

/** The account's own allowance map, made on first write. */
export function ownAllowances(a: Account): Map<number, bigint> {
  if (a.allowances === NONE) (a as { allowances: ReadonlyMap<number, bigint> }).allowances = new Map();
  return a.allowances as Map<number, bigint>;
}

/** Sets or (at zero) deletes `key` of an amount map. */
export function put(map: Map<number, bigint>, key: number, amount: bigint): void {
  if (amount === 0n) map.delete(key);
  else map.set(key, amount);
}

/** Adds `key` to `owner`'s set in an access log's map. */
export function track(log: Map<number, Set<number>>, owner: number, key: number): void {
  let set = log.get(owner);
  if (!set) log.set(owner, (set = new Set()));
  set.add(key);
}
