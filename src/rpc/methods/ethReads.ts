/** Ethereum's read methods: the node, blocks and their transactions, balances, nonces, code and fees. */
import type { L2Backend } from "../../chain/backend";
import type { L2Block } from "../../chain/chainStore";
import { BLOCK_GAS_LIMIT, WITHDRAWAL_PREDEPLOY } from "../../core/constants";
import { invalidParams, rpcError, RpcCode } from "../errors";
import { formatBlock, formatTransaction, quantity } from "../format";
import * as p from "../params";
import { blockAt, readsLive, resolveBlock, stateAt, type Methods } from "./method";
import { MULTICALL3 } from "./multicall";

/** Most blocks one eth_feeHistory covers. */
const MAX_FEE_HISTORY = 1024;

export function ethReadMethods(backend: L2Backend): Methods {
  const blockByTag = (tag: unknown) => resolveBlock(backend, p.blockTag(tag));
  const blockByHash = (h: unknown) => backend.chain.blockByHash(p.hash32(h, "hash"));
  const txCount = (block: L2Block | undefined) => (block ? quantity(block.transactions.length) : null);
  return {
    web3_clientVersion: () => "cairn/0.1.0",
    net_version: () => backend.chainId.toString(),
    net_listening: () => true,
    eth_chainId: () => quantity(backend.chainId),
    eth_accounts: () => [],
    eth_syncing: () => false,
    eth_blockNumber: () => quantity(backend.chain.latest.number),
    eth_gasPrice: () => quantity(backend.baseFee),
    eth_maxPriorityFeePerGas: () => "0x0",

    // State reads answer at any block the node holds: by tag, number or hash (EIP-1898).
    eth_getBalance: ([a, tag]) => {
      const addr = p.address(a, "address");
      return quantity(stateAt(backend, p.blockRef(tag)).state.accountOf(addr)?.balance ?? 0n);
    },
    eth_getTransactionCount: ([a, tag]) => {
      const addr = p.address(a, "address");
      const ref = p.blockRef(tag);
      // At latest the sequencer leaves out the open block's transactions, at pending counts them.
      if (readsLive(backend, ref)) return quantity(backend.nonce(addr, ref as "latest" | "pending"));
      return quantity(stateAt(backend, ref).state.accountOf(addr)?.nonce ?? 0n);
    },
    eth_getCode: ([a, tag]) => {
      const addr = p.address(a, "address");
      const { state } = stateAt(backend, p.blockRef(tag));
      // Tokens, the predeploy and Multicall3 are native on Cairn; non-empty code tells libraries they are contracts.
      return state.tokenByL2Address(addr) || addr === WITHDRAWAL_PREDEPLOY || addr === MULTICALL3 ? "0xfe" : "0x";
    },

    // Accounts on Cairn hold no contract storage: every slot of every account reads zero, at any block the node has.
    eth_getStorageAt: ([a, slot, tag]) => {
      p.address(a, "address");
      p.storageSlot(slot);
      blockAt(backend, p.blockRef(tag));
      return "0x" + "00".repeat(32);
    },

    eth_getBlockByNumber: ([tag, full]) => {
      const t = p.blockTag(tag);
      if (t === "pending") return pendingBlock(backend, p.bool(full, "full"));
      const block = resolveBlock(backend, t);
      return block ? formatBlock(block, p.bool(full, "full"), backend.chainId) : null;
    },
    eth_getBlockByHash: ([h, full]) => {
      const block = blockByHash(h);
      return block ? formatBlock(block, p.bool(full, "full"), backend.chainId) : null;
    },
    eth_getBlockTransactionCountByNumber: ([tag]) => txCount(blockByTag(tag)),
    eth_getBlockTransactionCountByHash: ([h]) => txCount(blockByHash(h)),
    eth_getTransactionByBlockNumberAndIndex: ([tag, index]) => transactionAt(backend, blockByTag(tag), index),
    eth_getTransactionByBlockHashAndIndex: ([h, index]) => transactionAt(backend, blockByHash(h), index),

    eth_feeHistory: ([count, newest, percentiles]) => feeHistory(backend, count, newest, percentiles),
  };
}

/** The block being built, as geth shows it: numbered latest + 1, no hash yet. */
function pendingBlock(backend: L2Backend, full: boolean) {
  const latest = backend.chain.latest;
  return {
    ...formatBlock({ ...latest, number: latest.number + 1, parentHash: latest.hash, transactions: [], gasUsed: 0n, baseFee: backend.baseFee }, full, backend.chainId),
    hash: null,
    nonce: null,
    logsBloom: null,
  };
}

function transactionAt(backend: L2Backend, block: L2Block | undefined, index: unknown) {
  const i = p.optionalQuantity(index, "index");
  if (!block || i === undefined || i >= BigInt(block.transactions.length)) return null;
  return formatTransaction(block.transactions[Number(i)], block, Number(i), backend.chainId);
}

/**
 * Base fees and gas used of up to MAX_FEE_HISTORY blocks ending at `newest`, and the tips asked
 * percentiles of: the first transaction's (one fee level per block; genesis has none).
 */
function feeHistory(backend: L2Backend, count: unknown, newest: unknown, percentiles: unknown) {
  const n = Number(p.optionalCount(count, "blockCount") ?? 0n);
  if (n < 1 || n > MAX_FEE_HISTORY) throw invalidParams(`blockCount must be 1..${MAX_FEE_HISTORY}`);
  const last = resolveBlock(backend, p.blockTag(newest, "newestBlock"));
  if (!last) throw rpcError(RpcCode.SERVER, "unknown block");
  const pct = percentiles === undefined || percentiles === null ? [] : Array.isArray(percentiles) ? percentiles : null;
  if (!pct || pct.some((x) => typeof x !== "number" || x < 0 || x > 100)) throw invalidParams("rewardPercentiles must be numbers 0..100");
  const oldest = Math.max(0, last.number - n + 1);
  const blocks = backend.chain.blocks.slice(oldest, last.number + 1);
  const baseFee = (b: L2Block) => (b.number === 0 ? backend.baseFee : b.baseFee);
  const tip = (b: L2Block) => (b.transactions.length ? b.transactions[0].effectiveGasPrice - baseFee(b) : 0n);
  return {
    oldestBlock: quantity(oldest),
    baseFeePerGas: [...blocks.map((b) => quantity(baseFee(b))), quantity(backend.baseFee)],
    gasUsedRatio: blocks.map((b) => Number(b.gasUsed) / Number(BLOCK_GAS_LIMIT)),
    ...(pct.length ? { reward: blocks.map((b) => pct.map(() => quantity(tip(b)))) } : {}),
  };
}
