/**
 * The L2 chain as the explorer indexes it, read through the L2 JSON-RPC: every block with its
 * transactions summarized, the transactions of each address, and the withdrawals made. The RPC
 * has no "transactions of an address" and ETH transfers emit no log, so the explorer reads
 * each block once, as it appears, and keeps what it needs in memory (a few hundred bytes a
 * transaction: an explorer for a devnet or a modest chain, not an archive for years of traffic).
 */
import { AbiCoder, getAddress, type JsonRpcProvider } from "ethers";
import { TOPIC_WITHDRAWAL, WITHDRAWAL_PREDEPLOY } from "../core/constants";
import type { TxSummary } from "./api";
import { movementOf, type RawTx, type TokenLookup } from "./decode";

/** Blocks asked for at once while catching up. */
const PARALLEL = 25;
/** The L2 caps eth_getLogs at 10,000 blocks a query. */
const LOG_RANGE = 10_000;

export interface IndexedBlock {
  number: number;
  hash: string;
  parentHash: string;
  time: number;
  txs: TxSummary[];
}

export interface WithdrawalLog {
  id: number;
  l2Block: number;
  l2Tx: string;
  l2Sender: string;
  l1Recipient: string;
  l1Token: string;
  amount: bigint;
}

interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  transactions: Array<RawTx & { hash: string; from: string }>;
}

const coder = AbiCoder.defaultAbiCoder();

export class ChainIndex {
  readonly blocks: IndexedBlock[] = [];
  readonly withdrawals: WithdrawalLog[] = [];
  private readonly byHash = new Map<string, TxSummary>();
  private readonly blockNumbers = new Map<string, number>();
  private readonly byAddress = new Map<string, TxSummary[]>();
  private readonly withdrawalByTx = new Map<string, WithdrawalLog>();

  constructor(private readonly l2: JsonRpcProvider) {}

  /**
   * Reads the blocks up to `head` not read yet. If the chain the node serves is no longer the one
   * indexed (a replica that rewound past a reverted batch), the index starts again from genesis.
   */
  async update(head: number, tokenAt: TokenLookup): Promise<void> {
    const tip = this.blocks.at(-1);
    if (tip && (head < tip.number || (await this.rpcBlock(tip.number))?.hash.toLowerCase() !== tip.hash)) this.reset();
    const from = this.blocks.length;
    catchUp: for (let start = from; start <= head; start += PARALLEL) {
      const numbers = Array.from({ length: Math.min(PARALLEL, head - start + 1) }, (_, i) => start + i);
      for (const raw of await Promise.all(numbers.map((n) => this.rpcBlock(n)))) {
        // A block gone, or one that does not follow the last: the next update finds out which.
        if (!raw || (this.blocks.length > 0 && raw.parentHash.toLowerCase() !== this.blocks.at(-1)!.hash)) break catchUp;
        this.add(raw, tokenAt);
      }
    }
    if (this.blocks.length > from) await this.readWithdrawals(from, this.blocks.length - 1);
  }

  get head(): number {
    return this.blocks.length - 1;
  }

  tx(hash: string): TxSummary | undefined {
    return this.byHash.get(hash.toLowerCase());
  }

  blockByHash(hash: string): IndexedBlock | undefined {
    const n = this.blockNumbers.get(hash.toLowerCase());
    return n === undefined ? undefined : this.blocks[n];
  }

  /** The transactions that `address` sent, received or (as a token or the predeploy) was called by; newest first. */
  txsOf(address: string, page: number, pageSize: number): { total: number; items: TxSummary[] } {
    const all = this.byAddress.get(address.toLowerCase()) ?? [];
    const end = all.length - (page - 1) * pageSize;
    return { total: all.length, items: all.slice(Math.max(0, end - pageSize), Math.max(0, end)).reverse() };
  }

  withdrawalOf(txHash: string): WithdrawalLog | undefined {
    return this.withdrawalByTx.get(txHash.toLowerCase());
  }

  private rpcBlock(n: number): Promise<RpcBlock | null> {
    return this.l2.send("eth_getBlockByNumber", ["0x" + n.toString(16), true]) as Promise<RpcBlock | null>;
  }

  private add(raw: RpcBlock, tokenAt: TokenLookup): void {
    const number = Number(raw.number);
    const time = Number(raw.timestamp);
    const txs = raw.transactions.map((t): TxSummary => {
      const m = movementOf(t, tokenAt);
      return { hash: t.hash.toLowerCase(), block: number, time, from: t.from.toLowerCase(), to: (t.to ?? "").toLowerCase(), kind: m.kind, recipient: m.recipient, amount: m.amount.toString(), token: m.token, owner: m.owner };
    });
    this.blocks.push({ number, hash: raw.hash.toLowerCase(), parentHash: raw.parentHash.toLowerCase(), time, txs });
    this.blockNumbers.set(raw.hash.toLowerCase(), number);
    for (const t of txs) {
      this.byHash.set(t.hash, t);
      // A withdrawal's recipient is an L1 address: it is no L2 account's transaction. A
      // transferFrom is also its owner's (the tokens left it), an approve its spender's.
      const parties = new Set([t.from, t.to, ...(t.kind === "withdrawal" ? [] : [t.recipient]), ...(t.owner ? [t.owner] : [])]);
      for (const a of parties) {
        const list = this.byAddress.get(a) ?? [];
        list.push(t);
        this.byAddress.set(a, list);
      }
    }
  }

  /** WithdrawalInitiated logs of the predeploy in [from, to]: they carry the withdrawal's id. */
  private async readWithdrawals(from: number, to: number): Promise<void> {
    for (let start = from; start <= to; start += LOG_RANGE) {
      const logs = await this.l2.getLogs({ address: WITHDRAWAL_PREDEPLOY, topics: [TOPIC_WITHDRAWAL], fromBlock: start, toBlock: Math.min(to, start + LOG_RANGE - 1) });
      for (const log of logs) {
        const [l1Token, amount] = coder.decode(["address", "uint256"], log.data) as unknown as [string, bigint];
        const w: WithdrawalLog = {
          id: Number(BigInt(log.topics[1])),
          l2Block: log.blockNumber,
          l2Tx: log.transactionHash.toLowerCase(),
          l2Sender: getAddress("0x" + log.topics[2].slice(26)),
          l1Recipient: getAddress("0x" + log.topics[3].slice(26)),
          l1Token: l1Token.toLowerCase(),
          amount,
        };
        this.withdrawals.push(w);
        this.withdrawalByTx.set(w.l2Tx, w);
      }
    }
  }

  private reset(): void {
    this.blocks.length = 0;
    this.withdrawals.length = 0;
    this.byHash.clear();
    this.blockNumbers.clear();
    this.byAddress.clear();
    this.withdrawalByTx.clear();
  }
}
