/**
 * From a raw signed Ethereum transaction (what `eth_sendRawTransaction` receives) to a packed
 * operation. Only what the packed format reproduces byte for byte is accepted: ETH transfers,
 * ERC-20 `transfer`, `approve` and `transferFrom` on a bridged token's L2 address, and `withdraw`
 * on the withdrawal predeploy, as EIP-1559 (type 2) or EIP-155 legacy transactions.
 */
import { BLOCK_GAS_LIMIT, OpKind, SELECTOR_APPROVE, SELECTOR_TRANSFER, SELECTOR_TRANSFER_FROM, SELECTOR_WITHDRAW, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "./constants";
import { invalid } from "./errors";
import { keccak256 } from "./hash";
import { bytesToAddress, bytesToBigint } from "./bytes";
import type { SignedOp } from "./ops";
import type { L2Token } from "./tokenRegistry";
import type { L2State } from "./state";
import { encodeTxFields, isCanonicalSignature, rawTransactionOfFields, recoverSigner, signingPayloadOfFields, type TxSignature, type UnsignedTx } from "./txSigning";
import { RlpError, rlpDecode, type RlpValue } from "./rlp";

/** A signed transaction, parsed and checked against the chain id but not yet against the state. */
export interface ParsedTx extends UnsignedTx {
  sig: TxSignature;
  hash: string;
  from: string;
  raw: Buffer;
}

/** A raw transaction decoded and checked, all but its signature's signer. */
export interface DecodedTx {
  unsigned: UnsignedTx;
  sig: TxSignature;
  raw: Buffer;
  /** What the sender signed: its keccak is the hash the signature must recover the sender from. */
  signingPayload: Buffer;
}

/** Parses and authenticates a raw signed transaction. */
export function parseRawTransaction(raw: string, chainId: bigint): ParsedTx {
  const d = decodeRawTransaction(raw, chainId);
  return authenticate(d, recoverSigner(keccak256(d.signingPayload), d.sig));
}

/**
 * Decodes a raw signed transaction and checks everything but who signed it — so the costly
 * recovery can run elsewhere (a worker thread) and {@link authenticate} finish the job.
 */
export function decodeRawTransaction(raw: string, chainId: bigint): DecodedTx {
  const notHex = () => invalid("malformed", "raw transaction must be 0x-prefixed hex bytes");
  if (typeof raw !== "string" || raw.length < 4 || raw.length % 2 !== 0 || raw[0] !== "0" || raw[1] !== "x") notHex();
  // Buffer.from stops at the first pair that is not hex: a short result is the check.
  const bytes = Buffer.from(raw.slice(2), "hex");
  if (bytes.length * 2 !== raw.length - 2) notHex();
  const { unsigned, sig } = decodeTransactionFields(bytes, chainId);
  // The packed format rebuilds the raw bytes from fields; refuse anything it would not reproduce.
  const fields = encodeTxFields(unsigned);
  if (!rawTransactionOfFields(unsigned, fields, sig).equals(bytes)) invalid("malformed", "non-canonical transaction encoding");
  if (!isCanonicalSignature(sig)) invalid("bad-signature", "invalid signature (r or s out of range, or s in the upper half)");
  return { unsigned, sig, raw: bytes, signingPayload: signingPayloadOfFields(unsigned, fields) };
}

/**
 * The pool's rule beside the protocol's: a transaction whose gas limit is above the block gas
 * limit is refused where transactions come in, as geth's pool refuses it ("exceeds block gas
 * limit"). Not a rule of the state transition — a commitment may carry any gas limit, and
 * replay and the verifier judge it as before — so decoding alone does not apply it.
 */
export function requireWithinBlockGasLimit(d: DecodedTx): void {
  if (d.unsigned.fee.gasLimit > BLOCK_GAS_LIMIT) invalid("gas-limit-too-high", `gas limit ${d.unsigned.fee.gasLimit} above the block gas limit ${BLOCK_GAS_LIMIT}`);
}

/**
 * A decoded transaction with the address its signature recovered (null: it recovered none) and
 * its hash, keccak256 of the raw bytes (computed here unless the caller has it already).
 */
export function authenticate(d: DecodedTx, from: string | null, hash = "0x" + keccak256(d.raw).toString("hex")): ParsedTx {
  if (!from) return invalid("bad-signature", "invalid signature");
  // Spelled out: a spread of the decoded fields cost ~5 µs a transaction under load.
  const u = d.unsigned;
  return { fee: u.fee, chainId: u.chainId, nonce: u.nonce, to: u.to, value: u.value, data: u.data, sig: d.sig, from, hash, raw: d.raw };
}


/**
 * The fields of a type-2 or EIP-155 legacy transaction, checked against the chain id — not its
 * canonical form nor its signature: for bytes this node accepted before (its store).
 */
export function decodeTransactionFields(bytes: Buffer, chainId: bigint): { unsigned: UnsignedTx; sig: TxSignature } {
  const type = bytes[0] >= 0xc0 ? 0 : bytes[0];
  if (type !== 0 && type !== 2) invalid("unsupported", `transaction type ${type} not supported (Cairn accepts type 2 and legacy EIP-155)`);
  let list: RlpValue;
  try {
    list = rlpDecode(bytes, type === 2 ? 1 : 0);
  } catch (e) {
    if (!(e instanceof RlpError)) throw e;
    return invalid("malformed", `cannot decode transaction (${e.message})`);
  }
  const accessListAt = type === 2 ? 8 : -1;
  if (!Array.isArray(list) || list.length !== (type === 2 ? 12 : 9) || !list.every((v, i) => i === accessListAt || Buffer.isBuffer(v))) {
    return invalid("malformed", `cannot decode transaction (not a list of ${type === 2 ? 12 : 9} fields)`);
  }
  if (type === 2 && (!Array.isArray(list[8]) || list[8].length > 0)) invalid("unsupported", "access lists are not supported");
  const f = list as Buffer[];
  const num = (b: Buffer, what: string) => {
    if (b.length > 32) invalid("malformed", `${what} is longer than 32 bytes`);
    return bytesToBigint(b);
  };
  if (type === 2) {
    const [cid, nonce, tip, maxFee, gasLimit, to, value, data, , yParity, r, s] = f;
    if (num(cid, "chain id") !== chainId) invalid("wrong-chain", `chain id ${num(cid, "chain id")}, this chain is ${chainId}`);
    if (to.length === 0) invalid("unsupported", "contract creation is not supported: Cairn has no general contracts");
    if (to.length !== 20) invalid("malformed", "recipient is not 20 bytes");
    const v = num(yParity, "y parity");
    if (v > 1n) invalid("bad-signature", "y parity must be 0 or 1");
    return {
      unsigned: { fee: { type: 2, maxPriorityFeePerGas: num(tip, "priority fee"), maxFeePerGas: num(maxFee, "max fee"), gasLimit: num(gasLimit, "gas limit") }, chainId, nonce: num(nonce, "nonce"), to: bytesToAddress(to), value: num(value, "value"), data },
      sig: { r: pad32(r), s: pad32(s), yParity: Number(v) as 0 | 1 },
    };
  }
  const [nonce, gasPrice, gasLimit, to, value, data, vBytes, r, s] = f;
  const v = num(vBytes, "v");
  if (v === 27n || v === 28n) invalid("wrong-chain", "legacy transaction without EIP-155 chain id");
  const txChainId = (v - 35n) / 2n;
  if (v < 35n || txChainId !== chainId) invalid("wrong-chain", `chain id ${v < 35n ? "none" : txChainId}, this chain is ${chainId}`);
  if (to.length === 0) invalid("unsupported", "contract creation is not supported: Cairn has no general contracts");
  if (to.length !== 20) invalid("malformed", "recipient is not 20 bytes");
  return {
    unsigned: { fee: { type: 0, gasPrice: num(gasPrice, "gas price"), gasLimit: num(gasLimit, "gas limit") }, chainId, nonce: num(nonce, "nonce"), to: bytesToAddress(to), value: num(value, "value"), data },
    sig: { r: pad32(r), s: pad32(s), yParity: Number((v - 35n) % 2n) as 0 | 1 },
  };
}

function pad32(b: Buffer): Buffer {
  if (b.length > 32) invalid("bad-signature", "signature value longer than 32 bytes");
  return b.length === 32 ? b : Buffer.concat([Buffer.alloc(32 - b.length), b]);
}

/**
 * What a parsed transaction asks for, in packed form, given the state it will run on.
 * `checkNonce: false` skips the nonce comparison: only for building invalid operations on
 * purpose (fraud-proof tests and the sequencer's faulty mode).
 */
export function toSignedOp(state: L2State, tx: ParsedTx, feeIndex: number, options: { checkNonce?: boolean } = {}): SignedOp {
  const from = state.indexOf(tx.from);
  if (from === undefined) return invalid("insufficient-funds", `sender ${tx.from} has no balance on Cairn`);
  const nonce = state.account(from).nonce;
  if (options.checkNonce !== false) {
    if (tx.nonce < nonce) invalid("nonce-too-low", `next nonce ${nonce}, tx nonce ${tx.nonce}`);
    if (tx.nonce > nonce) invalid("nonce-too-high", `next nonce ${nonce}, tx nonce ${tx.nonce}`);
  }
  const recipient = (address: string) => state.indexOf(address) ?? address;

  if (tx.to === WITHDRAWAL_PREDEPLOY) {
    const args = decodeCall(tx.data, SELECTOR_WITHDRAW, 3, "withdraw(address,address,uint256)");
    if (tx.value !== 0n) invalid("unsupported", "withdraw takes its amount as an argument; send no value");
    const l1Recipient = wordAddress(args[0], "l1Recipient");
    const token = wordAddress(args[1], "token");
    const amount = bytesToBigint(args[2]);
    if (token === ZERO_ADDRESS) return { kind: OpKind.WITHDRAW_ETH, feeIndex, from, sig: tx.sig, l1Recipient, amount };
    const t = state.tokenByL2Address(token) ?? invalid("unknown-token", `${token} is not a bridged token`);
    return { kind: OpKind.WITHDRAW_TOKEN, feeIndex, from, sig: tx.sig, tokenId: t.id, l1Recipient, amount };
  }
  const token = state.tokenByL2Address(tx.to);
  if (token) return tokenCall(state, tx, token, { feeIndex, from, sig: tx.sig });
  if (tx.data.length !== 0) {
    invalid("unsupported", `${tx.to} is not a contract on Cairn: only ETH transfers (no data), token transfer(), approve() and transferFrom(), and the withdrawal predeploy's withdraw() are supported`);
  }
  const to = recipient(tx.to);
  return typeof to === "number"
    ? { kind: OpKind.ETH_TRANSFER, feeIndex, from, sig: tx.sig, to, amount: tx.value }
    : { kind: OpKind.ETH_TRANSFER_NEW, feeIndex, from, sig: tx.sig, to, amount: tx.value };
}

/** The ERC-20 call a transaction to a bridged token's L2 address makes, as a packed operation. */
function tokenCall(state: L2State, tx: ParsedTx, token: L2Token, base: { feeIndex: number; from: number; sig: TxSignature }): SignedOp {
  if (tx.value !== 0n) invalid("unsupported", "token calls carry no ETH value");
  const recipient = (address: string) => state.indexOf(address) ?? address;
  const tokenId = token.id;
  const selector = tx.data.subarray(0, 4).toString("hex");
  if (selector === SELECTOR_APPROVE) {
    const args = decodeCall(tx.data, SELECTOR_APPROVE, 2, "approve(address,uint256)");
    const spender = recipient(wordAddress(args[0], "spender"));
    const amount = bytesToBigint(args[1]);
    return typeof spender === "number" ? { kind: OpKind.APPROVE, ...base, tokenId, spender, amount } : { kind: OpKind.APPROVE_NEW, ...base, tokenId, spender, amount };
  }
  if (selector === SELECTOR_TRANSFER_FROM) {
    const args = decodeCall(tx.data, SELECTOR_TRANSFER_FROM, 3, "transferFrom(address,address,uint256)");
    const ownerAddress = wordAddress(args[0], "from");
    const to = recipient(wordAddress(args[1], "to"));
    const amount = bytesToBigint(args[2]);
    // An owner without an account has given no allowance: OpenZeppelin reverts on it.
    const owner = state.indexOf(ownerAddress) ?? invalid("insufficient-allowance", `${ownerAddress} has given no allowance`);
    return typeof to === "number" ? { kind: OpKind.TRANSFER_FROM, ...base, tokenId, owner, to, amount } : { kind: OpKind.TRANSFER_FROM_NEW, ...base, tokenId, owner, to, amount };
  }
  const args = decodeCall(tx.data, SELECTOR_TRANSFER, 2, "transfer(address,uint256)");
  const to = recipient(wordAddress(args[0], "to"));
  const amount = bytesToBigint(args[1]);
  return typeof to === "number" ? { kind: OpKind.TOKEN_TRANSFER, ...base, tokenId, to, amount } : { kind: OpKind.TOKEN_TRANSFER_NEW, ...base, tokenId, to, amount };
}

function decodeCall(data: Buffer, selector: string, words: number, signature: string): Buffer[] {
  if (data.length !== 4 + 32 * words || data.subarray(0, 4).toString("hex") !== selector) {
    invalid("unsupported", `expected a call to ${signature}`);
  }
  return Array.from({ length: words }, (_, i) => data.subarray(4 + 32 * i, 36 + 32 * i));
}

function wordAddress(w: Buffer, what: string): string {
  if (w.subarray(0, 12).some((b) => b !== 0)) invalid("malformed", `${what} is not an address`);
  return bytesToAddress(w.subarray(12));
}
