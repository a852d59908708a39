/**
 * The L2 supply: the sum of every ETH balance and of each token's balances, which is what the
 * L1 escrow must cover. Kept as running sums as balances change, so that totalSupply is O(1),
 * and countable from scratch to check them.
 */

export interface Supply {
  eth: bigint;
  /** By token id; a token nobody holds may be missing. */
  tokens: Map<number, bigint>;
}

/** The sums counted account by account (O(accounts)): what the running sums must equal. */
export function countSupply(accounts: Iterable<{ readonly balance: bigint; readonly tokens: ReadonlyMap<number, bigint> }>): Supply {
  let eth = 0n;
  const tokens = new Map<number, bigint>();
  for (const a of accounts) {
    eth += a.balance;
    for (const [id, v] of a.tokens) tokens.set(id, (tokens.get(id) ?? 0n) + v);
  }
  return { eth, tokens };
}

/** Running sums of every balance, moved by each change's difference. */
export class RunningSupply {
  private eth = 0n;
  private readonly tokens = new Map<number, bigint>();

  addEth(delta: bigint): void {
    this.eth += delta;
  }

  addToken(tokenId: number, delta: bigint): void {
    if (delta !== 0n) this.tokens.set(tokenId, (this.tokens.get(tokenId) ?? 0n) + delta);
  }

  /** Starts the sums at `supply` (a state rebuilt from a store, whose balances were set directly). */
  reset(supply: Supply): void {
    this.eth = supply.eth;
    this.tokens.clear();
    for (const [id, v] of supply.tokens) this.tokens.set(id, v);
  }

  /** The sums now; tokens whose sum is zero are left out. */
  current(): Supply {
    return { eth: this.eth, tokens: new Map([...this.tokens].filter(([, v]) => v !== 0n)) };
  }
}
