// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TxHashing
/// @notice Rebuilds the hash an Ethereum wallet signed — EIP-1559 (type 2) or legacy with
///         EIP-155 — from packed fields, so a fraud proof can check a signature with ecrecover.
///         `src/core/txSigning.ts` is its TypeScript twin.
library TxHashing {
    /// @notice A fee tuple as listed in a commitment. For legacy transactions `maxFee` holds
    ///         the gas price and `maxPriority` is unused.
    struct Fee {
        uint8 txType; // 0 legacy, 2 EIP-1559
        uint256 maxPriority;
        uint256 maxFee;
        uint256 gasLimit;
    }

    function signingHash(Fee memory f, uint256 chainId, uint256 nonce, address to, uint256 value, bytes memory data)
        internal
        pure
        returns (bytes32)
    {
        if (f.txType == 2) {
            bytes memory payload = bytes.concat(
                _uint(chainId), _uint(nonce), _uint(f.maxPriority), _uint(f.maxFee), _uint(f.gasLimit),
                _address(to), _uint(value), _bytes(data), hex"c0"
            );
            return keccak256(bytes.concat(hex"02", _list(payload)));
        }
        bytes memory legacy = bytes.concat(
            _uint(nonce), _uint(f.maxFee), _uint(f.gasLimit), _address(to), _uint(value), _bytes(data),
            _uint(chainId), hex"8080"
        );
        return keccak256(_list(legacy));
    }

    function _uint(uint256 v) private pure returns (bytes memory) {
        if (v == 0) return hex"80";
        if (v < 0x80) return abi.encodePacked(uint8(v));
        uint256 len = _byteLength(v);
        return bytes.concat(abi.encodePacked(uint8(0x80 + len)), _bigEndian(v, len));
    }

    function _address(address a) private pure returns (bytes memory) {
        return abi.encodePacked(uint8(0x94), a);
    }

    function _bytes(bytes memory b) private pure returns (bytes memory) {
        if (b.length == 0) return hex"80";
        if (b.length == 1 && uint8(b[0]) < 0x80) return b;
        return bytes.concat(_header(b.length, 0x80, 0xb7), b);
    }

    function _list(bytes memory payload) private pure returns (bytes memory) {
        return bytes.concat(_header(payload.length, 0xc0, 0xf7), payload);
    }

    function _header(uint256 len, uint8 short, uint8 long) private pure returns (bytes memory) {
        if (len <= 55) return abi.encodePacked(uint8(short + len));
        uint256 lenLen = _byteLength(len);
        return bytes.concat(abi.encodePacked(uint8(long + lenLen)), _bigEndian(len, lenLen));
    }

    function _byteLength(uint256 v) private pure returns (uint256 n) {
        while (v != 0) {
            v >>= 8;
            n++;
        }
    }

    function _bigEndian(uint256 v, uint256 len) private pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i = 0; i < len; i++) {
            out[len - 1 - i] = bytes1(uint8(v >> (8 * i)));
        }
    }
}
