/** Cairn's SDK: what dapps and scripts import. */
export { CairnClient, CairnClientError, type CairnAddresses, type CairnClientOptions, type WithdrawalState, type WithdrawalStatus } from "./client";
export { l2TokenAddress } from "../core/hashing";
export { WITHDRAWAL_PREDEPLOY } from "../core/constants";
export { cairnL1Actions, cairnL2Actions, type WithdrawalProof } from "./viem";
