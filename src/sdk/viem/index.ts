/**
 * Cairn for viem — `cairn/viem`: each action on its own (one a file in ./actions, taking the
 * client it acts through, as viem's `viem/op-stack` does), and the decorators that bind them to
 * a client with `client.extend(...)`.
 */
export { cairnL1Actions, type CairnL1Actions } from "./decorators/walletL1";
export { cairnL2Actions, type CairnL2Actions } from "./decorators/publicL2";
export { cairnL2WalletActions, type CairnL2WalletActions } from "./decorators/walletL2";
export { depositETH, type DepositETHErrorType, type DepositETHParameters, type DepositETHReturnType } from "./actions/depositETH";
export { depositERC20, type DepositERC20ErrorType, type DepositERC20Parameters, type DepositERC20ReturnType } from "./actions/depositERC20";
export { forceWithdrawal, type ForceWithdrawalErrorType, type ForceWithdrawalParameters, type ForceWithdrawalReturnType } from "./actions/forceWithdrawal";
export { finalizeWithdrawal, type FinalizeWithdrawalErrorType, type FinalizeWithdrawalParameters, type FinalizeWithdrawalReturnType } from "./actions/finalizeWithdrawal";
export { isBatchFinal, type IsBatchFinalErrorType, type IsBatchFinalParameters, type IsBatchFinalReturnType } from "./actions/isBatchFinal";
export { withdraw, type WithdrawErrorType, type WithdrawParameters, type WithdrawReturnType } from "./actions/withdraw";
export { getRollupStatus, type GetRollupStatusErrorType, type GetRollupStatusReturnType } from "./actions/getRollupStatus";
export { getWithdrawalProof, type GetWithdrawalProofErrorType, type GetWithdrawalProofParameters, type GetWithdrawalProofReturnType } from "./actions/getWithdrawalProof";
export { getTokenBalances, type GetTokenBalancesErrorType, type GetTokenBalancesParameters, type GetTokenBalancesReturnType } from "./actions/getTokenBalances";
export type { CairnAddresses, TokenBalance, WithdrawalProof } from "../types";
