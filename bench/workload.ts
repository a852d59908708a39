/**
 * The benchmark workload: 10,000 accounts whose activity follows a Zipf law, sending round
 * amounts as wallets do, signed by real keys. Seeded, so every run measures the same traffic.
 */
import { Wallet, type HDNodeWallet } from "ethers";
import { L2State } from "../src/core/state";
import { parseRawTransaction, type ParsedTx } from "../src/core/intake";

export const CHAIN_ID = 51730n;
export const BASE_FEE = 10_000_000n;

/** mulberry32: a small, fast, seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks ranks 0..n-1 with probability ∝ 1 / (rank + 1)^s. */
export function zipf(n: number, s: number, random: () => number): () => number {
  const cdf: number[] = [];
  let sum = 0;
  for (let r = 0; r < n; r++) cdf.push((sum += 1 / Math.pow(r + 1, s)));
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface Workload {
  state: L2State;
  wallets: HDNodeWallet[];
  /** Activity rank → account index: a random permutation, so busy accounts are not favoured. */
  indexOfRank: number[];
}

/** A state of `accounts` funded accounts (ETH and token 0), indices shuffled against activity. */
export function fundedState(accounts: number, seed: number, tokenL1 = "0x00000000000000000000000000000000000c0ffe"): Workload {
  const state = L2State.genesis();
  state.registerToken(tokenL1);
  return { state, ...fill(state, accounts, rng(seed)) };
}

function fill(state: L2State, accounts: number, random: () => number): Omit<Workload, "state"> {
  // Deterministic keys without BIP-32 derivation cost.
  const wallets = Array.from({ length: accounts }, (_, i) => new Wallet("0x" + (BigInt(i + 1) * 0x9e3779b97f4a7c15n + 0x1234567n).toString(16).padStart(64, "0")) as unknown as HDNodeWallet);
  const order = wallets.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const indexOfRank = new Array<number>(accounts);
  for (const rank of order) {
    const index = state.createAccount(wallets[rank].address.toLowerCase());
    state.setBalance(index, 10n ** 21n);
    state.setTokenBalance(index, 0, 10n ** 24n);
    indexOfRank[rank] = index;
  }
  state.root();
  return { wallets, indexOfRank };
}

/** A round amount, as people send: one or two significant digits. */
export function roundAmount(random: () => number): bigint {
  const digits = BigInt(1 + Math.floor(random() * 99));
  return digits * 10n ** BigInt(14 + Math.floor(random() * 4));
}

export interface Transfer {
  parsed: ParsedTx;
  raw: string;
}

/** `count` signed transfers (ETH or token) between Zipf-chosen accounts, nonces in order. */
export async function signTransfers(w: Workload, count: number, kind: "eth" | "token", seed: number, l2Token: string): Promise<Transfer[]> {
  const random = rng(seed);
  const pick = zipf(w.wallets.length, 1, random);
  const nonces = new Map<number, number>();
  const out: Transfer[] = [];
  const erc20 = "0xa9059cbb";
  for (let i = 0; i < count; i++) {
    const from = pick();
    let to = pick();
    if (to === from) to = (to + 1) % w.wallets.length;
    const nonce = nonces.get(from) ?? Number(w.state.account(w.indexOfRank[from]).nonce);
    nonces.set(from, nonce + 1);
    const toAddress = w.wallets[to].address;
    const amount = roundAmount(random);
    const tx =
      kind === "eth"
        ? { to: toAddress, value: amount, gasLimit: 23_000n }
        : { to: l2Token, data: erc20 + "00".repeat(12) + toAddress.slice(2).toLowerCase() + amount.toString(16).padStart(64, "0"), gasLimit: 47_000n };
    const raw = await w.wallets[from].signTransaction({ type: 2, chainId: CHAIN_ID, nonce, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx });
    out.push({ raw, parsed: parseRawTransaction(raw, CHAIN_ID) });
  }
  return out;
}
