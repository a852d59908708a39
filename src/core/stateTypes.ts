/** The types L2State's methods take and return (state.ts re-exports them). */
export interface Account {
  readonly address: string;
  nonce: bigint;
  balance: bigint;
  /** Non-zero token balances by token id (a shared empty map until the account holds a token). */
  readonly tokens: ReadonlyMap<number, bigint>;
  /** Non-zero allowances this account gave, by allowance key (allowanceTree.ts) (shared empty map until it gives one). */
  readonly allowances: ReadonlyMap<number, bigint>;
}

/** The parts of a state that are not accounts. */
export interface StateMeta {
  accountCount: number;
  /** L1 addresses of the registered tokens, by id. */
  tokens: string[];
  queueIndex: bigint;
  withdrawalCount: bigint;
}

/** Every account, token balance and allowance a run of operations read or wrote: what a fraud proof must witness. */
export interface AccessLog {
  accounts: Set<number>;
  tokens: Map<number, Set<number>>;
  /** Allowance keys read or written, by owner. */
  allowances: Map<number, Set<number>>;
}

export function emptyAccessLog(): AccessLog {
  return { accounts: new Set(), tokens: new Map(), allowances: new Map() };
}

/** An account as a store keeps it, for L2State.restore. */
export interface StoredAccount {
  address: string;
  nonce: bigint;
  balance: bigint;
  tokens: Array<[number, bigint]>;
  allowances?: Array<[number, bigint]>;
}
