/**
 * A contract transaction (experimental EVM mode): a raw signed transaction parsed by the engine's
 * own library (@ethereumjs/tx) and held to what the tracer bullet accepts — EIP-1559 (type 2)
 * without an access list, or EIP-155 legacy; canonical bytes; at most MAX_EVM_TX_BYTES bytes, so
 * its EVM block fits a batch body; a gas limit of at most MAX_EVM_TX_GAS (docs/design/evm.md
 * §5.6); init code of at most EIP-3860's 49,152 bytes. Anything else is refused with an
 * InvalidOperationError (the RPC's JSON-RPC error), before any state is touched.
 */
import { Hardfork, Mainnet, createCustomCommon, type Common } from "@ethereumjs/common";
import { Capability, TransactionType, createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { invalid, InvalidOperationError } from "../errors";
import { keccak256 } from "../hash";
import type { TxSignature, UnsignedTx } from "../txSigning";

/** The L2 per-transaction gas cap of docs/design/evm.md §5.6 (2^23). */
export const MAX_EVM_TX_GAS = 8_388_608n;
/** Bytes of a raw contract transaction at most: its EVM block stays under a body's 65,535. */
export const MAX_EVM_TX_BYTES = 65_000;
/** EIP-3860's init code limit. */
export const MAX_INIT_CODE_BYTES = 49_152;
/** The rules L2 contracts run under: L1's (docs/design/evm.md §3). */
export const EVM_HARDFORK = Hardfork.Osaka;

export interface EvmTransaction {
  /** The engine's transaction (frozen, sender recovered). */
  readonly tx: TypedTransaction;
  readonly raw: Buffer;
  readonly hash: string;
  /** The sender, lower-case. */
  readonly from: string;
  /** The fields as the rest of Cairn keeps a transaction; `to` is null for a creation. */
  readonly fields: Omit<UnsignedTx, "to"> & { to: string | null };
  readonly signature: TxSignature;
}

const commons = new Map<bigint, Common>();

/** The engine's chain configuration for L2 chain `chainId` (one object per chain id). */
export function evmCommon(chainId: bigint): Common {
  let c = commons.get(chainId);
  if (!c) {
    c = createCustomCommon({ chainId: Number(chainId), name: "cairn-l2" }, Mainnet, { hardfork: EVM_HARDFORK });
    commons.set(chainId, c);
  }
  return c;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const word = (v: bigint) => Buffer.from(v.toString(16).padStart(64, "0"), "hex");

/** Parses and authenticates a raw contract transaction for chain `chainId`; throws InvalidOperationError. */
export function parseEvmTransaction(raw: Buffer, chainId: bigint): EvmTransaction {
  if (raw.length === 0) invalid("malformed", "empty transaction");
  if (raw.length > MAX_EVM_TX_BYTES) invalid("malformed", `transaction of ${raw.length} bytes is over ${MAX_EVM_TX_BYTES}`);
  const type = raw[0] >= 0xc0 ? 0 : raw[0];
  if (type !== 0 && type !== 2) invalid("unsupported", `transaction type ${type} not supported (Cairn accepts type 2 and legacy EIP-155)`);
  let tx: TypedTransaction;
  try {
    tx = createTxFromRLP(raw, { common: evmCommon(chainId) });
  } catch (e) {
    const message = e instanceof Error ? e.message.split("\n")[0].slice(0, 200) : "?";
    // The library refuses big init code itself (EIP-3860): say so in the words below.
    if (/init ?code/i.test(message) && raw.length > MAX_INIT_CODE_BYTES) invalid("malformed", `init code over ${MAX_INIT_CODE_BYTES} bytes (EIP-3860)`);
    return invalid("malformed", `cannot decode transaction (${message})`);
  }
  if (hex(tx.serialize()) !== raw.toString("hex")) invalid("malformed", "non-canonical transaction encoding");
  if (tx.type === TransactionType.Legacy && !tx.supports(Capability.EIP155ReplayProtection)) invalid("wrong-chain", "legacy transaction without EIP-155 chain id");
  if (tx.type === TransactionType.FeeMarketEIP1559 && tx.accessList.length > 0) invalid("unsupported", "access lists are not supported");
  if (tx.gasLimit > MAX_EVM_TX_GAS) invalid("gas-limit-too-high", `gas limit ${tx.gasLimit} above the L2 transaction gas cap ${MAX_EVM_TX_GAS}`);
  const to = tx.to ? tx.to.toString().toLowerCase() : null;
  if (to === null && tx.data.length > MAX_INIT_CODE_BYTES) invalid("malformed", `init code of ${tx.data.length} bytes is over ${MAX_INIT_CODE_BYTES} (EIP-3860)`);
  let from: string;
  try {
    from = tx.getSenderAddress().toString().toLowerCase();
  } catch (e) {
    if (e instanceof InvalidOperationError) throw e;
    return invalid("bad-signature", "invalid signature");
  }
  const v = tx.v ?? 0n;
  const yParity = (tx.type === TransactionType.Legacy ? (v - 35n) % 2n : v) === 1n ? 1 : 0;
  const fee: UnsignedTx["fee"] =
    tx.type === TransactionType.FeeMarketEIP1559
      ? { type: 2, maxPriorityFeePerGas: tx.maxPriorityFeePerGas, maxFeePerGas: tx.maxFeePerGas, gasLimit: tx.gasLimit }
      : { type: 0, gasPrice: (tx as { gasPrice: bigint }).gasPrice, gasLimit: tx.gasLimit };
  return {
    tx,
    raw,
    hash: "0x" + keccak256(raw).toString("hex"),
    from,
    fields: { fee, chainId, nonce: tx.nonce, to, value: tx.value, data: Buffer.from(tx.data) },
    signature: { r: word(tx.r ?? 0n), s: word(tx.s ?? 0n), yParity },
  };
}
