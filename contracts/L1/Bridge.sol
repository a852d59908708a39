// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {IBridge} from "../interfaces/IBridge.sol";
import {IRollup} from "../interfaces/IRollup.sol";
import {Types} from "../libraries/Types.sol";
import {Hashing} from "../libraries/Hashing.sol";
import {Constants} from "../libraries/Constants.sol";

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
    uint256 public constant MAX_TOKENS = 1 << Constants.TOKEN_TREE_DEPTH;
    /// @notice Most bytes of a token's name or symbol the registration records; longer ones are
    ///         cut (at a UTF-8 character boundary), never refused, so a token cannot block its
    ///         own registration. Followers bound what they display by the same figure.
    uint256 public constant METADATA_MAX_BYTES = 64;
    /// @notice Gas each metadata view (name, symbol, decimals) may use: a proxied token reads its
    ///         name in ~10k; anything past this is the token's problem, not the registrant's.
    uint256 public constant METADATA_GAS = 50_000;
    /// @notice Decimals recorded for a token whose decimals() reverts or answers above 255.
    uint8 public constant DEFAULT_DECIMALS = 18;
    /// @dev Gas left before a metadata call that guarantees the call its full METADATA_GAS:
    ///      EIP-150 forwards at most 63/64 of what is left, and the call itself costs a little.
    uint256 private constant METADATA_GAS_NEEDED = METADATA_GAS + METADATA_GAS / 63 + 1_000;

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
            _readString(l1Token, IERC20Metadata.name.selector),
            _readString(l1Token, IERC20Metadata.symbol.selector),
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
    ///      Whatever the token answers — a revert, garbage ABI, megabytes, invalid UTF-8 — the
    ///      registration goes through at a bounded cost: at most METADATA_MAX_BYTES are copied.
    ///      A string ABI answer and a bytes32 one (MKR, SAI) are read; anything else is "". The
    ///      bytes are not checked for UTF-8: followers decode them as untrusted data.
    function _readString(address token, bytes4 selector) private view returns (string memory text) {
        (bool ok, uint256 size) = _callView(token, selector);
        if (!ok) return "";
        if (size == 32) return _bytes32Text();
        if (size < 64) return "";
        uint256 offset = _returnWord(0);
        if (offset > size - 32) return ""; // the length word must lie inside the answer
        uint256 length = _returnWord(offset);
        uint256 start = offset + 32;
        if (length > size - start) return "";
        return _copyText(start, length);
    }

    function _readDecimals(address token) private view returns (uint8) {
        (bool ok, uint256 size) = _callView(token, IERC20Metadata.decimals.selector);
        if (!ok || size < 32) return DEFAULT_DECIMALS;
        uint256 decimals = _returnWord(0);
        return decimals > type(uint8).max ? DEFAULT_DECIMALS : uint8(decimals);
    }

    /// @dev Calls the no-argument view `selector` on `token` with METADATA_GAS, copying nothing:
    ///      the answer stays in returndata, so its size costs the bridge nothing. A call starved
    ///      by a tight gas limit would fail like a broken token and record fallback metadata for
    ///      good (registration happens once), so the full allowance must be available.
    function _callView(address token, bytes4 selector) private view returns (bool ok, uint256 size) {
        uint256 left = gasleft();
        if (left < METADATA_GAS_NEEDED) revert BridgeMetadataGasTooLow(METADATA_GAS_NEEDED, left);
        assembly ("memory-safe") {
            mstore(0, selector)
            ok := staticcall(METADATA_GAS, token, 0, 4, 0, 0)
            size := returndatasize()
        }
    }

    /// @dev The 32-byte word at `offset` of the last call's returndata (the caller checked the bounds).
    function _returnWord(uint256 offset) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            returndatacopy(0, offset, 32)
            word := mload(0)
        }
    }

    /// @dev Returndata [start, start + length) as a string of at most METADATA_MAX_BYTES bytes; a
    ///      cut never splits a UTF-8 character of a well-formed name (at most 3 bytes are dropped).
    function _copyText(uint256 start, uint256 length) private pure returns (string memory text) {
        uint256 n = length > METADATA_MAX_BYTES ? METADATA_MAX_BYTES + 1 : length;
        bytes memory buf = new bytes(n);
        assembly ("memory-safe") {
            returndatacopy(add(buf, 32), start, n)
        }
        if (n > METADATA_MAX_BYTES) {
            // buf[n] is the first byte cut off: while it continues a character, drop that character's start too.
            n = METADATA_MAX_BYTES;
            for (uint256 dropped; dropped < 3 && (uint8(buf[n]) & 0xC0) == 0x80; ++dropped) --n;
            // Zero what is cut off, so the event's padding is zero as the ABI requires.
            for (uint256 i = n; i <= METADATA_MAX_BYTES; ++i) buf[i] = 0;
            assembly ("memory-safe") {
                mstore(buf, n)
            }
        }
        return string(buf);
    }

    /// @dev A bytes32 answer: the text up to its first zero byte.
    function _bytes32Text() private pure returns (string memory) {
        bytes32 word = bytes32(_returnWord(0));
        uint256 n;
        while (n < 32 && word[n] != 0) ++n;
        if (n < 32) word &= ~bytes32(type(uint256).max >> (8 * n)); // zero padding after the text
        bytes memory buf = new bytes(32);
        assembly ("memory-safe") {
            mstore(add(buf, 32), word)
            mstore(buf, n)
        }
        return string(buf);
    }
}
