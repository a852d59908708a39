/**
 * The state transition: one packed operation applied to the L2 state, with every validity rule.
 * The sequencer, the replica/challenger and the fraud-proof witness builder all call this, so
 * there is one definition of "valid". An operation is checked in full before anything changes:
 * a thrown InvalidOperationError leaves the state as it was. Here: signed operations; queue
 * operations are in queueOps.ts, the gas and fee arithmetic in gas.ts.
 */
import { ACCOUNT_TREE_DEPTH, OpKind, TOPIC_APPROVAL, TOPIC_TRANSFER, TOPIC_WITHDRAWAL, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "./constants";
import { InvalidOperationError, invalid } from "./errors";
import { MAX_UINT256, MAX_UINT64, addressBytes, word } from "./bytes";
import type { Withdrawal } from "./hashing";
import type { AllowanceOp, Op, SignedOp } from "./ops";
import type { L2State } from "./state";
import type { L2Token } from "./tokenRegistry";
import { encodeTxFields, rawTransactionOfFields, recoverSigner, signingHash, signingHashOfFields, type FeeEntry, type TxSignature, type UnsignedTx } from "./txSigning";
import { keccak256 } from "./hash";
import { effectiveGasPrice, gasUsedOn, maxFeePerGas } from "./gas";
import { approveCalldata, transferCalldata, transferFromCalldata, withdrawCalldata } from "./calldata";
import { applyQueueOp, type QueueEntry, type QueueResult } from "./queueOps";

// The transition's other parts, where importers of the transition have always found them.

/** What a commitment fixes for all its operations. */
export interface BlockEnv {
  chainId: bigint;
  baseFee: bigint;
  feeRecipient: number;
  fees: readonly FeeEntry[];
  /** The L1 queue entry at `index`, if it exists. */
  queueEntry(index: bigint): QueueEntry | undefined;
  /**
   * The transaction the sequencer received and authenticated at intake: when the operation
   * rebuilds exactly its raw bytes, it signs the same hash, so its signer and hash stand and
   * neither ecrecover nor keccak need run again.
   */
  received?: { raw: Buffer; hash: string; signer: string };
  /**
   * Signers recovered ahead of time (a replica recovers a batch's on a worker thread), by
   * operation: each for the sender nonce it was predicted at. At that nonce the operation
   * signs exactly the predicted hash — everything else it signs (recipient and token addresses,
   * fees, chain id) never changes once it exists — so the signer stands; at another nonce it
   * is recovered again.
   */
  ahead?: ReadonlyMap<SignedOp, { nonce: bigint; signer: string }>;
}

/**
 * The hash `op` signs if its sender's nonce is `nonce`, or null when the state cannot say yet
 * (an account or token the commitment itself creates first): for recovering signatures ahead.
 */
export function signingHashAt(state: L2State, op: SignedOp, env: BlockEnv, nonce: bigint): Buffer | null {
  try {
    return signingHash(resolve(state, op, env, nonce).tx);
  } catch (e) {
    if (e instanceof InvalidOperationError) return null;
    throw e;
  }
}

export interface Log {
  address: string;
  topics: string[];
  data: string;
}

/** What a signed operation did: enough for a receipt. */
export interface TxResult {
  type: "tx";
  hash: string;
  from: string;
  tx: UnsignedTx;
  raw: Buffer;
  signature: TxSignature;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  logs: Log[];
  withdrawal?: Withdrawal;
  /** A contract transaction's outcome (experimental EVM mode); packed operations always succeed. */
  status?: 0 | 1;
  /** The contract a creation made (then `tx.to` holds it too; the RPC answers `to: null`). */
  contractAddress?: string;
}

export type OpResult = TxResult | QueueResult;

const topicAddress = (a: string) => "0x" + "0".repeat(24) + a.slice(2);
const hexWord = (v: bigint) => "0x" + word(v).toString("hex");

function isWithdrawalKind(kind: SignedOp["kind"]): boolean {
  return kind === OpKind.WITHDRAW_ETH || kind === OpKind.WITHDRAW_TOKEN;
}

/** Applies `op` to `state`. Throws InvalidOperationError, with the state untouched, if it is invalid. */
export function applyOp(state: L2State, op: Op, env: BlockEnv): OpResult {
  return op.kind === OpKind.QUEUE ? applyQueueOp(state, op, env.queueEntry(state.queueIndex)) : applySignedOp(state, op, env);
}

interface Resolved {
  tx: UnsignedTx;
  /** Who receives the ETH or tokens (an index, or the address of an account to create), or the spender an approve names. */
  recipient: number | string | null;
  tokenId: number | null;
  l1Token: string | null;
  /** The addresses an ERC-20 call names that OpenZeppelin refuses at zero: its recipient, spender or owner. */
  named: string[];
}

/** Rebuilds what the sender signed from the packed fields and the sender's pre-state nonce. */
function resolve(state: L2State, op: SignedOp, env: BlockEnv, nonce: bigint): Resolved {
  const fee = env.fees[op.feeIndex];
  if (!fee) return invalid("malformed", `fee index ${op.feeIndex} of ${env.fees.length}`);
  // Object literals spelled out: this runs for every transaction the sequencer applies.
  const tx = (to: string, value: bigint, data: Buffer): UnsignedTx => ({ fee, chainId: env.chainId, nonce, to, value, data });
  switch (op.kind) {
    case OpKind.ETH_TRANSFER:
      return { tx: tx(accountAddress(state, op.to), op.amount, NO_DATA), recipient: op.to, tokenId: null, l1Token: null, named: NONE_NAMED };
    case OpKind.ETH_TRANSFER_NEW:
      return { tx: tx(op.to, op.amount, NO_DATA), recipient: op.to, tokenId: null, l1Token: null, named: NONE_NAMED };
    case OpKind.TOKEN_TRANSFER:
    case OpKind.TOKEN_TRANSFER_NEW: {
      const token = knownToken(state, op.tokenId);
      const to = typeof op.to === "number" ? accountAddress(state, op.to) : op.to;
      return { tx: tx(token.l2Address, 0n, transferCalldata(to, op.amount)), recipient: op.to, tokenId: op.tokenId, l1Token: token.l1Address, named: [to] };
    }
    case OpKind.WITHDRAW_ETH:
      return { tx: tx(WITHDRAWAL_PREDEPLOY, 0n, withdrawCalldata(op.l1Recipient, ZERO_ADDRESS, op.amount)), recipient: null, tokenId: null, l1Token: ZERO_ADDRESS, named: NONE_NAMED };
    case OpKind.WITHDRAW_TOKEN: {
      const token = knownToken(state, op.tokenId);
      return { tx: tx(WITHDRAWAL_PREDEPLOY, 0n, withdrawCalldata(op.l1Recipient, token.l2Address, op.amount)), recipient: null, tokenId: op.tokenId, l1Token: token.l1Address, named: NONE_NAMED };
    }
    case OpKind.APPROVE:
    case OpKind.APPROVE_NEW: {
      const token = knownToken(state, op.tokenId);
      const spender = typeof op.spender === "number" ? accountAddress(state, op.spender) : op.spender;
      return { tx: tx(token.l2Address, 0n, approveCalldata(spender, op.amount)), recipient: op.spender, tokenId: op.tokenId, l1Token: token.l1Address, named: [spender] };
    }
    case OpKind.TRANSFER_FROM:
    case OpKind.TRANSFER_FROM_NEW: {
      const token = knownToken(state, op.tokenId);
      const owner = accountAddress(state, op.owner);
      const to = typeof op.to === "number" ? accountAddress(state, op.to) : op.to;
      return { tx: tx(token.l2Address, 0n, transferFromCalldata(owner, to, op.amount)), recipient: op.to, tokenId: op.tokenId, l1Token: token.l1Address, named: [owner, to] };
    }
  }
}

const NONE_NAMED: string[] = [];

/** The calldata of a plain ETH transfer; zero-length, so sharing it is safe. */
const NO_DATA = Buffer.alloc(0);

function accountAddress(state: L2State, index: number): string {
  return index < state.accountCount ? state.account(index).address : invalid("unknown-account", `no account ${index}`);
}

function knownToken(state: L2State, id: number): L2Token {
  return state.token(id) ?? invalid("unknown-token", `token ${id} is not registered`);
}

function applySignedOp(state: L2State, op: SignedOp, env: BlockEnv): TxResult {
  // Checks.
  if (op.from >= state.accountCount) invalid("unknown-account", `sender index ${op.from} of ${state.accountCount}`);
  const sender = state.account(op.from);
  const { tx, recipient, tokenId, l1Token, named } = resolve(state, op, env, sender.nonce);
  const fields = encodeTxFields(tx);
  let raw = rawTransactionOfFields(tx, fields, op.sig);
  const received = env.received?.raw.equals(raw) ? env.received : undefined;
  if (received) raw = received.raw;
  const predicted = env.ahead?.get(op);
  let signer: string | null;
  if (received) signer = received.signer;
  else if (predicted && predicted.nonce === sender.nonce) signer = predicted.signer;
  else signer = recoverSigner(signingHashOfFields(tx, fields), op.sig);
  if (signer !== sender.address) {
    invalid("bad-signature", `signature does not recover account ${op.from} (${sender.address}) at nonce ${sender.nonce}`);
  }
  if (env.feeRecipient >= state.accountCount) invalid("unknown-account", `fee recipient ${env.feeRecipient}`);
  const price = effectiveGasPrice(tx.fee, env.baseFee);
  // Reads the allowance and the recipient's token balance before any later check can fail: the verifier reads them here too.
  const gasUsed = gasUsedOn(state, op);
  if (tx.fee.gasLimit < gasUsed) invalid("gas-limit-too-low", `gas limit ${tx.fee.gasLimit} below gas used ${gasUsed}`);
  const ethOut = op.kind === OpKind.ETH_TRANSFER || op.kind === OpKind.ETH_TRANSFER_NEW || op.kind === OpKind.WITHDRAW_ETH ? op.amount : 0n;
  const upfront = tx.fee.gasLimit * maxFeePerGas(tx.fee) + ethOut;
  if (sender.balance < upfront) {
    invalid("insufficient-funds", `balance ${sender.balance} of ${sender.address} below gas × price + value ${upfront}`);
  }
  checkTokenCall(state, op, tokenId, named);
  if ((op.kind === OpKind.WITHDRAW_ETH || op.kind === OpKind.WITHDRAW_TOKEN) && (op.amount === 0n || op.l1Recipient === ZERO_ADDRESS)) {
    invalid("malformed", "a withdrawal needs a non-zero amount and L1 recipient");
  }
  let recipientIndex: number | null = typeof recipient === "number" ? recipient : null;
  if (typeof recipient === "string") {
    const existing = state.indexOf(recipient);
    if (existing !== undefined) {
      state.account(existing);
      invalid("account-exists", `${recipient} is account ${existing}; name it by index`);
    }
    if (state.accountCount >= 2 ** ACCOUNT_TREE_DEPTH) invalid("overflow", "account tree full");
  }
  const fee = gasUsed * price; // ≤ gasLimit × maxFee ≤ the sender's balance, checked above
  const payer = payerOf(op);
  const credits = recipientIndex !== null && op.kind !== OpKind.APPROVE && op.kind !== OpKind.APPROVE_NEW;
  if (credits && recipientIndex !== payer) {
    // The fee recipient is credited first: a recipient that is also the fee recipient gets both.
    const feeToo = tokenId === null && recipientIndex === env.feeRecipient ? fee : 0n;
    const balance = tokenId === null ? state.account(recipientIndex!).balance : state.tokenBalance(recipientIndex!, tokenId);
    if (balance + feeToo + op.amount > MAX_UINT256) invalid("overflow", `credit overflows account ${recipientIndex}`);
  }
  if (env.feeRecipient !== op.from && state.account(env.feeRecipient).balance + fee > MAX_UINT256) {
    invalid("overflow", `fee credit overflows fee recipient ${env.feeRecipient}`);
  }
  // 8-byte fields: unreachable in practice, defined so that both sides agree on every state.
  if (sender.nonce >= MAX_UINT64) invalid("overflow", `nonce of ${sender.address} is at its maximum`);
  if (isWithdrawalKind(op.kind) && state.withdrawalCount >= MAX_UINT64) invalid("overflow", "withdrawal count is at its maximum");

  // Effects.
  const from = sender.address;
  state.setNonce(op.from, sender.nonce + 1n);
  state.setBalance(op.from, sender.balance - fee - ethOut);
  state.setBalance(env.feeRecipient, state.account(env.feeRecipient).balance + fee);
  if (typeof recipient === "string") recipientIndex = state.createAccount(recipient);
  const logs: Log[] = [];
  let withdrawal: Withdrawal | undefined;
  if (op.kind === OpKind.APPROVE || op.kind === OpKind.APPROVE_NEW) {
    state.setAllowance(op.from, op.tokenId, recipientIndex!, op.amount);
    logs.push({ address: tx.to, topics: [TOPIC_APPROVAL, topicAddress(from), topicAddress(state.account(recipientIndex!).address)], data: hexWord(op.amount) });
  } else if (recipientIndex !== null) {
    const to = state.account(recipientIndex).address;
    if (tokenId === null) {
      state.setBalance(recipientIndex, state.account(recipientIndex).balance + op.amount);
    } else {
      if (op.kind === OpKind.TRANSFER_FROM || op.kind === OpKind.TRANSFER_FROM_NEW) spendAllowance(state, op);
      state.setTokenBalance(payer, tokenId, state.tokenBalance(payer, tokenId) - op.amount);
      state.setTokenBalance(recipientIndex, tokenId, state.tokenBalance(recipientIndex, tokenId) + op.amount);
      logs.push({ address: tx.to, topics: [TOPIC_TRANSFER, topicAddress(state.account(payer).address), topicAddress(to)], data: hexWord(op.amount) });
    }
  } else if (op.kind === OpKind.WITHDRAW_ETH || op.kind === OpKind.WITHDRAW_TOKEN) {
    if (tokenId !== null) {
      state.setTokenBalance(op.from, tokenId, state.tokenBalance(op.from, tokenId) - op.amount);
      const l2Token = state.token(tokenId)!.l2Address;
      logs.push({ address: l2Token, topics: [TOPIC_TRANSFER, topicAddress(from), topicAddress(ZERO_ADDRESS)], data: hexWord(op.amount) });
    }
    withdrawal = { id: state.takeWithdrawalId(), l2Sender: from, l1Recipient: op.l1Recipient, l1Token: l1Token!, amount: op.amount };
    logs.push({
      address: WITHDRAWAL_PREDEPLOY,
      topics: [TOPIC_WITHDRAWAL, hexWord(withdrawal.id), topicAddress(from), topicAddress(op.l1Recipient)],
      data: "0x" + Buffer.concat([Buffer.alloc(12), addressBytes(withdrawal.l1Token), word(op.amount)]).toString("hex"),
    });
  }
  const hash = received ? received.hash : "0x" + keccak256(raw).toString("hex");
  return { type: "tx", hash, from, tx, raw, signature: op.sig, gasUsed, effectiveGasPrice: price, logs, withdrawal };
}

/**
 * The checks of an ERC-20 call in OpenZeppelin 5's order: a transferFrom's allowance first, then
 * the zero addresses it refuses (recipient, spender, owner), then the balance the amount leaves.
 */
function checkTokenCall(state: L2State, op: SignedOp, tokenId: number | null, named: readonly string[]): void {
  if (tokenId === null) return;
  const isTransferFrom = op.kind === OpKind.TRANSFER_FROM || op.kind === OpKind.TRANSFER_FROM_NEW;
  if (isTransferFrom) {
    const allowance = state.allowance(op.owner, tokenId, op.from);
    if (allowance < op.amount) invalid("insufficient-allowance", `allowance ${allowance} of token ${tokenId} below ${op.amount}`);
  }
  if (named.includes(ZERO_ADDRESS)) invalid("malformed", "an ERC-20 call cannot name the zero address");
  if (op.kind === OpKind.APPROVE || op.kind === OpKind.APPROVE_NEW) return;
  const balance = state.tokenBalance(payerOf(op), tokenId);
  if (balance < op.amount) invalid("insufficient-funds", `token ${tokenId} balance ${balance} below ${op.amount}`);
}

/** Whose balance the amount leaves: the owner's for a transferFrom, else the sender's. */
function payerOf(op: SignedOp): number {
  return op.kind === OpKind.TRANSFER_FROM || op.kind === OpKind.TRANSFER_FROM_NEW ? op.owner : op.from;
}

/** Decreases the allowance a transferFrom used, unless it is infinite (2^256 − 1), as OpenZeppelin 5 does. */
function spendAllowance(state: L2State, op: AllowanceOp & { owner: number }): void {
  const allowance = state.allowance(op.owner, op.tokenId, op.from);
  if (allowance !== MAX_UINT256) state.setAllowance(op.owner, op.tokenId, op.from, allowance - op.amount);
}
