/**
 * The chaos run's hold on the in-process L1: an outage of one node's L1 provider, manual mining
 * with transactions dropped from the mempool, and L1 time jumps (the run compresses hours of L1
 * time into seconds: an inclusion window or a sequencer timeout is one evm_increaseTime).
 */
import { HDNodeWallet, Mnemonic } from "ethers";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import type { EthereumProvider } from "hardhat/types";

/** Hardhat's default accounts (10,000 ETH each on the in-process L1), as ethers Wallets. */
const HARDHAT_MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");

/** Hardhat default account `index` as a Wallet: nodes sign locally and broadcast raw, as `cairn node` does. */
export function hardhatKey(index: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(HARDHAT_MNEMONIC, `m/44'/60'/0'/0/${index}`);
}

/** A connection error as a provider meets it when the L1 node is unreachable. */
class L1UnreachableError extends Error {
  constructor(
    readonly code: "ECONNREFUSED" | "ETIMEDOUT",
    method: string,
  ) {
    super(`${method}: ${code === "ECONNREFUSED" ? "connect ECONNREFUSED" : "request timed out"} (chaos: L1 outage)`);
  }
}

/**
 * One node's view of L1 that can go down, in two ways: refused (every request fails at once, as
 * with the L1 node's port closed) or black-holed (every request hangs until the outage ends and
 * then fails, as a request that timed out: the node's loops wait on it meanwhile). Everyone
 * else's L1 stays up.
 */
export class L1Outage {
  /** An ethers provider over the in-process L1 that goes down with the switch. */
  readonly provider: HardhatEthersProvider;
  private mode: "up" | "refused" | "black hole" = "up";
  private readonly held: Array<() => void> = [];
  /** Requests failed while down. */
  failed = 0;

  constructor(inner: EthereumProvider) {
    const gated = new Proxy(inner, {
      get: (target, prop, receiver) => {
        if (prop === "send") return (method: string, params?: unknown[]) => this.gate(method).then(() => target.send(method, params));
        if (prop === "request") return (args: { method: string; params?: unknown[] }) => this.gate(args.method).then(() => target.request(args));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    this.provider = new HardhatEthersProvider(gated, "hardhat");
  }

  /** Down: every request refused, or (black hole) held until the outage ends. */
  begin(mode: "refused" | "black hole"): void {
    this.mode = mode;
  }

  /** Back up: the requests held in the black hole fail now, as timed-out requests would. */
  end(): void {
    this.mode = "up";
    for (const release of this.held.splice(0)) release();
  }

  private async gate(method: string): Promise<void> {
    if (this.mode === "up") return;
    this.failed++;
    if (this.mode === "refused") throw new L1UnreachableError("ECONNREFUSED", method);
    await new Promise<void>((resolve) => this.held.push(resolve));
    throw new L1UnreachableError("ETIMEDOUT", method);
  }
}

export interface PendingTx {
  hash: string;
  from: string;
  to: string | null;
  input: string;
}

/** Mining and time on the in-process L1. */
export class L1Control {
  constructor(private readonly provider: EthereumProvider) {}

  async setAutomine(on: boolean): Promise<void> {
    await this.provider.send("evm_setAutomine", [on]);
  }

  /** Transactions in the mempool (Hardhat's pending block). */
  async pending(): Promise<PendingTx[]> {
    const block = (await this.provider.send("eth_getBlockByNumber", ["pending", true])) as { transactions: PendingTx[] } | null;
    return block?.transactions ?? [];
  }

  /** Removes a transaction from the mempool, as an eviction or an L1 node restart would. */
  async drop(hash: string): Promise<boolean> {
    return (await this.provider.send("hardhat_dropTransaction", [hash])) as boolean;
  }

  async mine(): Promise<void> {
    await this.provider.send("evm_mine", []);
  }

  /** Moves L1 time `seconds` ahead and mines a block at the new time. */
  async warp(seconds: number): Promise<void> {
    await this.provider.send("evm_increaseTime", [seconds]);
    await this.mine();
  }

  async latestBlockNumber(): Promise<number> {
    return Number((await this.provider.send("eth_blockNumber", [])) as string);
  }

  async latestTimestamp(): Promise<number> {
    const block = (await this.provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
    return Number(block.timestamp);
  }
}
