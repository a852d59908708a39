/**
 * The state transition: one packed operation applied to the L2 state, with every validity rule.
 * The sequencer, the replica/challenger and the fraud-proof witness builder all call this, so
 * there is one definition of "valid". An operation is checked in full before anything changes:
 * a thrown InvalidOperationError leaves the state as it was.
 */
import { GAS, OpKind, QueueKind, SELECTOR_TRANSFER, SELECTOR_WITHDRAW, TOPIC_TRANSFER, TOPIC_WITHDRAWAL, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "./constants";
import { InvalidOperationError } from "./errors";
import { MAX_UINT256, MAX_UINT64, addressBytes, word } from "./bytes";
import type { Withdrawal } from "./hashing";
import { chargedSize, type Op, type QueueOp, type SignedOp } from "./ops";
import type { L2State, L2Token } from "./state";
import { encodeTxFields, rawTransactionOfFields, recoverSigner, signingHash, signingHashOfFields, type FeeEntry, type TxSignature, type UnsignedTx } from "./txSigning";
import { keccak256 } from "./hash";
import { ACCOUNT_TREE_DEPTH } from "./constants";

/** An entry of the L1 queue, as the Bridge recorded it. */
export interface QueueEntry {
  index: bigint;
  kind: QueueKind;
  /** The L2 recipient, or the L1 token for a registration. */
  account: string;
  tokenId: number;
  amount: bigint;
}

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
}

export interface QueueResult {
  type: "queue";
  entry: QueueEntry;
  /**
   * Whether the entry took effect: false when a credit would overflow a balance (only a rogue
   * token can do that), or a forced withdrawal finds too little (or no account) to withdraw.
   */
  credited: boolean;
  /** The withdrawal a forced withdrawal made. */
  withdrawal?: Withdrawal;
}

export function isForcedWithdrawal(kind: QueueKind): boolean {
  return kind === QueueKind.FORCED_WITHDRAWAL_ETH || kind === QueueKind.FORCED_WITHDRAWAL_TOKEN;
}

export type OpResult = TxResult | QueueResult;

const invalid = (reason: InvalidOperationError["reason"], details: string): never => {
  throw new InvalidOperationError(reason, details);
};

const topicAddress = (a: string) => "0x" + "0".repeat(24) + a.slice(2);
const hexWord = (v: bigint) => "0x" + word(v).toString("hex");

/** ERC-20 `transfer(to, amount)` calldata. */
export function transferCalldata(to: string, amount: bigint): Buffer {
  return Buffer.concat([Buffer.from(SELECTOR_TRANSFER, "hex"), Buffer.alloc(12), addressBytes(to), word(amount)]);
}

/** Withdrawal predeploy `withdraw(l1Recipient, token, amount)` calldata (token zero for ETH). */
export function withdrawCalldata(l1Recipient: string, l2Token: string, amount: bigint): Buffer {
  return Buffer.concat([
    Buffer.from(SELECTOR_WITHDRAW, "hex"),
    Buffer.alloc(12),
    addressBytes(l1Recipient),
    Buffer.alloc(12),
    addressBytes(l2Token),
    word(amount),
  ]);
}

/** Execution gas of an operation kind, before the per-byte data charge. */
export function executionGas(kind: SignedOp["kind"]): bigint {
  switch (kind) {
    case OpKind.ETH_TRANSFER:
    case OpKind.ETH_TRANSFER_NEW:
      return GAS.ETH_TRANSFER;
    case OpKind.TOKEN_TRANSFER:
    case OpKind.TOKEN_TRANSFER_NEW:
      return GAS.TOKEN_TRANSFER;
    default:
      return GAS.WITHDRAWAL;
  }
}

/** gasUsed of a signed operation: execution plus the L1 data it occupies. */
export function gasUsedOf(op: SignedOp): bigint {
  return executionGas(op.kind) + GAS.DATA_PER_BYTE * BigInt(op.size ?? chargedSize(op));
}

/** The most a fee entry lets a transaction pay per gas. */
export function maxFeePerGas(f: FeeEntry): bigint {
  return f.type === 2 ? f.maxFeePerGas : f.gasPrice;
}

/** Price per gas actually paid under `baseFee`; throws when the caps are below it. */
export function effectiveGasPrice(f: FeeEntry, baseFee: bigint): bigint {
  if (f.type === 0) {
    if (f.gasPrice < baseFee) invalid("fee-too-low", `gas price ${f.gasPrice} below base fee ${baseFee}`);
    return f.gasPrice;
  }
  if (f.maxFeePerGas < baseFee) invalid("fee-too-low", `max fee per gas ${f.maxFeePerGas} below base fee ${baseFee}`);
  if (f.maxPriorityFeePerGas > f.maxFeePerGas) {
    invalid("fee-too-low", `max priority fee ${f.maxPriorityFeePerGas} above max fee ${f.maxFeePerGas}`);
  }
  const withTip = baseFee + f.maxPriorityFeePerGas;
  return withTip < f.maxFeePerGas ? withTip : f.maxFeePerGas;
}

