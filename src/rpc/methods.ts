/**
 * The L2 JSON-RPC methods, answering as an Ethereum node does for everything a payments-and-
 * tokens chain can do. Methods read a backend (the sequencer, or later a replica) and never
 * change state except through `eth_sendRawTransaction`.
 */
import { AbiCoder } from "ethers";
import { InvalidOperationError, OverloadedError } from "../core/errors";
import { GAS, SELECTOR_TRANSFER, SELECTOR_WITHDRAW, WITHDRAWAL_PREDEPLOY } from "../core/constants";
import { amountSize } from "../core/amount";
import { varintSize } from "../core/bytes";
import { bytesToBigint } from "../core/bytes";
import { commitmentWithdrawalRoot, withdrawalProof } from "../core/batch";
import type { Withdrawal } from "../core/hashing";
import type { L2Block } from "../chain/chainStore";
import type { L2Backend } from "../chain/backend";
import { fromInvalidOperation, invalidParams, rpcError, RpcCode } from "./errors";
import { BLOCK_GAS_LIMIT, formatBlock, formatReceipt, formatTransaction, quantity } from "./format";
import { collectLogs, parseLogFilter } from "./logs";
import { FilterManager } from "./filters";
import { rpcLimits, type RequestContext, type RpcLimits } from "./limits";
import * as p from "./params";

/** A JSON-RPC method: its positional params, and who is calling (for per-client quotas). */
export type Method = (params: unknown[], context: RequestContext) => unknown | Promise<unknown>;

const abi = AbiCoder.defaultAbiCoder();
/** Multicall3's canonical address: viem and wagmi batch view calls through it. */
export const MULTICALL3 = "0xca11bde05977b3631167028862be2a173976ca11";
const MULTICALL_SELECTORS = { aggregate3: "82ad56cb", getEthBalance: "4d2301cc", getBlockNumber: "42cbb15c", getCurrentBlockTimestamp: "0f28c97d", getChainId: "3408e470", getBasefee: "3e64a696" };
/** Most blocks one eth_feeHistory covers. */
const MAX_FEE_HISTORY = 1024;
const SELECTORS = {
  balanceOf: "70a08231",
  decimals: "313ce567",
  symbol: "95d89b41",
  name: "06fdde03",
  totalSupply: "18160ddd",
  allowance: "dd62ed3e",
  transfer: SELECTOR_TRANSFER,
};

/**
 * The methods over `backend`. `limits` bounds what one request and one client may ask of the
 * filter table (the RpcServer serving them bounds the rest); the nodes use the defaults.
 */
