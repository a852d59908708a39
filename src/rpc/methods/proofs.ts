/**
 * eth_getProof: an account proven against a block's Cairn state root, from the node's state
 * history (chain/history.ts), at any block it keeps — so that a client holding only a root L1
 * posted can check what the L2 says of an account (docs/state-proofs.md).
 */
import type { AccountProofResponse, Hex } from "../../chain/api";
import type { L2Backend } from "../../chain/backend";
import { HistoryInconsistentError, ProofNotKeptError } from "../../chain/historyErrors";
import type { HistoricalState } from "../../chain/historicalState";
import type { L2Block } from "../../chain/chainStore";
import { WITHDRAWAL_PREDEPLOY } from "../../core/constants";
import { keccak256 } from "../../core/hash";
import { invalidParams, rpcError, RpcCode } from "../errors";
import { address as hexAddress, data, quantity } from "../format";
import * as p from "../params";
import { blockAt, pastState, type Methods } from "./method";
import { MULTICALL3 } from "./multicall";

/** Geth's hash of empty code and root of an empty storage trie: what an account without either shows. */
const EMPTY_CODE_HASH = data(keccak256(Buffer.alloc(0)));
const EMPTY_STORAGE_ROOT = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";

export function proofMethods(backend: L2Backend): Methods {
  return {
    eth_getProof: ([a, keys, tag]) => {
      const addr = p.address(a, "address");
      const slots = storageKeys(keys);
      const ref = p.blockRef(tag);
      // A proof is against a sealed block's root: "pending" names the latest block too.
      const block = ref === "latest" || ref === "pending" ? backend.chain.latest : blockAt(backend, ref);
      const past = pastState(backend, block);
      if (!past) throw rpcError(RpcCode.SERVER, "eth_getProof is not served: this node keeps no state history");
      const proof = proofAt(backend, past, block, addr);
      // The history's root must be the block's: anything else is a bug, answered -32603 and logged.
      if (data(proof.stateRoot) !== block.stateRoot) throw new HistoryInconsistentError(block.number, `root ${data(proof.stateRoot)} is not the block's ${block.stateRoot}`);
      const native = past.tokenByL2Address(addr) !== undefined || addr === WITHDRAWAL_PREDEPLOY || addr === MULTICALL3;
      const answer: AccountProofResponse = {
        address: hexAddress(addr),
        balance: quantity(proof.balance),
        nonce: quantity(proof.nonce),
        // As eth_getCode answers: the native contracts show one byte of code.
        codeHash: native ? data(keccak256(Buffer.of(0xfe))) : EMPTY_CODE_HASH,
        storageHash: EMPTY_STORAGE_ROOT,
        accountProof: proof.siblings.map(data),
        storageProof: slots.map((key) => ({ key, value: "0x0", proof: [] })),
        accountIndex: proof.index === null ? null : quantity(proof.index),
        tokenRoot: proof.tokenRoot ? data(proof.tokenRoot) : null,
        allowanceRoot: proof.allowanceRoot ? data(proof.allowanceRoot) : null,
        accountsRoot: data(proof.accountsRoot),
        accountCount: quantity(proof.accountCount),
        queueIndex: quantity(proof.queueIndex),
        withdrawalCount: quantity(proof.withdrawalCount),
        tokenCount: quantity(proof.tokenCount),
        stateRoot: data(proof.stateRoot),
        blockNumber: quantity(block.number),
        blockHash: block.hash as Hex,
      };
      return answer;
    },
  };
}

/** `addr`'s proof at `block`; where the node kept no tree (inside a settled batch a replica replayed at once), -32000 naming the block that has one. */
function proofAt(backend: L2Backend, past: HistoricalState, block: L2Block, addr: string) {
  try {
    return past.proof(addr);
  } catch (e) {
    if (!(e instanceof ProofNotKeptError)) throw e;
    const batch = block.batchIndex === null ? undefined : backend.chain.batches[block.batchIndex];
    const at = batch ? `; block ${batch.lastBlock}, the last of its batch, has one` : "";
    throw rpcError(RpcCode.SERVER, `historical state is not available: no proof is kept at block ${block.number}, replayed inside a settled batch${at}`);
  }
}

/** The storage keys asked for, each checked as eth_getStorageAt checks a slot, and answered as given. */
function storageKeys(keys: unknown): string[] {
  if (keys === undefined || keys === null) return [];
  if (!Array.isArray(keys)) throw invalidParams("storageKeys must be an array");
  for (const k of keys) p.storageSlot(k);
  return keys as string[];
}