function isWithdrawalKind(kind: SignedOp["kind"]): boolean {
  return kind === OpKind.WITHDRAW_ETH || kind === OpKind.WITHDRAW_TOKEN;
}

/** Applies `op` to `state`. Throws InvalidOperationError, with the state untouched, if it is invalid. */
export function applyOp(state: L2State, op: Op, env: BlockEnv): OpResult {
  return op.kind === OpKind.QUEUE ? applyQueueOp(state, op, env) : applySignedOp(state, op, env);
}

function applyQueueOp(state: L2State, op: QueueOp, env: BlockEnv): QueueResult {
  const entry = env.queueEntry(state.queueIndex);
  if (!entry) return invalid("queue-empty", `no L1 queue entry ${state.queueIndex}`);
  if (entry.kind === QueueKind.TOKEN_REGISTRATION) {
    if (op.credit !== "none") invalid("malformed", `a token registration credits no account`);
    if (entry.tokenId !== state.tokenCount) invalid("malformed", `registration of token ${entry.tokenId}, expected ${state.tokenCount}`);
    state.registerToken(entry.account.toLowerCase());
    state.consumeQueueEntry();
    return { type: "queue", entry, credited: true };
  }
  if ((entry.kind === QueueKind.TOKEN_DEPOSIT || entry.kind === QueueKind.FORCED_WITHDRAWAL_TOKEN) && entry.tokenId >= state.tokenCount) {
    invalid("unknown-token", `queue entry for unregistered token ${entry.tokenId}`);
  }
  if (isForcedWithdrawal(entry.kind)) return applyForcedWithdrawal(state, op, entry);
  const recipient = entry.account.toLowerCase();
  // Each branch reads exactly the accounts a fraud proof needs to witness its verdict.
  let index: number;
  if (op.credit === "existing") {
    if (op.index >= state.accountCount) invalid("unknown-account", `no account ${op.index}`);
    if (state.account(op.index).address !== recipient) invalid("malformed", `account ${op.index} is not deposit recipient ${recipient}`);
    index = op.index;
  } else if (op.credit === "new") {
    const existing = state.indexOf(recipient);
    if (existing !== undefined) {
      state.account(existing);
      invalid("account-exists", `deposit recipient ${recipient} is account ${existing}`);
    }
    if (state.accountCount >= 2 ** ACCOUNT_TREE_DEPTH) invalid("overflow", "account tree full");
    index = -1;
  } else {
    return invalid("malformed", "a deposit must credit an account");
  }
  // Effects: the entry is consumed whatever happens to the credit.
  if (index < 0) index = state.createAccount(recipient);
  state.consumeQueueEntry();
  const current = entry.kind === QueueKind.ETH_DEPOSIT ? state.account(index).balance : state.tokenBalance(index, entry.tokenId);
  const credited = current + entry.amount <= MAX_UINT256;
  if (credited && entry.kind === QueueKind.ETH_DEPOSIT) state.setBalance(index, current + entry.amount);
  if (credited && entry.kind === QueueKind.TOKEN_DEPOSIT) state.setTokenBalance(index, entry.tokenId, current + entry.amount);
  return { type: "queue", entry, credited };
}

/**
 * A forced withdrawal takes the L1 caller's own L2 funds out, all or nothing: it applies when
 * the account exists and holds `amount`, and is otherwise consumed without effect. Either way
 * the commitment must say which: the account's index, or "none" when it has no account.
 */
function applyForcedWithdrawal(state: L2State, op: QueueOp, entry: QueueEntry): QueueResult {
  const owner = entry.account.toLowerCase();
  let index: number | null = null;
  if (op.credit === "existing") {
    if (op.index >= state.accountCount) invalid("unknown-account", `no account ${op.index}`);
    if (state.account(op.index).address !== owner) invalid("malformed", `account ${op.index} is not ${owner}`);
    index = op.index;
  } else if (op.credit === "none") {
    const existing = state.indexOf(owner);
    if (existing !== undefined) {
      state.account(existing);
      invalid("account-exists", `forced withdrawal of ${owner}, which is account ${existing}`);
    }
  } else {
    invalid("malformed", "a forced withdrawal names the account it takes from, or none");
  }
  state.consumeQueueEntry();
  if (index === null) return { type: "queue", entry, credited: false };
  const isEth = entry.kind === QueueKind.FORCED_WITHDRAWAL_ETH;
  const held = isEth ? state.account(index).balance : state.tokenBalance(index, entry.tokenId);
  // Unreachable in practice (2^64 − 1 withdrawals), but defined: the entry is consumed, as when too little is held.
  if (held < entry.amount || state.withdrawalCount >= MAX_UINT64) return { type: "queue", entry, credited: false };
  if (isEth) state.setBalance(index, held - entry.amount);
  else state.setTokenBalance(index, entry.tokenId, held - entry.amount);
  const l1Token = isEth ? ZERO_ADDRESS : state.token(entry.tokenId)!.l1Address;
  const withdrawal = { id: state.takeWithdrawalId(), l2Sender: owner, l1Recipient: owner, l1Token, amount: entry.amount };
  return { type: "queue", entry, credited: true, withdrawal };
}

