/**
 * What the JSON-RPC reads of a state — accounts, token balances, allowances, tokens, supplies — whether the
 * state is the node's live one or a past block's (history.ts): one interface, so every read
 * method answers at any block the same way.
 */
import type { L2State } from "../core/state";
import type { L2Token } from "../core/tokenRegistry";

/** The reads the live L2State and a past block's state answer by the same names. */
export interface AccountsView {
  /** Accounts that exist in this state. */
  readonly accountCount: number;
  /** The index of `address`'s account, if it has one in this state. */
  indexOf(address: string): number | undefined;
  /** Nonce and ETH balance of `address`, if it has an account in this state. */
  accountOf(address: string): { readonly nonce: bigint; readonly balance: bigint } | undefined;
  /** Account `index`'s balance of token `tokenId` (the account must exist in this state). */
  tokenBalance(index: number, tokenId: number): bigint;
  /** What account `owner` allows account `spender` to take of token `tokenId` (both must exist in this state). */
  allowance(owner: number, tokenId: number, spender: number): bigint;
  /** A token registered in this state, by its L2 address. */
  tokenByL2Address(l2Address: string): L2Token | undefined;
}

export interface StateReader extends AccountsView {
  /** The non-zero token balances of `address`, by token id. */
  tokenBalances(address: string): Array<[number, bigint]>;
  token(id: number): L2Token | undefined;
  /** The sum of every balance of token `tokenId`. */
  tokenSupply(tokenId: number): bigint;
}

/** The live state as a reader: on the sequencer, with the open block's changes. */
export function liveReader(state: L2State): StateReader {
  return {
    get accountCount() {
      return state.accountCount;
    },
    indexOf: (address) => state.indexOf(address),
    accountOf: (address) => state.accountOf(address),
    tokenBalance: (index, tokenId) => state.tokenBalance(index, tokenId),
    allowance: (owner, tokenId, spender) => state.allowance(owner, tokenId, spender),
    tokenBalances: (address) => {
      const tokens = state.accountOf(address)?.tokens;
      return tokens ? [...tokens].filter(([, v]) => v > 0n).sort(([a], [b]) => a - b) : [];
    },
    tokenByL2Address: (l2Address) => state.tokenByL2Address(l2Address),
    token: (id) => state.token(id),
    tokenSupply: (tokenId) => state.totals().tokens.get(tokenId) ?? 0n,
  };
}
