/** Transactions: sending one, finding it (pending or mined) and its receipt, and estimating its gas. */
import type { L2Backend } from "../../chain/backend";
import { InvalidOperationError, OverloadedError } from "../../core/errors";
import { VIEW_GAS, intendedGas } from "../../core/estimate";
import { fromInvalidOperation, invalidParams, rpcError, RpcCode } from "../errors";
import { formatReceipt, formatTransaction, quantity } from "../format";
import type { CallRequest } from "../params";
import * as p from "../params";
import { callContract } from "./calls";
import { intentOf, isView, requireFunds, requireTarget } from "./intent";
import { callAt, resolveBlock, type CallBackend, type Methods } from "./method";

export function transactionMethods(backend: L2Backend): Methods {
  return {
    eth_sendRawTransaction: ([raw]) => send(backend, raw),
    eth_getTransactionByHash: ([h]) => {
      const found = findTransaction(backend, p.hash32(h, "hash"));
      return found ? formatTransaction(found.result, found.block, found.location?.index ?? null, backend.chainId) : null;
    },
    eth_getTransactionReceipt: async ([h]) => {
      const hash = p.hash32(h, "hash");
      // A transaction in the block being built has its receipt within a block time: wait for it
      // rather than answer null, so that a wallet's first look after sending finds it (ethers'
      // tx.wait() otherwise waits for its next poll, 4 s later by default).
      if (!backend.chain.tx(hash) && backend.pendingTransaction(hash) && backend.untilSealed) await backend.untilSealed(hash);
      const found = backend.chain.tx(hash);
      return found ? formatReceipt(found.result, found.block, found.location.index, found.location.firstLogIndex) : null;
    },
    eth_getBlockReceipts: ([ref]) => {
      const block = typeof ref === "string" && ref.length === 66 ? backend.chain.blockByHash(p.hash32(ref, "block hash")) : resolveBlock(backend, p.blockTag(ref));
      if (!block) return null;
      let firstLogIndex = 0;
      return block.transactions.map((t, i) => {
        const receipt = formatReceipt(t, block, i, firstLogIndex);
        firstLogIndex += t.logs.length;
        return receipt;
      });
    },
    eth_estimateGas: ([req, tag]) => quantity(estimateGas(callAt(backend, p.blockRef(tag)), p.callRequest(req))),
    // Nothing on Cairn reads storage a list could warm: the list is empty, the gas what eth_estimateGas quotes.
    eth_createAccessList: ([req, tag]) => {
      const at = callAt(backend, p.blockRef(tag));
      return { accessList: [], gasUsed: quantity(estimateGas(at, p.callRequest(req))) };
    },
  };
}

async function send(backend: L2Backend, raw: unknown): Promise<string> {
  if (!backend.sendRawTransaction) throw rpcError(RpcCode.SERVER, "this node is a read-only replica: send transactions to the sequencer");
  if (typeof raw !== "string") throw invalidParams("raw transaction must be a hex string");
  try {
    return await backend.sendRawTransaction(raw);
  } catch (e) {
    if (e instanceof InvalidOperationError) throw fromInvalidOperation(e);
    if (e instanceof OverloadedError) throw rpcError(RpcCode.LIMIT_EXCEEDED, e.message);
    throw e;
  }
}

/** A mined transaction, or one in the block being built (no block or location yet). */
function findTransaction(backend: L2Backend, hash: string) {
  const mined = backend.chain.tx(hash);
  if (mined) return mined;
  const pending = backend.pendingTransaction(hash);
  return pending ? { block: null, location: null, result: pending } : undefined;
}

/** The gas core says the request's operation uses (a view answers first): exactly, as Ethereum's estimate. */
function estimateGas(backend: CallBackend, req: CallRequest): bigint {
  const to = requireTarget(req);
  let gas: bigint;
  if (isView(backend, to, req.data)) {
    callContract(backend, req);
    gas = VIEW_GAS;
  } else {
    // A token call (transfer, approve, transferFrom) is simulated first: one that would fail reverts as the ERC-20 would.
    if (backend.state.tokenByL2Address(to)) callContract(backend, req);
    gas = intendedGas(backend.state, intentOf(backend, req, to));
  }
  requireFunds(backend, req);
  return gas;
}
