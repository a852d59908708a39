/**
 * Rebuilds Ethereum transactions from packed fields: the RLP signing hash a wallet signed, the
 * raw signed bytes (whose keccak is the tx hash), and the sender recovered from the signature.
 * TxHashing on L1 does the same for fraud proofs. Native secp256k1 recovers ~25× faster than the
 * pure-JS path; the fallback keeps the core working without the binary.
 */
import { SigningKey, Signature as EthersSignature } from "ethers";
import { keccak256 } from "./hash";
import { bytesToAddress } from "./bytes";
import { RlpWriter } from "./rlp";

/** Fee fields of a transaction, as listed once per commitment. */
export type FeeEntry =
  | { type: 0; gasPrice: bigint; gasLimit: bigint }
  | { type: 2; maxPriorityFeePerGas: bigint; maxFeePerGas: bigint; gasLimit: bigint };

export interface UnsignedTx {
  fee: FeeEntry;
  chainId: bigint;
  nonce: bigint;
  to: string;
  value: bigint;
  data: Buffer;
}

/** An ECDSA signature; `s` is always in the lower half of the curve order (EIP-2). */
export interface TxSignature {
  r: Buffer;
  s: Buffer;
  yParity: 0 | 1;
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;

const fieldsWriter = new RlpWriter();
const wrapWriter = new RlpWriter();

/**
 * The RLP items a transaction signs, encoded and concatenated but not yet wrapped in a list:
 * the signing payload and the raw transaction share them, so a replay encodes them once.
 */
export function encodeTxFields(tx: UnsignedTx): Buffer {
  const w = fieldsWriter.reset();
  const f = tx.fee;
  if (f.type === 2) {
    w.int(tx.chainId).int(tx.nonce).int(f.maxPriorityFeePerGas).int(f.maxFeePerGas).int(f.gasLimit);
    w.address(tx.to).int(tx.value).string(tx.data).listHeader(0);
  } else {
    w.int(tx.nonce).int(f.gasPrice).int(f.gasLimit).address(tx.to).int(tx.value).string(tx.data);
  }
  return w.bytes();
}

/** The hash the sender signed (EIP-1559 type 2, or legacy with EIP-155 replay protection). */
export function signingHash(tx: UnsignedTx): Buffer {
  return signingHashOfFields(tx, encodeTxFields(tx));
}

/** {@link signingHash} from the transaction's {@link encodeTxFields}. */
export function signingHashOfFields(tx: UnsignedTx, encoded: Buffer): Buffer {
  return keccak256(writeSigningPayload(tx, encoded).view());
}

/** The bytes whose keccak is {@link signingHash}, from the transaction's {@link encodeTxFields}. */
export function signingPayloadOfFields(tx: UnsignedTx, encoded: Buffer): Buffer {
  return writeSigningPayload(tx, encoded).bytes();
}

function writeSigningPayload(tx: UnsignedTx, encoded: Buffer): RlpWriter {
  const w = wrapWriter.reset();
  if (tx.fee.type === 2) return w.byte(2).listHeader(encoded.length).raw(encoded);
  const tail = fieldsWriter.reset().int(tx.chainId).byte(0x80).byte(0x80).view();
  return w.listHeader(encoded.length + tail.length).raw(encoded).raw(tail);
}

/** The raw signed transaction, byte for byte what the wallet broadcast. */
export function rawTransaction(tx: UnsignedTx, sig: TxSignature): Buffer {
  return rawTransactionOfFields(tx, encodeTxFields(tx), sig);
}

/** {@link rawTransaction} from the transaction's {@link encodeTxFields}. */
export function rawTransactionOfFields(tx: UnsignedTx, encoded: Buffer, sig: TxSignature): Buffer {
  const v = tx.fee.type === 2 ? BigInt(sig.yParity) : tx.chainId * 2n + 35n + BigInt(sig.yParity);
  const tail = fieldsWriter.reset().int(v).string(stripZeros(sig.r)).string(stripZeros(sig.s)).view();
  const w = wrapWriter.reset();
  if (tx.fee.type === 2) w.byte(2);
  return w.listHeader(encoded.length + tail.length).raw(encoded).raw(tail).bytes();
}

/** A big-endian integer's minimal bytes (RLP's canonical form). */
function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

/** Transaction hash: keccak256 of the raw signed bytes. */
export function transactionHash(tx: UnsignedTx, sig: TxSignature): Buffer {
  return keccak256(rawTransaction(tx, sig));
}

/** Whether r and s are in range and s is canonical (lower half), as Ethereum requires. */
export function isCanonicalSignature(sig: TxSignature): boolean {
  const r = BigInt("0x" + sig.r.toString("hex"));
  const s = BigInt("0x" + sig.s.toString("hex"));
  return r > 0n && r < SECP256K1_N && s > 0n && s <= HALF_N;
}

/** EIP-2098 compact form: r ‖ (yParity << 255 | s). */
export function compactSignature(sig: TxSignature): Buffer {
  const vs = Buffer.from(sig.s);
  if (sig.yParity) vs[0] |= 0x80;
  return Buffer.concat([sig.r, vs]);
}

/** Inverse of {@link compactSignature}. */
export function expandSignature(compact: Buffer): TxSignature {
  const r = Buffer.from(compact.subarray(0, 32));
  const s = Buffer.from(compact.subarray(32, 64));
  const yParity = (s[0] & 0x80 ? 1 : 0) as 0 | 1;
  s[0] &= 0x7f;
  return { r, s, yParity };
}

/**
 * The signer's address, or null for a signature that recovers no key. Both libraries say that
 * by throwing, untyped; nothing else in their call throws, so any throw is read as it.
 */
type Recover = (hash: Buffer, sig: TxSignature) => string | null;

function loadNativeRecover(): Recover | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const secp = require("secp256k1/bindings") as {
      ecdsaRecover(sig: Uint8Array, recid: number, msg: Uint8Array, compressed: boolean): Uint8Array;
    };
    return (hash, sig) => {
      try {
        const pub = secp.ecdsaRecover(Buffer.concat([sig.r, sig.s]), sig.yParity, hash, false);
        return bytesToAddress(keccak256(pub.subarray(1)).subarray(12));
      } catch {
        return null;
      }
    };
  } catch {
    // No native build for this platform: the pure-JS recovery below serves.
    return null;
  }
}

const jsRecover: Recover = (hash, sig) => {
  try {
    const pub = SigningKey.recoverPublicKey(hash, EthersSignature.from({ r: "0x" + sig.r.toString("hex"), s: "0x" + sig.s.toString("hex"), yParity: sig.yParity }));
    return bytesToAddress(keccak256(Buffer.from(pub.slice(4), "hex")).subarray(12));
  } catch {
    return null;
  }
};

const nativeRecover = loadNativeRecover();

/** Whether native secp256k1 recovery is in use. */
export const nativeSecp256k1Loaded = nativeRecover !== null;

/** The address that signed `hash`, or null when the signature is invalid or non-canonical. */
export function recoverSigner(hash: Buffer, sig: TxSignature): string | null {
  if (!isCanonicalSignature(sig)) return null;
  return (nativeRecover ?? jsRecover)(hash, sig);
}
