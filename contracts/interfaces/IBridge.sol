// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Types} from "../libraries/Types.sol";

/// @title IBridge
/// @notice Escrow and the L1 → L2 queue: deposits and token registrations enter the queue in
///         order; withdrawals of final batches leave the escrow exactly once.
interface IBridge {
    /// @notice A deposit must move a non-zero amount.
    error BridgeZeroAmount();
    /// @notice A deposit must name a non-zero L2 recipient.
    error BridgeZeroRecipient();
    /// @notice `l1Token` has not been registered with the bridge.
    error BridgeUnknownToken(address l1Token);
    /// @notice `l1Token` is registered already, as token `tokenId`.
    error BridgeTokenAlreadyRegistered(address l1Token, uint24 tokenId);
    /// @notice `l1Token` has no code: it cannot be a token.
    error BridgeNotAContract(address l1Token);
    /// @notice The bridge holds the maximum `max` of tokens (2^24: exhausting them costs ~1.7·10^12
    ///         gas of registrations, see docs/trust-model.md).
    error BridgeTooManyTokens(uint256 max);
    /// @notice Batch `batchIndex` is not final yet.
    error BridgeBatchNotFinal(uint256 batchIndex);
    /// @notice Withdrawal `id` has been paid out already.
    error BridgeWithdrawalAlreadyFinalized(uint64 id);
    /// @notice The proof does not place the withdrawal in batch `batchIndex`'s withdrawal root.
    error BridgeInvalidWithdrawalProof(uint64 id, uint256 batchIndex);
    /// @notice Sending `amount` wei to `recipient` failed.
    error BridgeEthTransferFailed(address recipient, uint256 amount);
    /// @notice There is no queue entry `index` (there are `length`).
    error BridgeUnknownQueueEntry(uint256 index, uint256 length);
    /// @notice A registration must leave each metadata view its full gas allowance: `needed` gas
    ///         before the call, `available` left. Without the check, a tight gas limit could make
    ///         a working token's views fail and record fallback metadata for good.
    error BridgeMetadataGasTooLow(uint256 needed, uint256 available);

    /// @notice Emitted for every entry of the L1 → L2 queue (deposits and registrations).
    /// @param index       Position in the queue.
    /// @param kind        What the entry asks the L2 to do (Types.QueueKind).
    /// @param account     The L2 recipient, or the L1 token for a registration.
    /// @param tokenId     The token of a token deposit or registration.
    /// @param amount      Amount credited on L2 (for tokens: what the bridge actually received).
    /// @param l1Sender    Who queued the entry.
    /// @param accumulator Running hash of the queue after this entry.
    event QueueEntryAdded(
        uint256 indexed index,
        Types.QueueKind indexed kind,
        address indexed account,
        uint24 tokenId,
        uint256 amount,
        address l1Sender,
        bytes32 accumulator
    );
    /// @notice Emitted when an L1 token becomes bridgeable. `name` and `symbol` are what the token
    ///         answered, cut to METADATA_MAX_BYTES bytes ("" when it reverted or answered
    ///         something that is not an ABI string or bytes32): untrusted bytes, not necessarily
    ///         UTF-8, for display only. `decimals` is 18 when the token's view reverted or
    ///         answered above 255.
    /// @param l1Token  The registered L1 token.
    /// @param tokenId  Its id on L2.
    /// @param l2Token  Its address on L2.
    /// @param name     The token's name, at most METADATA_MAX_BYTES bytes.
    /// @param symbol   The token's symbol, at most METADATA_MAX_BYTES bytes.
    /// @param decimals The token's decimals.
    event TokenRegistered(
        address indexed l1Token, uint24 indexed tokenId, address l2Token, string name, string symbol, uint8 decimals
    );
    /// @notice Emitted when withdrawal `id` is paid out on L1.
    event WithdrawalFinalized(
        uint64 indexed id, address indexed l1Recipient, address indexed l1Token, uint256 amount, uint256 batchIndex
    );

    /// @notice Queues a withdrawal of the caller's own L2 funds to the same address on L1: the
    ///         way out when the sequencer censors. The L2 applies it in queue order — if the
    ///         caller's L2 balance covers `amount` — and it is paid by `finalizeWithdrawal` once
    ///         its batch is final. `l1Token` is address(0) for ETH.
    function forceWithdrawal(address l1Token, uint256 amount) external;

    /// @notice Deposits `msg.value` wei to `l2Recipient` on L2.
    function depositETH(address l2Recipient) external payable;

    /// @notice Deposits `amount` of `l1Token` to `l2Recipient` on L2. Fee-on-transfer tokens are
    ///         credited by what the bridge actually received.
    function depositERC20(address l1Token, address l2Recipient, uint256 amount) external;

    /// @notice Makes `l1Token` bridgeable; anyone may register any token contract once. Its
    ///         metadata views are read with a fixed gas allowance each and their answers bounded
    ///         (see TokenRegistered), so no answer can make the registration fail or cost more
    ///         than a fixed amount of gas; a gas limit too tight to give the views their allowance
    ///         reverts (BridgeMetadataGasTooLow) rather than record fallback metadata.
    /// @param l1Token The L1 ERC-20 to register.
    /// @return tokenId The token's index on L2.
    function registerToken(address l1Token) external returns (uint24 tokenId);

    /// @notice Pays out withdrawal `w`, recorded in final batch `batchIndex`, exactly once.
    /// @param proof Sorted-pair Merkle proof of the withdrawal leaf against the batch withdrawal root.
    function finalizeWithdrawal(Types.Withdrawal calldata w, uint256 batchIndex, bytes32[] calldata proof) external;

    /// @notice Number of entries ever queued.
    function queueLength() external view returns (uint256);

    /// @notice Running hash of the queue after entry `index` (low 64 bits: its L1 timestamp).
    function queueAccumulator(uint256 index) external view returns (bytes32);

    /// @notice L1 timestamp at which entry `index` was queued.
    function queueTimestamp(uint256 index) external view returns (uint64);

    /// @notice Number of registered tokens.
    function tokenCount() external view returns (uint256);

    /// @notice The L1 address of token `tokenId`.
    function tokenAt(uint24 tokenId) external view returns (address);

    /// @notice The token id of `l1Token`; reverts when it is not registered.
    function tokenIdOf(address l1Token) external view returns (uint24);

    /// @notice The deterministic L2 address of `l1Token` (registered or not).
    function l2TokenOf(address l1Token) external pure returns (address);

    /// @notice Whether withdrawal `id` has been paid out.
    function isWithdrawalFinalized(uint64 id) external view returns (bool);
}
