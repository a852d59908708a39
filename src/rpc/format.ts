/** Ethereum's JSON-RPC field formats: hex quantities, 0x data, lower-case addresses, blooms. */
import { keccak256 } from "../core/hash";
import { BLOCK_GAS_LIMIT } from "../core/constants";
import type { Log, TxResult } from "../core/execute";
import type { L2Block } from "../chain/chainStore";
import type { Hex } from "../chain/api";

export const quantity = (v: bigint | number): Hex => `0x${v.toString(16)}`;
export const data = (b: Buffer): Hex => `0x${b.toString("hex")}`;
/** An address as the chain holds it (core keeps them as lower-case 0x hex), typed for the JSON. */
export const address = (a: string): Hex => a as Hex;

const EMPTY_UNCLES = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
const EMPTY_TRIE = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
/** Gas limit advertised per L2 block (informational: Cairn bounds blocks by operation count). */

/** The 2048-bit log bloom of Ethereum's yellow paper over addresses and topics. */
export function logsBloom(logs: Log[]): string {
  const bloom = Buffer.alloc(256);
  const add = (hex: string) => {
    const h = keccak256(Buffer.from(hex.slice(2), "hex"));
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i] << 8) | h[i + 1]) & 2047;
      bloom[255 - (bit >> 3)] |= 1 << (bit & 7);
    }
  };
  for (const l of logs) {
    add(l.address);
    l.topics.forEach(add);
  }
  return data(bloom);
}

/** Transactions root: keccak of the hashes in order (Cairn has no MPT; the value is stable and unique). */
function transactionsRoot(block: L2Block): string {
  if (block.transactions.length === 0) return EMPTY_TRIE;
  return data(keccak256(Buffer.concat(block.transactions.map((t) => Buffer.from(t.hash.slice(2), "hex")))));
}

export function formatTransaction(t: TxResult, block: L2Block | null, index: number | null, chainId: bigint) {
  const f = t.tx.fee;
  const sig = { r: quantity(BigInt(data(t.signature.r))), s: quantity(BigInt(data(t.signature.s))) };
  const yParity = t.signature.yParity;
  const common = {
    hash: t.hash,
    nonce: quantity(t.tx.nonce),
    blockHash: block ? block.hash : null,
    blockNumber: block ? quantity(block.number) : null,
    transactionIndex: index === null ? null : quantity(index),
    from: t.from,
    // A creation (experimental EVM mode) has no recipient; its tx.to holds the contract made.
    to: t.contractAddress === undefined ? t.tx.to : null,
    value: quantity(t.tx.value),
    gas: quantity(f.gasLimit),
    input: data(t.tx.data),
    chainId: quantity(chainId),
    r: sig.r,
    s: sig.s,
  };
  if (f.type === 2) {
    return {
      ...common,
      type: "0x2",
      gasPrice: quantity(block ? t.effectiveGasPrice : f.maxFeePerGas),
      maxFeePerGas: quantity(f.maxFeePerGas),
      maxPriorityFeePerGas: quantity(f.maxPriorityFeePerGas),
      accessList: [],
      v: quantity(yParity),
      yParity: quantity(yParity),
    };
  }
  return { ...common, type: "0x0", gasPrice: quantity(f.gasPrice), v: quantity(chainId * 2n + 35n + BigInt(yParity)) };
}

export function formatLogs(t: TxResult, block: L2Block, index: number, firstLogIndex: number) {
  return t.logs.map((l, i) => ({
    address: l.address,
    topics: l.topics,
    data: l.data,
    blockNumber: quantity(block.number),
    blockHash: block.hash,
    transactionHash: t.hash,
    transactionIndex: quantity(index),
    logIndex: quantity(firstLogIndex + i),
    removed: false,
  }));
}

export function formatReceipt(t: TxResult, block: L2Block, index: number, firstLogIndex: number) {
  let cumulative = 0n;
  for (let i = 0; i <= index; i++) cumulative += block.transactions[i].gasUsed;
  return {
    transactionHash: t.hash,
    transactionIndex: quantity(index),
    blockHash: block.hash,
    blockNumber: quantity(block.number),
    from: t.from,
    to: t.contractAddress === undefined ? t.tx.to : null,
    cumulativeGasUsed: quantity(cumulative),
    gasUsed: quantity(t.gasUsed),
    effectiveGasPrice: quantity(t.effectiveGasPrice),
    contractAddress: t.contractAddress ?? null,
    logs: formatLogs(t, block, index, firstLogIndex),
    logsBloom: logsBloom(t.logs),
    status: t.status === 0 ? "0x0" : "0x1",
    type: t.tx.fee.type === 2 ? "0x2" : "0x0",
  };
}

export function formatBlock(block: L2Block, fullTransactions: boolean, chainId: bigint) {
  return {
    number: quantity(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    nonce: "0x0000000000000000",
    sha3Uncles: EMPTY_UNCLES,
    logsBloom: logsBloom(block.transactions.flatMap((t) => t.logs)),
    transactionsRoot: transactionsRoot(block),
    stateRoot: block.stateRoot,
    receiptsRoot: EMPTY_TRIE,
    miner: block.feeRecipient,
    difficulty: "0x0",
    totalDifficulty: "0x0",
    extraData: "0x",
    size: quantity(block.body.length),
    gasLimit: quantity(BLOCK_GAS_LIMIT),
    gasUsed: quantity(block.gasUsed),
    timestamp: quantity(block.timestamp),
    mixHash: "0x" + "00".repeat(32),
    baseFeePerGas: quantity(block.baseFee),
    transactions: fullTransactions ? block.transactions.map((t, i) => formatTransaction(t, block, i, chainId)) : block.transactions.map((t) => t.hash),
    uncles: [],
  };
}
