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
        uint256 at = c.at;
        if (c.bad || at + n > b.length) {
            c.bad = true;
            return 0;
        }
        assembly ("memory-safe") {
            v := shr(mul(8, sub(32, n)), calldataload(add(b.offset, at)))
        }
        c.at = at + n;
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
    /// @return The amount, or 0 when the cursor is or goes bad.
    function amountRest(bytes calldata b, Cursor memory c, uint256 head) internal pure returns (uint256) {
        uint256 len = head >> 5;
        uint256 exp = head & 31;
        if (len == 7) {
            len = uintN(b, c, 1);
            if (len < 7 || len > 32) c.bad = true;
        }
        if (c.bad) return 0;
        uint256 at = c.at;
        uint256 mantissa = uintN(b, c, len);
        if (c.bad) return 0;
        bool leadingZero = len > 0 && uint8(b[at]) == 0;
        bool trailingZero = mantissa == 0 ? exp != 0 : (mantissa % 10 == 0 && exp < 31);
        // exp ≤ 31: 10^31 < 2^256.
        uint256 scale = 10 ** exp;
        if (leadingZero || trailingZero || mantissa > type(uint256).max / scale) {
            c.bad = true;
            return 0;
        }
        return mantissa * scale;
    }
}
