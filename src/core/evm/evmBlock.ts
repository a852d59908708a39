/**
 * The body of an *EVM block* (experimental EVM mode; docs/design/evm.md, *Tracer bullet*): one
 * L2 block holding exactly one contract transaction, posted as a commitment body the Rollup
 * accepts as it is — `submitBatch` reads only the header up to the timestamp (BatchCodec) —
 * with a marker where a commitment's fee count would be:
 *
 *   postStateRoot 32 | flags 1 (= 0) | timestamp 5 | baseFee amount | feeRecipient varint
 *   | 0xEF | blockNumber 5 | the raw signed transaction (EIP-2718 bytes, to the end)
 *
 * The marker is above any fee count (at most 32), so `decodeCommitment` — and FraudVerifier —
 * call such a body MALFORMED: anyone can prove an EVM block fraudulent on L1 (see
 * docs/trust-model.md). Flags are 0: an EVM block records no withdrawals and no packed indices.
 * The block number is carried because NUMBER reads it and a challenger does not count L2 blocks;
 * a replica checks it against its own.
 */
import { ByteReader, ByteWriter } from "../bytes";
import { readAmount, writeAmount } from "../amount";
import { MAX_FEE_ENTRIES } from "../constants";
import { DecodeError, OutOfRangeError } from "../errors";

/** The byte where a commitment's fee count stands that says the body is an EVM block. */
export const EVM_BLOCK_MARKER = 0xef;
/** Bytes of a posted body at most (the batch envelope's u16 length). */
export const MAX_BODY_BYTES = 0xffff;

export interface EvmBlock {
  postStateRoot: Buffer;
  /** L2 block timestamp, seconds. */
  timestamp: number;
  baseFee: bigint;
  /** The fee recipient's account index: it is paid `gasUsed × effectiveGasPrice` (no burn). */
  feeRecipient: number;
  /** The L2 block number (NUMBER). */
  number: number;
  /** The signed transaction, as `eth_sendRawTransaction` took it. */
  rawTx: Buffer;
}

// A marker a fee count can never be: the two readings of a body stay apart.
if (EVM_BLOCK_MARKER <= MAX_FEE_ENTRIES) throw new OutOfRangeError("the EVM block marker must be above any fee count");

export function encodeEvmBlock(b: EvmBlock): Buffer {
  if (b.rawTx.length === 0) throw new OutOfRangeError("an EVM block carries a transaction");
  const w = new ByteWriter();
  w.bytes(b.postStateRoot).u8(0).uint(b.timestamp, 5);
  writeAmount(w, b.baseFee);
  w.varint(b.feeRecipient).u8(EVM_BLOCK_MARKER).uint(b.number, 5).bytes(b.rawTx);
  const body = w.toBuffer();
  if (body.length > MAX_BODY_BYTES) throw new OutOfRangeError(`an EVM block of ${body.length} bytes is over ${MAX_BODY_BYTES}`);
  return body;
}

/**
 * The EVM block `body` is, or null when it is not one (a commitment or an empty run, for
 * decodeCommitment). A body is an EVM block iff its flags byte is 0 and the marker stands where a
 * commitment with those flags has its fee count, so the two readings never overlap. Throws
 * DecodeError for a marked body that is malformed (no block number or no transaction bytes).
 */
export function evmBlockOf(body: Buffer): EvmBlock | null {
  const r = new ByteReader(body);
  let markerRead = false;
  try {
    const postStateRoot = Buffer.from(r.take(32, "post-state root"));
    // Flags other than 0 may put a withdrawal root where the timestamp would be: a commitment's.
    if (r.u8("flags") !== 0) return null;
    const timestamp = r.uint(5, "timestamp");
    const baseFee = readAmount(r, "base fee");
    const feeRecipient = r.varint("fee recipient");
    if (r.u8("fee count") !== EVM_BLOCK_MARKER) return null;
    markerRead = true;
    const number = r.uint(5, "block number");
    if (r.remaining === 0) r.fail("EVM block without a transaction");
    return { postStateRoot, timestamp, baseFee, feeRecipient, number, rawTx: Buffer.from(r.take(r.remaining, "transaction")) };
  } catch (e) {
    // A body whose header does not even parse up to the marker is not an EVM block: the
    // commitment decoder says what is wrong with it.
    if (e instanceof DecodeError && !markerRead) return null;
    throw e;
  }
}