export function createMethods(backend: L2Backend, limits: Partial<RpcLimits> = {}): Record<string, Method> {
  const lim = rpcLimits(limits);
  const resolveBlock = (tag: p.BlockTag): L2Block | undefined => {
    const chain = backend.chain;
    switch (tag) {
      case "latest":
      case "pending":
        return chain.latest;
      case "earliest":
        return chain.block(0);
      case "safe": {
        const last = chain.batches[chain.batches.length - 1];
        return chain.block(last ? last.lastBlock : 0);
      }
      case "finalized": {
        const final = backend.status().batches.final;
        const last = chain.batches[final - 1];
        return chain.block(last ? last.lastBlock : 0);
      }
      default:
        return chain.block(tag);
    }
  };

  /** Cairn keeps the current state only; older blocks' state is not served. */
  const requireCurrentState = (tag: p.BlockTag): "latest" | "pending" => {
    if (tag === "pending") return "pending";
    if (tag === "latest" || tag === backend.chain.latest.number) return "latest";
    throw rpcError(RpcCode.SERVER, `historical state is not available (requested ${tag}; latest is ${backend.chain.latest.number})`);
  };

  const tokenAt = (address: string) => backend.state.tokenByL2Address(address);
  const filters = new FilterManager(backend.chain, lim);

  /** The block being built, as geth shows it: numbered latest + 1, no hash yet. */
  const pendingBlock = (full: boolean) => {
    const latest = backend.chain.latest;
    return {
      ...formatBlock({ ...latest, number: latest.number + 1, parentHash: latest.hash, transactions: [], gasUsed: 0n, baseFee: backend.baseFee }, full, backend.chainId),
      hash: null,
      nonce: null,
      logsBloom: null,
    };
  };

  const blockByTag = (tag: unknown): L2Block | undefined => resolveBlock(p.blockTag(tag));

  const txInBlock = (block: L2Block | undefined, index: unknown) => {
    const i = p.optionalQuantity(index, "index");
    if (!block || i === undefined || i >= BigInt(block.transactions.length)) return null;
    return formatTransaction(block.transactions[Number(i)], block, Number(i), backend.chainId);
  };

  const estimateGas = (req: p.CallRequest): bigint => {
    // An index not known yet is quoted at the size the next new account would get.
    const indexSize = (address: string | undefined) => varintSize((address === undefined ? undefined : backend.state.indexOf(address)) ?? backend.state.accountCount);
    const recipientSize = (to: string) => (backend.state.indexOf(to) !== undefined ? indexSize(to) : 20);
    const SIGNED_OVERHEAD = 1 + indexSize(req.from) + 64;
    if (!req.to) throw rpcError(RpcCode.SERVER, "unsupported call: contract creation is not supported on Cairn");
    let gas: bigint;
    if (req.to === WITHDRAWAL_PREDEPLOY) {
      if (req.data.length !== 100 || req.data.subarray(0, 4).toString("hex") !== SELECTOR_WITHDRAW) {
        throw rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted: the withdrawal predeploy only takes withdraw(address,address,uint256)");
      }
      const amount = bytesToBigint(req.data.subarray(68, 100));
      const isToken = !req.data.subarray(36, 68).equals(Buffer.alloc(32));
      gas = GAS.WITHDRAWAL + GAS.DATA_PER_BYTE * BigInt(SIGNED_OVERHEAD + (isToken ? 1 : 0) + 20 + amountSize(amount));
    } else if (req.to === MULTICALL3 || (tokenAt(req.to) && req.data.subarray(0, 4).toString("hex") !== SELECTOR_TRANSFER)) {
      // A view: answerable (or the call's own error), and as cheap as a plain transfer.
      call(req);
      gas = GAS.ETH_TRANSFER;
    } else if (tokenAt(req.to)) {
      if (req.data.length !== 68) {
        throw rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted: malformed transfer(address,uint256) call");
      }
      const to = "0x" + req.data.subarray(16, 36).toString("hex");
      gas = GAS.TOKEN_TRANSFER + GAS.DATA_PER_BYTE * BigInt(SIGNED_OVERHEAD + 1 + recipientSize(to) + amountSize(bytesToBigint(req.data.subarray(36, 68))));
    } else {
      if (req.data.length > 0) throw rpcError(RpcCode.SERVER, `unsupported call: ${req.to} is not a contract on Cairn`);
      gas = GAS.ETH_TRANSFER + GAS.DATA_PER_BYTE * BigInt(SIGNED_OVERHEAD + recipientSize(req.to) + amountSize(req.value));
    }
    if (req.from && req.value > 0n) {
      const balance = backend.state.accountOf(req.from)?.balance ?? 0n;
      if (balance < req.value) throw rpcError(RpcCode.SERVER, `insufficient funds for transfer: balance ${balance}, value ${req.value}`);
    }
    // Round up to a multiple of 1,000 with headroom for an index growing a byte before inclusion:
    // estimates that compress well and still cover the gas the operation will use.
    return ((gas + 2n * GAS.DATA_PER_BYTE + 999n) / 1000n) * 1000n;
  };

  const multicall = (req: p.CallRequest): string => {
    const selector = req.data.subarray(0, 4).toString("hex");
    const args = req.data.subarray(4);
    switch (selector) {
      case MULTICALL_SELECTORS.aggregate3: {
        const [calls] = abi.decode(["(address target, bool allowFailure, bytes callData)[]"], args) as unknown as [Array<[string, boolean, string]>];
        const results = calls.map(([target, allowFailure, callData]) => {
          try {
            return [true, call({ to: target.toLowerCase(), value: 0n, data: Buffer.from(callData.slice(2), "hex"), from: req.from })];
          } catch (e) {
            if (!allowFailure) throw rpcError(RpcCode.EXECUTION_REVERTED, `execution reverted: Multicall3: call to ${target} failed`);
            return [false, "0x"];
          }
        });
        return abi.encode(["(bool success, bytes returnData)[]"], [results]);
      }
      case MULTICALL_SELECTORS.getEthBalance: {
        const [owner] = abi.decode(["address"], args) as unknown as [string];
        return abi.encode(["uint256"], [backend.state.accountOf(owner.toLowerCase())?.balance ?? 0n]);
      }
      case MULTICALL_SELECTORS.getBlockNumber:
        return abi.encode(["uint256"], [backend.chain.latest.number]);
      case MULTICALL_SELECTORS.getCurrentBlockTimestamp:
        return abi.encode(["uint256"], [backend.chain.latest.timestamp]);
      case MULTICALL_SELECTORS.getChainId:
        return abi.encode(["uint256"], [backend.chainId]);
      case MULTICALL_SELECTORS.getBasefee:
        return abi.encode(["uint256"], [backend.baseFee]);
      default:
        throw rpcError(RpcCode.EXECUTION_REVERTED, `execution reverted: Cairn's Multicall3 answers aggregate3 and its block views, not selector 0x${selector}`);
    }
  };

  const call = (req: p.CallRequest): string => {
    if (!req.to) throw rpcError(RpcCode.SERVER, "unsupported call: contract creation is not supported on Cairn");
    if (req.to === MULTICALL3) {
      try {
        return multicall(req);
      } catch (e) {
        if (e instanceof Error && "code" in e) throw e;
        throw rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted: malformed Multicall3 call");
      }
    }
    const token = tokenAt(req.to);
    if (!token) {
      if (req.data.length === 0 || req.to === WITHDRAWAL_PREDEPLOY) return "0x";
      throw rpcError(RpcCode.SERVER, `unsupported call: ${req.to} is not a contract on Cairn`);
    }
    const selector = req.data.subarray(0, 4).toString("hex");
    const meta = backend.tokenMetadata(token.id);
    const encode = (types: string[], values: unknown[]) => abi.encode(types, values);
    switch (selector) {
      case SELECTORS.balanceOf: {
        const [owner] = abi.decode(["address"], req.data.subarray(4)) as unknown as [string];
        const i = backend.state.indexOf(owner.toLowerCase());
        return encode(["uint256"], [i === undefined ? 0n : backend.state.tokenBalance(i, token.id)]);
      }
      case SELECTORS.decimals:
        return encode(["uint8"], [meta?.decimals ?? 18]);
      case SELECTORS.symbol:
        return encode(["string"], [meta?.symbol ?? ""]);
      case SELECTORS.name:
        return encode(["string"], [meta?.name ?? ""]);
      case SELECTORS.totalSupply:
        return encode(["uint256"], [backend.state.totals().tokens.get(token.id) ?? 0n]);
      case SELECTORS.allowance:
        return encode(["uint256"], [0n]);
      case SELECTORS.transfer:
        estimateGas(req);
        return encode(["bool"], [true]);
      default:
        throw rpcError(RpcCode.EXECUTION_REVERTED, `execution reverted: Cairn tokens answer name, symbol, decimals, totalSupply, balanceOf, allowance and transfer; not selector 0x${selector}`);
    }
  };

  const findTx = (hash: string) => {
    const mined = backend.chain.tx(hash);
    if (mined) return mined;
    const pending = backend.pendingTransaction(hash);
    return pending ? { block: null, location: null, result: pending } : undefined;
  };

  return {
    web3_clientVersion: () => "cairn/0.1.0",
    net_version: () => backend.chainId.toString(),
    eth_chainId: () => quantity(backend.chainId),
    eth_accounts: () => [],
    eth_syncing: () => false,
    eth_blockNumber: () => quantity(backend.chain.latest.number),
    eth_gasPrice: () => quantity(backend.baseFee),
    eth_maxPriorityFeePerGas: () => "0x0",

    eth_getBalance: ([a, tag]) => {
      const addr = p.address(a, "address");
      requireCurrentState(p.blockTag(tag));
      return quantity(backend.state.accountOf(addr)?.balance ?? 0n);
    },
    eth_getTransactionCount: ([a, tag]) => {
      const addr = p.address(a, "address");
      return quantity(backend.nonce(addr, requireCurrentState(p.blockTag(tag))));
    },
    eth_getCode: ([a, tag]) => {
      const addr = p.address(a, "address");
      p.blockTag(tag);
      // Tokens, the predeploy and Multicall3 are native on Cairn; non-empty code tells libraries they are contracts.
      return tokenAt(addr) || addr === WITHDRAWAL_PREDEPLOY || addr === MULTICALL3 ? "0xfe" : "0x";
    },
    eth_getBlockByNumber: ([tag, full]) => {
      const t = p.blockTag(tag);
      if (t === "pending") return pendingBlock(p.bool(full, "full"));
      const block = resolveBlock(t);
      return block ? formatBlock(block, p.bool(full, "full"), backend.chainId) : null;
    },
    eth_getBlockTransactionCountByNumber: ([tag]) => {
      const block = blockByTag(tag);
      return block ? quantity(block.transactions.length) : null;
    },
    eth_getBlockTransactionCountByHash: ([h]) => {
      const block = backend.chain.blockByHash(p.hash32(h, "hash"));
      return block ? quantity(block.transactions.length) : null;
    },
    eth_getTransactionByBlockNumberAndIndex: ([tag, index]) => txInBlock(blockByTag(tag), index),
    eth_getTransactionByBlockHashAndIndex: ([h, index]) => txInBlock(backend.chain.blockByHash(p.hash32(h, "hash")), index),
    eth_feeHistory: ([count, newest, percentiles]) => {
      const n = Number(p.optionalQuantity(typeof count === "number" ? quantity(count) : count, "blockCount") ?? 0n);
      if (n < 1 || n > MAX_FEE_HISTORY) throw invalidParams(`blockCount must be 1..${MAX_FEE_HISTORY}`);
      const last = resolveBlock(p.blockTag(newest, "newestBlock"));
      if (!last) throw rpcError(RpcCode.SERVER, "unknown block");
      const pct = percentiles === undefined || percentiles === null ? [] : Array.isArray(percentiles) ? percentiles : null;
      if (!pct || pct.some((x) => typeof x !== "number" || x < 0 || x > 100)) throw invalidParams("rewardPercentiles must be numbers 0..100");
      const oldest = Math.max(0, last.number - n + 1);
      const blocks = backend.chain.blocks.slice(oldest, last.number + 1);
      const baseFee = (b: L2Block) => (b.number === 0 ? backend.baseFee : b.baseFee);
      return {
        oldestBlock: quantity(oldest),
        baseFeePerGas: [...blocks.map((b) => quantity(baseFee(b))), quantity(backend.baseFee)],
        gasUsedRatio: blocks.map((b) => Number(b.gasUsed) / Number(BLOCK_GAS_LIMIT)),
        ...(pct.length ? { reward: blocks.map((b) => pct.map(() => quantity(b.transactions.length ? b.transactions[0].effectiveGasPrice - baseFee(b) : 0n))) } : {}),
      };
    },
    eth_getLogs: ([filter]) => collectLogs(backend.chain, parseLogFilter(filter, lim), resolveBlock),
    eth_newFilter: ([filter], { client }) => filters.newLogFilter(parseLogFilter(filter, lim), client),
    eth_newBlockFilter: (_params, { client }) => filters.newBlockFilter(client),
    eth_newPendingTransactionFilter: () => {
      throw rpcError(RpcCode.SERVER, "pending transaction filters are not supported: Cairn seals blocks within a block time, so poll eth_newBlockFilter");
    },
    eth_getFilterChanges: ([id]) => filters.changes(filterId(id)),
    eth_getFilterLogs: ([id]) => {
      const f = filters.get(filterId(id));
      if (f.kind !== "logs") throw rpcError(RpcCode.SERVER, "filter is not a log filter");
      return collectLogs(backend.chain, f.filter, resolveBlock);
    },
    eth_uninstallFilter: ([id]) => filters.uninstall(filterId(id)),
    eth_getBlockByHash: ([h, full]) => {
      const block = backend.chain.blockByHash(p.hash32(h, "hash"));
      return block ? formatBlock(block, p.bool(full, "full"), backend.chainId) : null;
    },
    eth_estimateGas: ([req]) => quantity(estimateGas(p.callRequest(req))),
    eth_call: ([req, tag]) => {
      requireCurrentState(p.blockTag(tag));
      return call(p.callRequest(req));
    },
    eth_sendRawTransaction: async ([raw]) => {
      if (!backend.sendRawTransaction) throw rpcError(RpcCode.SERVER, "this node is a read-only replica: send transactions to the sequencer");
      if (typeof raw !== "string") throw invalidParams("raw transaction must be a hex string");
      try {
        return await backend.sendRawTransaction(raw);
      } catch (e) {
        if (e instanceof InvalidOperationError) throw fromInvalidOperation(e);
        if (e instanceof OverloadedError) throw rpcError(RpcCode.LIMIT_EXCEEDED, e.message);
        throw e;
      }
    },
    eth_getTransactionByHash: ([h]) => {
      const found = findTx(p.hash32(h, "hash"));
      return found ? formatTransaction(found.result, found.block, found.location?.index ?? null, backend.chainId) : null;
    },
    eth_getTransactionReceipt: ([h]) => {
      const found = backend.chain.tx(p.hash32(h, "hash"));
      return found ? formatReceipt(found.result, found.block, found.location.index, found.location.firstLogIndex) : null;
    },

    rollup_status: () => backend.status(),
    rollup_getBatch: ([index]) => {
      const i = p.optionalQuantity(typeof index === "number" ? quantity(index) : index, "index");
      if (i === undefined) throw invalidParams("batch index required");
      const batch = backend.chain.batches[Number(i)];
      if (!batch) return null;
      const status = backend.status();
      return {
        index: quantity(batch.index),
        firstBlock: quantity(batch.firstBlock),
        lastBlock: quantity(batch.lastBlock),
        stateRoot: backend.chain.block(batch.lastBlock)!.stateRoot,
        l1TxHash: batch.l1TxHash || null,
        l1Block: batch.l1Block ? quantity(batch.l1Block) : null,
        final: batch.index < status.batches.final,
      };
    },
    rollup_getWithdrawalProof: ([ref]) => {
      // By the L2 transaction that withdrew, or { id } for any withdrawal — forced ones have no L2 transaction.
      let block: L2Block | undefined;
      let w: Withdrawal | undefined;
      if (typeof ref === "object" && ref !== null && "id" in ref) {
        const id = p.optionalQuantity((ref as { id: unknown }).id, "id");
        if (id === undefined) throw invalidParams("id required");
        block = backend.chain.blockOfWithdrawal(id);
        w = block?.withdrawals.find((x) => x.id === id);
        if (!w) throw rpcError(RpcCode.SERVER, `no withdrawal ${id} in an L2 block`);
      } else {
        const found = backend.chain.tx(p.hash32(ref, "hash"));
        if (!found?.result.withdrawal) throw rpcError(RpcCode.SERVER, "not a withdrawal included in an L2 block");
        block = found.block;
        w = found.result.withdrawal;
      }
      const base = {
        withdrawal: { id: quantity(w.id), l2Sender: w.l2Sender, l1Recipient: w.l1Recipient, l1Token: w.l1Token, amount: quantity(w.amount) },
        l2BlockNumber: quantity(block!.number),
      };
      if (block!.batchIndex === null) return { ...base, batchIndex: null, proof: null };
      const batch = backend.chain.batches[block!.batchIndex];
      const blocks = backend.chain.blocks.slice(batch.firstBlock, batch.lastBlock + 1).filter((b) => b.withdrawals.length > 0);
      const roots = blocks.map((b) => commitmentWithdrawalRoot(b.body)!);
      const position = blocks.findIndex((b) => b.number === block!.number);
      const index = block!.withdrawals.findIndex((x) => x.id === w!.id);
      const proof = withdrawalProof(block!.withdrawals, index, roots, position).map((b) => "0x" + b.toString("hex"));
      return { ...base, batchIndex: quantity(batch.index), proof };
    },
  };
}

function filterId(id: unknown): string {
  if (typeof id !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(id)) throw invalidParams("filter id must be a hex string");
  return id;
}

