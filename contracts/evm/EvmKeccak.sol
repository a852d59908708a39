// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The keccak256 sponge in Solidity, a block at a time (docs/design/evm.md §5.4)
/// @notice L1's KECCAK256 opcode cannot resume a hash, so a range longer than one step may hash is
///         absorbed 136 bytes (the rate) a micro-step, with the 200-byte state carried between
///         micro-steps in the machine state's `microHash`. The state is 25 lanes of 64 bits, lane
///         x + 5y holding bytes 8(x + 5y) .. 8(x + 5y) + 7 of the state, little-endian (FIPS 202).
library EvmKeccak {
    uint256 internal constant RATE = 136;

    /// @dev Absorbs `blockBytes` (exactly RATE bytes, already padded when it is the last) and
    ///      permutes.
    function absorb(uint64[25] memory a, bytes memory blockBytes) internal pure {
        for (uint256 i; i < RATE / 8; ++i) {
            uint64 lane;
            for (uint256 j; j < 8; ++j) lane |= uint64(uint8(blockBytes[8 * i + j])) << uint64(8 * j);
            a[i] ^= lane;
        }
        permute(a);
    }

    /// @dev The first 32 bytes of the state: the hash once the last block is absorbed.
    function digest(uint64[25] memory a) internal pure returns (uint256 h) {
        for (uint256 i; i < 4; ++i) {
            uint64 lane = a[i];
            for (uint256 j; j < 8; ++j) h = (h << 8) | uint256((lane >> uint64(8 * j)) & 0xff);
        }
    }

    /// @dev keccak-f[1600]: 24 rounds of theta, rho and pi, chi, iota.
    function permute(uint64[25] memory a) internal pure {
        uint64[24] memory rc = [
            0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
            0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
            0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
            0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
            0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
            0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008
        ];
        // Rotation of lane x + 5y.
        uint8[25] memory r = [
            0, 1, 62, 28, 27,
            36, 44, 6, 55, 20,
            3, 10, 43, 25, 39,
            41, 45, 15, 21, 8,
            18, 2, 61, 56, 14
        ];
        uint64[5] memory c;
        uint64[25] memory b;
        for (uint256 round; round < 24; ++round) {
            for (uint256 x; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            for (uint256 x; x < 5; ++x) {
                uint64 d = c[(x + 4) % 5] ^ _rotl(c[(x + 1) % 5], 1);
                for (uint256 y; y < 25; y += 5) a[x + y] ^= d;
            }
            for (uint256 x; x < 5; ++x) {
                for (uint256 y; y < 5; ++y) b[y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(a[x + 5 * y], r[x + 5 * y]);
            }
            for (uint256 y; y < 25; y += 5) {
                for (uint256 x; x < 5; ++x) a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]);
            }
            a[0] ^= rc[round];
        }
    }

    function _rotl(uint64 v, uint8 n) private pure returns (uint64) {
        // A shift by the type's width or more gives 0 in Solidity, so n = 0 needs no case.
        return (v << n) | (v >> (64 - n));
    }
}
