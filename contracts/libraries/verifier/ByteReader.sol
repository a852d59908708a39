// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ByteReader
/// @notice Owns the read cursor and the field codecs of a commitment body: big-endian integers,
///         LEB128 varints (src/core/bytes.ts) and amounts (src/core/amount.ts). Nothing here
///         reverts: the bytes are the proposer's, and a commitment that does not decode must get
///         a verdict (MALFORMED), so a read past the end or a second spelling of a value marks the
///         cursor bad instead, and every read after that fails too. The witness, which is the
///         challenger's and may revert, is read with Witness.take over the same cursor.
library ByteReader {
    /// @notice A position in a calldata byte string.
    struct Cursor {
        uint256 at;
        bool bad; // a read failed: the bytes do not decode
    }

    /// @notice Big-endian unsigned integer of `n` bytes (n ≤ 32); marks the cursor bad past the end.
    /// @param b The bytes read.
    /// @param c The cursor, moved past the integer.
    /// @param n The integer's width in bytes.
    /// @return v The integer, or 0 when the cursor is or goes bad.
    function uintN(bytes calldata b, Cursor memory c, uint256 n) internal pure returns (uint256 v) {
        // In assembly: the IR pipeline spends ~100 instructions a read on the struct and checks,
        // and a commitment is read a few hundred times (32 fee tuples' decoding cost ~120k).
        assembly ("memory-safe") {
            let at := mload(c)
            let end := add(at, n)
            switch or(mload(add(c, 0x20)), gt(end, b.length))
            case 0 {
                v := shr(shl(3, sub(32, n)), calldataload(add(b.offset, at)))
                mstore(c, end)
            }
            default { mstore(add(c, 0x20), 1) }
        }
    }

    /// @notice An index (the fee recipient's): unsigned LEB128, at most 4 bytes, in its canonical
    ///         form (no zero last group after others: one spelling per commitment).
    /// @param b The bytes read.
    /// @param c The cursor, moved past the varint.
    /// @return v The value, or 0 when the cursor is or goes bad.
    function varint(bytes calldata b, Cursor memory c) internal pure returns (uint256 v) {
        for (uint256 i = 0; i < 4; i++) {
            uint256 x = uintN(b, c, 1);
            if (c.bad) return 0;
            v |= (x & 0x7f) << (7 * i);
            if (x & 0x80 == 0) {
                if (i > 0 && x == 0) c.bad = true;
                return v;
            }
        }
        c.bad = true;
        return 0;
    }

    /// @notice Bits `v` needs: the width of a bit field that holds it (0 for 0).
    /// @param v The value.
    /// @return n Its bit length.
    function bitLength(uint256 v) internal pure returns (uint256 n) {
        for (; v >> n != 0; n++) {}
    }

    /// @notice An amount: a head byte, then what `amountRest` reads.
    /// @param b The bytes read.
    /// @param c The cursor, moved past the amount.
    /// @return value The amount, or 0 when the cursor is or goes bad.
    function amount(bytes calldata b, Cursor memory c) internal pure returns (uint256 value) {
        return amountRest(b, c, uintN(b, c, 1));
    }

    /// @notice What follows an amount's head byte (3 bits of mantissa length, 7 meaning a length
    ///         byte follows, and 5 of decimal exponent). One spelling per value (src/core/amount.ts
    ///         re-encodes and compares; these are the same rules field by field): the escape only
    ///         for mantissas of 7 to 32 bytes, no leading zero byte, zero as head 0, and no trailing
    ///         decimal zero in the mantissa below exponent 31.
    /// @param b The bytes read.
    /// @param c The cursor, moved past the amount.
    /// @param head The head byte, already read (an operation carries it in its bit head).
    /// @return value The amount, or 0 when the cursor is or goes bad.
    function amountRest(bytes calldata b, Cursor memory c, uint256 head) internal pure returns (uint256 value) {
        // In assembly for the reason uintN is (a commitment holds up to 129 amounts).
        assembly ("memory-safe") {
            let bad := mload(add(c, 0x20))
            let at := mload(c)
            let len := shr(5, head)
            let e := and(head, 31)
            if and(eq(len, 7), iszero(bad)) {
                switch gt(add(at, 1), b.length)
                case 0 {
                    len := byte(0, calldataload(add(b.offset, at)))
                    at := add(at, 1)
                    if or(lt(len, 7), gt(len, 32)) { bad := 1 }
                }
                default { bad := 1 }
            }
            let mantissa := 0
            if iszero(bad) {
                switch gt(add(at, len), b.length)
                case 0 {
                    if len {
                        let word := calldataload(add(b.offset, at))
                        mantissa := shr(shl(3, sub(32, len)), word)
                        // No leading zero byte.
                        if iszero(byte(0, word)) { bad := 1 }
                    }
                    at := add(at, len)
                }
                default { bad := 1 }
            }
            if iszero(bad) {
                // Zero is head 0; otherwise no trailing decimal zero below exponent 31.
                switch mantissa
                case 0 { if e { bad := 1 } }
                default { if and(iszero(mod(mantissa, 10)), lt(e, 31)) { bad := 1 } }
                // e ≤ 31: 10^31 < 2^256, so EXP cannot wrap; the product is checked against it.
                let scale := exp(10, e)
                if gt(mantissa, div(not(0), scale)) { bad := 1 }
                value := mul(mantissa, scale)
            }
            switch bad
            case 0 { mstore(c, at) }
            default {
                value := 0
                mstore(add(c, 0x20), 1)
            }
        }
    }
}
