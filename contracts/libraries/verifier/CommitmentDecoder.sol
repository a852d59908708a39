// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TxHashing} from "../TxHashing.sol";
import {BatchCodec} from "../BatchCodec.sol";
import {Constants} from "../Constants.sol";
import {ByteReader} from "./ByteReader.sol";
import {ReplayState} from "./ReplayState.sol";

/// @title CommitmentDecoder
/// @notice Owns the decoding of a commitment body (src/core/commitment.ts `decodeCommitment`,
///         its operations src/core/ops.ts `readOp`): the header, the fee list and the packed
///         operations, with every rule that gives a commitment one spelling. Never reverts: bytes
///         that do not decode, or decode from a second spelling, are fraud (MALFORMED).
library CommitmentDecoder {
    /// @notice A decoded operation. Fields its kind does not write are zero.
    struct Op {
        uint8 kind;
        uint8 x; // fee index, or the queue credit mode
        uint256 from;
        uint256 to; // recipient or spender index, or credited index
        uint256 owner; // transferFrom's owner index
        address addr; // new recipient or spender, or L1 recipient
        uint24 tokenId;
        uint256 amount;
        bytes32 r;
        bytes32 s;
        uint8 yParity;
    }

    /// @notice A decoded commitment header.
    struct Header {
        bytes32 postStateRoot;
        bool hasWithdrawals;
        bytes32 withdrawalRoot;
        uint256 baseFee;
        uint256 feeRecipient;
        TxHashing.Fee[] fees;
        // Not decoded: the replay looks the fee recipient up once and keeps its position in
        // `Run.accounts` here (SignedOps). A position, not the Account: a struct field of
        // struct type is allocated blank with every Header.
        bool feeRecipientFound;
        uint256 feeRecipientAt;
    }

    /// @notice Decodes a commitment body.
    /// @param b The body.
    /// @return Whether `b` is the one spelling of a commitment; if not, the rest is partial.
    /// @return h The header.
    /// @return ops The operations.
    function decode(bytes calldata b) internal pure returns (bool, Header memory h, Op[] memory ops) {
        ByteReader.Cursor memory c;
        h.postStateRoot = bytes32(ByteReader.uintN(b, c, 32));
        uint256 flags = ByteReader.uintN(b, c, 1);
        if (!BatchCodec.flagsDefined(flags)) return (false, h, ops);
        uint256 indexBits = BatchCodec.indexWidth(flags);
        uint256 tokenClass = BatchCodec.tokenWidthClass(flags);
        h.hasWithdrawals = flags & BatchCodec.FLAG_WITHDRAWALS != 0;
        if (h.hasWithdrawals) h.withdrawalRoot = bytes32(ByteReader.uintN(b, c, 32));
        ByteReader.uintN(b, c, 5); // timestamp: informational on L1
        h.baseFee = ByteReader.amount(b, c);
        h.feeRecipient = ByteReader.varint(b, c);
        uint256 feeCount = ByteReader.uintN(b, c, 1);
        if (c.bad || feeCount > Constants.MAX_FEE_ENTRIES) return (false, h, ops);
        h.fees = new TxHashing.Fee[](feeCount);
        for (uint256 i = 0; i < feeCount; i++) {
            uint8 t = uint8(ByteReader.uintN(b, c, 1));
            // Read field by field: Solidity does not fix the evaluation order of arguments.
            TxHashing.Fee memory f = h.fees[i];
            f.txType = t;
            if (t == 2) {
                f.maxPriority = ByteReader.amount(b, c);
                f.maxFee = ByteReader.amount(b, c);
            } else if (t == 0) {
                f.maxFee = ByteReader.amount(b, c);
            } else {
                return (false, h, ops);
            }
            f.gasLimit = ByteReader.amount(b, c);
        }
        uint256 feeBits = ByteReader.bitLength(feeCount > 0 ? feeCount - 1 : 0);
        uint256 opCount = ByteReader.uintN(b, c, 1);
        if (c.bad || opCount > Constants.MAX_OPS_PER_COMMITMENT) return (false, h, ops);
        ops = new Op[](opCount);
        uint256 maxIndex;
        uint256 maxTokenId;
        // An approve or transferFrom takes two of the commitment's slots (src/core/ops.ts opSlots).
        uint256 slots;
        for (uint256 i = 0; i < opCount; i++) {
            Op memory op = ops[i];
            if (!_decodeOp(b, c, op, indexBits, feeBits, 8 * (tokenClass + 1))) return (false, h, ops);
            slots += op.kind >= Constants.OP_APPROVE ? 2 : 1;
            // Indices and token ids an operation does not write are zero.
            if (op.from > maxIndex) maxIndex = op.from;
            if (op.to > maxIndex) maxIndex = op.to;
            if (op.owner > maxIndex) maxIndex = op.owner;
            if (op.tokenId > maxTokenId) maxTokenId = op.tokenId;
        }
        // A wider index or token class than the operations need, or another fee list, would be
        // a second encoding of the commitment.
        return (
            !c.bad && c.at == b.length && slots <= Constants.MAX_OPS_PER_COMMITMENT && ByteReader.bitLength(maxIndex) == indexBits
                && _tokenClass(maxTokenId) == tokenClass && _canonicalFees(h.fees, ops),
            h,
            ops
        );
    }

    /// @notice Whether the fee list has its one spelling (src/core/commitment.ts checkFeeList):
    ///         distinct tuples, in the order operations first use them, every one used. At most
    ///         16 entries: each tuple is hashed once and the hashes compared pairwise (120 word
    ///         compares; comparing the structs field by field cost ~650 gas a pair, ~320k at 32).
    /// @param fees The fee list.
    /// @param ops The operations.
    /// @return Whether the list is canonical.
    function _canonicalFees(TxHashing.Fee[] memory fees, Op[] memory ops) private pure returns (bool) {
        uint256 listed;
        for (uint256 i = 0; i < ops.length; i++) {
            if (ops[i].kind == Constants.OP_QUEUE) continue;
            uint256 x = ops[i].x;
            if (x > listed) return false;
            if (x == listed) listed++;
        }
        if (listed != fees.length) return false;
        bool distinct = true;
        assembly ("memory-safe") {
            // A Fee in memory is its four fields, a word each: hash them in place, into scratch
            // past the free pointer (nothing is allocated until this returns).
            let n := mload(fees)
            let hashes := mload(0x40)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(add(hashes, shl(5, i)), keccak256(mload(add(fees, shl(5, add(i, 1)))), 0x80))
            }
            let end := add(hashes, shl(5, n))
            for { let p := hashes } lt(p, end) { p := add(p, 0x20) } {
                let h := mload(p)
                for { let q := add(p, 0x20) } lt(q, end) { q := add(q, 0x20) } {
                    if eq(h, mload(q)) {
                        distinct := 0
                        q := end
                        p := end
                    }
                }
            }
        }
        return distinct;
    }

    /// @notice An operation (src/core/ops.ts): a head of bit fields padded to whole bytes, then
    ///         the byte fields. The head's kind is three bits, and two more for the allowance kinds.
    /// @param b The body.
    /// @param c The cursor, moved past the operation.
    /// @param op Filled with the operation.
    /// @param indexBits The width of an account index (the commitment's index width).
    /// @param feeBits The width of a fee index.
    /// @param tokenBits The width of a token id (by the commitment's token width class).
    /// @return Whether the operation decodes.
    function _decodeOp(bytes calldata b, ByteReader.Cursor memory c, Op memory op, uint256 indexBits, uint256 feeBits, uint256 tokenBits)
        private
        pure
        returns (bool)
    {
        uint256 at = c.at;
        if (c.bad || at >= b.length) return false;
        uint256 head;
        assembly ("memory-safe") {
            head := calldataload(add(b.offset, at))
        }
        op.kind = uint8(head >> 253);
        uint256 used = 3;
        if (op.kind == Constants.OP_EXTENDED) {
            op.kind = uint8(Constants.OP_APPROVE + _field(head, used, 2));
            used += 2;
        }
        if (op.kind == Constants.OP_QUEUE) {
            op.x = uint8(_field(head, used, 2));
            used += 2;
            if (op.x == 2) {
                op.to = _field(head, used, indexBits);
                used += indexBits;
            } else if (op.x > 2) {
                return false;
            }
            return _endHead(b, c, head, used);
        }
        uint8 k = op.kind;
        op.x = uint8(_field(head, used, feeBits));
        used += feeBits;
        op.from = _field(head, used, indexBits);
        used += indexBits;
        bool hasToken = k == Constants.OP_TOKEN_TRANSFER || k == Constants.OP_TOKEN_TRANSFER_NEW || k == Constants.OP_WITHDRAW_TOKEN
            || k >= Constants.OP_APPROVE;
        if (hasToken) {
            // tokenBits ≤ 24: the cast is exact.
            op.tokenId = uint24(_field(head, used, tokenBits));
            used += tokenBits;
        }
        if (k == Constants.OP_TRANSFER_FROM || k == Constants.OP_TRANSFER_FROM_NEW) {
            op.owner = _field(head, used, indexBits);
            used += indexBits;
        }
        bool byIndex = k == Constants.OP_ETH_TRANSFER || k == Constants.OP_TOKEN_TRANSFER || k == Constants.OP_APPROVE
            || k == Constants.OP_TRANSFER_FROM;
        if (byIndex) {
            op.to = _field(head, used, indexBits);
            used += indexBits;
        }
        uint256 amountHead = _field(head, used, 8);
        if (!_endHead(b, c, head, used + 8)) return false;
        if (!byIndex) op.addr = address(uint160(ByteReader.uintN(b, c, 20)));
        op.amount = ByteReader.amountRest(b, c, amountHead);
        op.r = bytes32(ByteReader.uintN(b, c, 32));
        uint256 vs = ByteReader.uintN(b, c, 32);
        op.yParity = uint8(vs >> 255);
        op.s = bytes32(vs & ((1 << 255) - 1));
        return !c.bad;
    }

    /// @notice `n` bits of `head` after the first `used` (a shift by 256 gives 0, so n may be 0).
    /// @param head The operation's first 32 bytes.
    /// @param used The bits already read.
    /// @param n The field's width.
    /// @return The field.
    function _field(uint256 head, uint256 used, uint256 n) private pure returns (uint256) {
        return (head << used) >> (256 - n);
    }

    /// @notice Moves past a head of `used` bits: whole bytes inside the body, zero padding.
    /// @param b The body.
    /// @param c The cursor at the head; moved past it, or marked bad.
    /// @param head The operation's first 32 bytes.
    /// @param used The head's bits.
    /// @return Whether the head fits and its padding is zero.
    function _endHead(bytes calldata b, ByteReader.Cursor memory c, uint256 head, uint256 used) private pure returns (bool) {
        uint256 length = (used + 7) / 8;
        if (c.at + length > b.length || _field(head, used, length * 8 - used) != 0) {
            c.bad = true;
            return false;
        }
        c.at += length;
        return true;
    }

    /// @notice The token width class of a token id (src/core/ops.ts tokenClass).
    /// @param tokenId The token id.
    /// @return 0 below 2^8, 1 below 2^16, else 2.
    function _tokenClass(uint256 tokenId) private pure returns (uint256) {
        return tokenId < 1 << 8 ? 0 : tokenId < 1 << 16 ? 1 : 2;
    }
}