interface Resolved {
  tx: UnsignedTx;
  recipient: number | string | null;
  tokenId: number | null;
  l1Token: string | null;
}

/** Rebuilds what the sender signed from the packed fields and the sender's pre-state nonce. */
function resolve(state: L2State, op: SignedOp, env: BlockEnv, nonce: bigint): Resolved {
  const fee = env.fees[op.feeIndex];
  if (!fee) return invalid("malformed", `fee index ${op.feeIndex} of ${env.fees.length}`);
  // Object literals spelled out: this runs for every transaction the sequencer applies.
  const tx = (to: string, value: bigint, data: Buffer): UnsignedTx => ({ fee, chainId: env.chainId, nonce, to, value, data });
  switch (op.kind) {
    case OpKind.ETH_TRANSFER:
      return { tx: tx(accountAddress(state, op.to), op.amount, NO_DATA), recipient: op.to, tokenId: null, l1Token: null };
    case OpKind.ETH_TRANSFER_NEW:
      return { tx: tx(op.to, op.amount, NO_DATA), recipient: op.to, tokenId: null, l1Token: null };
    case OpKind.TOKEN_TRANSFER:
    case OpKind.TOKEN_TRANSFER_NEW: {
      const token = knownToken(state, op.tokenId);
      const to = typeof op.to === "number" ? accountAddress(state, op.to) : op.to;
      return { tx: tx(token.l2Address, 0n, transferCalldata(to, op.amount)), recipient: op.to, tokenId: op.tokenId, l1Token: token.l1Address };
    }
    case OpKind.WITHDRAW_ETH:
      return { tx: tx(WITHDRAWAL_PREDEPLOY, 0n, withdrawCalldata(op.l1Recipient, ZERO_ADDRESS, op.amount)), recipient: null, tokenId: null, l1Token: ZERO_ADDRESS };
    case OpKind.WITHDRAW_TOKEN: {
      const token = knownToken(state, op.tokenId);
      return { tx: tx(WITHDRAWAL_PREDEPLOY, 0n, withdrawCalldata(op.l1Recipient, token.l2Address, op.amount)), recipient: null, tokenId: op.tokenId, l1Token: token.l1Address };
    }
  }
}

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
  const { tx, recipient, tokenId, l1Token } = resolve(state, op, env, sender.nonce);
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
  const gasUsed = gasUsedOf(op);
  if (tx.fee.gasLimit < gasUsed) invalid("gas-limit-too-low", `gas limit ${tx.fee.gasLimit} below gas used ${gasUsed}`);
  const ethOut = op.kind === OpKind.ETH_TRANSFER || op.kind === OpKind.ETH_TRANSFER_NEW || op.kind === OpKind.WITHDRAW_ETH ? op.amount : 0n;
  const upfront = tx.fee.gasLimit * maxFeePerGas(tx.fee) + ethOut;
  if (sender.balance < upfront) {
    invalid("insufficient-funds", `balance ${sender.balance} of ${sender.address} below gas × price + value ${upfront}`);
  }
  if (tokenId !== null && state.tokenBalance(op.from, tokenId) < op.amount) {
    invalid("insufficient-funds", `token ${tokenId} balance ${state.tokenBalance(op.from, tokenId)} below ${op.amount}`);
  }
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
  if (recipientIndex !== null && recipientIndex !== op.from) {
    // The fee recipient is credited first: a recipient that is also the fee recipient gets both.
    const feeToo = tokenId === null && recipientIndex === env.feeRecipient ? fee : 0n;
    const balance = tokenId === null ? state.account(recipientIndex).balance : state.tokenBalance(recipientIndex, tokenId);
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
  if (recipientIndex !== null) {
    const to = state.account(recipientIndex).address;
    if (tokenId === null) {
      state.setBalance(recipientIndex, state.account(recipientIndex).balance + op.amount);
    } else {
      state.setTokenBalance(op.from, tokenId, state.tokenBalance(op.from, tokenId) - op.amount);
      state.setTokenBalance(recipientIndex, tokenId, state.tokenBalance(recipientIndex, tokenId) + op.amount);
      logs.push({ address: tx.to, topics: [TOPIC_TRANSFER, topicAddress(from), topicAddress(to)], data: hexWord(op.amount) });
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
