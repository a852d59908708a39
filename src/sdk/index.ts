/**
 * Cairn's SDK: what dapps and scripts import as `cairn`. The actions, one a file in ./actions,
 * each taking what it acts through (a connection, or an L2 signer) and its parameters, as
 * viem's do; `CairnClient` binds them to one connection. For viem, `cairnL1Actions`,
 * `cairnL2Actions` and `cairnL2WalletActions` extend viem clients; the single viem actions are
 * in `cairn/viem`.
 */
export { CairnClient, type CairnClientOptions } from "./client";
export type { CairnAddresses, CairnConnection, Deposit, Hex, QueuedEntry, RollupStatus, TokenBalance, WithdrawalProof, WithdrawalRef, WithdrawalState, WithdrawalStatus } from "./types";
export { CairnClientError, DevnetFileError, MissingEventError, SignerRequiredError, UnknownWithdrawalError, WaitTimeoutError, WithdrawalNotPostedError } from "./errors";

export { depositETH, type DepositETHErrorType, type DepositETHParameters, type DepositETHReturnType } from "./actions/depositETH";
export { depositERC20, type DepositERC20ErrorType, type DepositERC20Parameters, type DepositERC20ReturnType } from "./actions/depositERC20";
export { waitForDeposit, type WaitForDepositErrorType, type WaitForDepositParameters, type WaitForDepositReturnType } from "./actions/waitForDeposit";
export { transfer, type TransferErrorType, type TransferParameters, type TransferReturnType } from "./actions/transfer";
export { withdraw, type WithdrawErrorType, type WithdrawParameters, type WithdrawReturnType } from "./actions/withdraw";
export { forceWithdrawal, type ForceWithdrawalErrorType, type ForceWithdrawalParameters, type ForceWithdrawalReturnType } from "./actions/forceWithdrawal";
export { getWithdrawalProof, type GetWithdrawalProofErrorType, type GetWithdrawalProofParameters, type GetWithdrawalProofReturnType } from "./actions/getWithdrawalProof";
export { getWithdrawalStatus, type GetWithdrawalStatusErrorType, type GetWithdrawalStatusParameters, type GetWithdrawalStatusReturnType } from "./actions/getWithdrawalStatus";
export { waitForWithdrawal, type WaitForWithdrawalErrorType, type WaitForWithdrawalParameters, type WaitForWithdrawalReturnType } from "./actions/waitForWithdrawal";
export { finalizeWithdrawal, type FinalizeWithdrawalErrorType, type FinalizeWithdrawalParameters, type FinalizeWithdrawalReturnType } from "./actions/finalizeWithdrawal";
export { waitForBatch, type WaitForBatchErrorType, type WaitForBatchParameters, type WaitForBatchReturnType } from "./actions/waitForBatch";
export { getRollupStatus, type GetRollupStatusErrorType, type GetRollupStatusReturnType } from "./actions/getRollupStatus";
export { getTokenBalances, type GetTokenBalancesErrorType, type GetTokenBalancesParameters, type GetTokenBalancesReturnType } from "./actions/getTokenBalances";
export { getRollupHistory, type GetRollupHistoryErrorType, type GetRollupHistoryParameters, type GetRollupHistoryReturnType } from "./actions/getRollupHistory";

export { RollupHistory, l1Now, type BatchRecord, type BatchState, type ChallengeRecord, type PayoutRecord, type QueueRecord, type TokenRecord } from "./history";
export { readDevnetInfo, type DevnetInfo } from "./devnetFile";
export { cairnL1Actions, cairnL2Actions, cairnL2WalletActions, type CairnL1Actions, type CairnL2Actions, type CairnL2WalletActions } from "./viem";

export { l2TokenAddress } from "../core/hashing";
export { WITHDRAWAL_PREDEPLOY } from "../core/constants";
export { verifyAccountProof, type AccountProof } from "../core/accountProof";
