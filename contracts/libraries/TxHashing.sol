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

    function _byteLength(uint256 v) private pure returns (uint256 n) {
        assembly ("memory-safe") {
            for {} v {} {
                n := add(n, 1)
                v := shr(8, v)
            }
        }
    }

    function _putByte(uint256 p, uint256 b) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore8(p, b)
        }
        return p + 1;
    }

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

    function _putAddress(uint256 p, address a) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore8(p, 0x94)
            mstore(add(p, 1), shl(96, a))
        }
        return p + 21;
    }

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

    /// @dev Writes the list header of a `len`-byte payload that starts at `at`, just before it.
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
