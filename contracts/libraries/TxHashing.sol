// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TxHashing
/// @notice Rebuilds the hash an Ethereum wallet signed — EIP-1559 (type 2) or legacy with
///         EIP-155 — from packed fields, so a fraud proof can check a signature with ecrecover.
///         `src/core/txSigning.ts` is its TypeScript twin. A fraud proof hashes up to 64 of these,
///         so the RLP is written in place in scratch memory rather than concatenated.
library TxHashing {
    /// @notice A fee tuple as listed in a commitment. For legacy transactions `maxFee` holds
    ///         the gas price and `maxPriority` is unused.
    struct Fee {
        uint8 txType; // 0 legacy, 2 EIP-1559
        uint256 maxPriority;
        uint256 maxFee;
        uint256 gasLimit;
    }

    /// @dev Room kept before the payload for the type byte and the list header (0xf7 + 8 bytes).
    uint256 private constant HEADROOM = 10;

    /// @notice The hash a wallet signs for a transaction: keccak256(0x02 ‖ rlp([chainId, nonce,
    ///         maxPriority, maxFee, gasLimit, to, value, data, []])) for type 2, keccak256(rlp([nonce,
    ///         gasPrice, gasLimit, to, value, data, chainId, 0, 0])) for legacy (EIP-155).
    /// @param f The fee tuple; its `txType` picks the envelope.
    /// @param chainId The chain id the signature commits to.
    /// @param nonce The sender's nonce.
    /// @param to The recipient.
    /// @param value The wei sent.
    /// @param data The calldata.
    /// @return h The signing hash.
    function signingHash(Fee memory f, uint256 chainId, uint256 nonce, address to, uint256 value, bytes memory data)
        internal
        pure
        returns (bytes32 h)
    {
        uint256 start;
        assembly ("memory-safe") {
            start := mload(0x40)
        }
        uint256 p = start + HEADROOM;
        if (f.txType == 2) {
            p = _putUint(p, chainId);
            p = _putUint(p, nonce);
            p = _putUint(p, f.maxPriority);
            p = _putUint(p, f.maxFee);
            p = _putUint(p, f.gasLimit);
            p = _putAddress(p, to);
            p = _putUint(p, value);
            p = _putBytes(p, data);
            p = _putByte(p, 0xc0); // empty access list
        } else {
            p = _putUint(p, nonce);
            p = _putUint(p, f.maxFee);
            p = _putUint(p, f.gasLimit);
            p = _putAddress(p, to);
            p = _putUint(p, value);
            p = _putBytes(p, data);
            p = _putUint(p, chainId);
            p = _putByte(p, 0x80);
            p = _putByte(p, 0x80);
        }
        uint256 payload = p - (start + HEADROOM);
        uint256 q = _putHeaderBefore(start + HEADROOM, payload, 0xc0, 0xf7);
        if (f.txType == 2) {
            q -= 1;
            assembly ("memory-safe") {
                mstore8(q, 2)
            }
        }
        assembly ("memory-safe") {
            h := keccak256(q, sub(p, q))
        }
    }

    /// @notice Bytes of `v` without leading zeros (0 for 0).
    /// @param v The value.
    /// @return n Its big-endian length.
    function _byteLength(uint256 v) private pure returns (uint256 n) {
        assembly ("memory-safe") {
            for {} v {} {
                n := add(n, 1)
                v := shr(8, v)
            }
        }
    }

    /// @notice Writes one byte at `p`.
    /// @param p Where to write.
    /// @param b The byte.
    /// @return The position after it.
    function _putByte(uint256 p, uint256 b) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore8(p, b)
        }
        return p + 1;
    }

    /// @notice Writes the RLP of an integer at `p`: the byte itself below 0x80, else a length
    ///         prefix and the big-endian bytes without leading zeros (0 is the empty string).
    /// @param p Where to write.
    /// @param v The integer.
    /// @return The position after it.
    function _putUint(uint256 p, uint256 v) private pure returns (uint256) {
        if (v == 0) return _putByte(p, 0x80);
        if (v < 0x80) return _putByte(p, v);
        uint256 n = _byteLength(v);
        assembly ("memory-safe") {
            mstore8(p, add(0x80, n))
            mstore(add(p, 1), shl(mul(8, sub(32, n)), v))
        }
        return p + 1 + n;
    }

    /// @notice Writes the RLP of an address at `p`: 0x94 and its 20 bytes.
    /// @param p Where to write.
    /// @param a The address.
    /// @return The position after it.
    function _putAddress(uint256 p, address a) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore8(p, 0x94)
            mstore(add(p, 1), shl(96, a))
        }
        return p + 21;
    }

    /// @notice Writes the RLP of a byte string at `p`.
    /// @param p Where to write.
    /// @param b The bytes.
    /// @return The position after them.
    function _putBytes(uint256 p, bytes memory b) private pure returns (uint256) {
        uint256 len = b.length;
        if (len == 0) return _putByte(p, 0x80);
        if (len == 1 && uint8(b[0]) < 0x80) return _putByte(p, uint8(b[0]));
        if (len <= 55) {
            p = _putByte(p, 0x80 + len);
        } else {
            uint256 n = _byteLength(len);
            p = _putByte(p, 0xb7 + n);
            assembly ("memory-safe") {
                mstore(p, shl(mul(8, sub(32, n)), len))
            }
            p += n;
        }
        assembly ("memory-safe") {
            mcopy(p, add(b, 32), len)
        }
        return p + len;
    }

    /// @notice Writes the list header of a `len`-byte payload that starts at `at`, just before it:
    ///         the payload is written first, when its length is not yet known.
    /// @param at Where the payload starts.
    /// @param len The payload's length.
    /// @param short The header's base for a payload of at most 55 bytes (0xc0 for a list).
    /// @param long The header's base for a longer one (0xf7 for a list).
    /// @return q Where the header starts.
    function _putHeaderBefore(uint256 at, uint256 len, uint256 short, uint256 long) private pure returns (uint256 q) {
        if (len <= 55) {
            q = at - 1;
            assembly ("memory-safe") {
                mstore8(q, add(short, len))
            }
            return q;
        }
        uint256 n = _byteLength(len);
        q = at - 1 - n;
        assembly ("memory-safe") {
            mstore8(q, add(long, n))
            // Write the length big-endian into the n bytes before `at` without touching `at`.
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore8(sub(at, add(i, 1)), and(shr(mul(8, i), len), 0xff))
            }
        }
    }
}
