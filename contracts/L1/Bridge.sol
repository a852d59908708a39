// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {IBridge} from "../interfaces/IBridge.sol";
import {IRollup} from "../interfaces/IRollup.sol";
import {Types} from "../libraries/Types.sol";
import {Hashing} from "../libraries/Hashing.sol";

/// @title Bridge
/// @notice Holds the escrow of everything bridged to Cairn and the L1 → L2 queue. Invariant:
///         escrow = sum of L2 balances + withdrawals not yet paid out.
contract Bridge is IBridge, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using BitMaps for BitMaps.BitMap;

    /// @notice Semantic version.
    string public constant version = "0.1.0";
    /// @notice Token ids are 24 bits on L2 (a commitment writes them in 8, 16 or 24 bits, the
    ///         fewest its largest id needs). Registration is permissionless; the cap stays only
    ///         because exhausting it is uneconomic (~16.7M registrations: docs/trust-model.md).
    uint256 public constant MAX_TOKENS = 1 << Types.TOKEN_ID_BITS;

    /// @notice The state commitment chain whose final batches authorise withdrawals.
    IRollup public immutable rollup;

    /// @dev One slot per entry: the running hash, its low 64 bits replaced by the L1 timestamp.
    mapping(uint256 index => bytes32) private _queue;
    /// @dev The queue's head in one slot, so a deposit reads one cold slot, not two: the last
    ///      entry's hash bits (high 192) and the queue length (low 64). The chain hashes only
    ///      the hash bits of the previous entry (see Hashing.queueAccumulator).
    uint256 private _queueHead;
    address[] private _tokens;
    /// @dev tokenId + 1, so that zero means "not registered".
    mapping(address l1Token => uint256) private _tokenIdPlusOne;
    BitMaps.BitMap private _finalized;

    constructor(IRollup rollup_) {
        rollup = rollup_;
    }

    /// @inheritdoc IBridge
    function depositETH(address l2Recipient) external payable nonReentrant {
        if (msg.value == 0) revert BridgeZeroAmount();
        if (l2Recipient == address(0)) revert BridgeZeroRecipient();
        _enqueue(Types.QueueKind.ETH_DEPOSIT, l2Recipient, 0, msg.value);
    }

    /// @inheritdoc IBridge
    function depositERC20(address l1Token, address l2Recipient, uint256 amount) external nonReentrant {
        if (amount == 0) revert BridgeZeroAmount();
        if (l2Recipient == address(0)) revert BridgeZeroRecipient();
        uint256 idPlusOne = _tokenIdPlusOne[l1Token];
        if (idPlusOne == 0) revert BridgeUnknownToken(l1Token);
        // Credit what actually arrived, so fee-on-transfer tokens cannot make the escrow short.
        uint256 before = IERC20(l1Token).balanceOf(address(this));
        IERC20(l1Token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(l1Token).balanceOf(address(this)) - before;
        if (received == 0) revert BridgeZeroAmount();
        _enqueue(Types.QueueKind.TOKEN_DEPOSIT, l2Recipient, uint24(idPlusOne - 1), received);
    }

    /// @inheritdoc IBridge
    function forceWithdrawal(address l1Token, uint256 amount) external {
        if (amount == 0) revert BridgeZeroAmount();
        if (l1Token == address(0)) {
            _enqueue(Types.QueueKind.FORCED_WITHDRAWAL_ETH, msg.sender, 0, amount);
            return;
        }
        uint256 idPlusOne = _tokenIdPlusOne[l1Token];
        if (idPlusOne == 0) revert BridgeUnknownToken(l1Token);
        _enqueue(Types.QueueKind.FORCED_WITHDRAWAL_TOKEN, msg.sender, uint24(idPlusOne - 1), amount);
    }

    /// @inheritdoc IBridge
    function registerToken(address l1Token) external returns (uint24 tokenId) {
        uint256 idPlusOne = _tokenIdPlusOne[l1Token];
        if (idPlusOne != 0) revert BridgeTokenAlreadyRegistered(l1Token, uint24(idPlusOne - 1));
        if (l1Token.code.length == 0) revert BridgeNotAContract(l1Token);
        if (_tokens.length >= MAX_TOKENS) revert BridgeTooManyTokens(MAX_TOKENS);
        // Below MAX_TOKENS = 2^24: the cast is exact.
        tokenId = uint24(_tokens.length);
        _tokens.push(l1Token);
        _tokenIdPlusOne[l1Token] = uint256(tokenId) + 1;
        emit TokenRegistered(
            l1Token,
            tokenId,
            Hashing.l2TokenAddress(l1Token),
            _readString(l1Token, "name()"),
            _readString(l1Token, "symbol()"),
            _readDecimals(l1Token)
        );
        // The L2 learns of the token in queue order, so "unknown token" is decidable on L2.
        _enqueue(Types.QueueKind.TOKEN_REGISTRATION, l1Token, tokenId, 0);
    }

    /// @inheritdoc IBridge
    function finalizeWithdrawal(Types.Withdrawal calldata w, uint256 batchIndex, bytes32[] calldata proof)
        external
        nonReentrant
    {
        if (!rollup.isFinal(batchIndex)) revert BridgeBatchNotFinal(batchIndex);
        if (_finalized.get(w.id)) revert BridgeWithdrawalAlreadyFinalized(w.id);
        bytes32 root = rollup.getBatch(batchIndex).withdrawalRoot;
        if (!MerkleProof.verifyCalldata(proof, root, Hashing.withdrawalLeaf(w))) {
            revert BridgeInvalidWithdrawalProof(w.id, batchIndex);
        }
        _finalized.set(w.id);
        emit WithdrawalFinalized(w.id, w.l1Recipient, w.l1Token, w.amount, batchIndex);
        if (w.l1Token == address(0)) {
            (bool ok,) = w.l1Recipient.call{value: w.amount}("");
            if (!ok) revert BridgeEthTransferFailed(w.l1Recipient, w.amount);
        } else {
            IERC20(w.l1Token).safeTransfer(w.l1Recipient, w.amount);
        }
    }

    /// @inheritdoc IBridge
    function queueLength() external view returns (uint256) {
        return _queueHead & Hashing.TIMESTAMP_MASK;
    }

    /// @inheritdoc IBridge
    function queueAccumulator(uint256 index) external view returns (bytes32) {
        uint256 length = _queueHead & Hashing.TIMESTAMP_MASK;
        if (index >= length) revert BridgeUnknownQueueEntry(index, length);
        return _queue[index];
    }

    /// @inheritdoc IBridge
    function queueTimestamp(uint256 index) external view returns (uint64) {
        uint256 length = _queueHead & Hashing.TIMESTAMP_MASK;
        if (index >= length) revert BridgeUnknownQueueEntry(index, length);
        return uint64(uint256(_queue[index]));
    }

    /// @inheritdoc IBridge
    function tokenCount() external view returns (uint256) {
        return _tokens.length;
    }

    /// @inheritdoc IBridge
    function tokenAt(uint24 tokenId) external view returns (address) {
        if (tokenId >= _tokens.length) revert BridgeUnknownToken(address(0));
        return _tokens[tokenId];
    }

    /// @inheritdoc IBridge
    function tokenIdOf(address l1Token) external view returns (uint24) {
        uint256 idPlusOne = _tokenIdPlusOne[l1Token];
        if (idPlusOne == 0) revert BridgeUnknownToken(l1Token);
        return uint24(idPlusOne - 1);
    }

    /// @inheritdoc IBridge
    function l2TokenOf(address l1Token) external pure returns (address) {
        return Hashing.l2TokenAddress(l1Token);
    }

    /// @inheritdoc IBridge
    function isWithdrawalFinalized(uint64 id) external view returns (bool) {
        return _finalized.get(id);
    }

    function _enqueue(Types.QueueKind kind, address account, uint24 tokenId, uint256 amount) private {
        uint256 head = _queueHead;
        uint256 index = head & Hashing.TIMESTAMP_MASK;
        // The head's low bits are the length, which the accumulator masks off like a timestamp.
        bytes32 acc = Hashing.queueAccumulator(bytes32(head), kind, account, tokenId, amount, uint64(block.timestamp));
        _queue[index] = acc;
        _queueHead = (uint256(acc) & ~Hashing.TIMESTAMP_MASK) | (index + 1);
        emit QueueEntryAdded(index, kind, account, tokenId, amount, msg.sender, acc);
    }

    /// @dev Token metadata is informational (for L2 views); a token without it still bridges.
    function _readString(address token, string memory signature) private view returns (string memory) {
        (bool ok, bytes memory data) = token.staticcall(abi.encodeWithSignature(signature));
        if (!ok || data.length < 64) return "";
        (uint256 offset, uint256 length) = abi.decode(data, (uint256, uint256));
        if (offset != 32 || length > data.length - 64) return "";
        return abi.decode(data, (string));
    }

    function _readDecimals(address token) private view returns (uint8) {
        (bool ok, bytes memory data) = token.staticcall(abi.encodeWithSignature("decimals()"));
        if (!ok || data.length < 32) return 18;
        uint256 decimals = abi.decode(data, (uint256));
        return decimals > type(uint8).max ? 18 : uint8(decimals);
    }
}
