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
        uint64[25] memory b;
        // Unrolled over the 25 lanes (a loop with index arithmetic costs ~10x the gas): every lane
        // is a 64-bit value in a 32-byte word, kept masked, so each expression stays within 64 bits
        // (and(not(x), y) does as y does). Rotation offsets and the pi permutation are FIPS 202's.
        assembly ("memory-safe") {
            for { let round := 0 } lt(round, 24) { round := add(round, 1) } {
                // theta: the column parities into b[0..4] (b is free until rho and pi)
                mstore(add(b, 0), xor(xor(xor(xor(mload(add(a, 0)), mload(add(a, 160))), mload(add(a, 320))), mload(add(a, 480))), mload(add(a, 640))))
                mstore(add(b, 32), xor(xor(xor(xor(mload(add(a, 32)), mload(add(a, 192))), mload(add(a, 352))), mload(add(a, 512))), mload(add(a, 672))))
                mstore(add(b, 64), xor(xor(xor(xor(mload(add(a, 64)), mload(add(a, 224))), mload(add(a, 384))), mload(add(a, 544))), mload(add(a, 704))))
                mstore(add(b, 96), xor(xor(xor(xor(mload(add(a, 96)), mload(add(a, 256))), mload(add(a, 416))), mload(add(a, 576))), mload(add(a, 736))))
                mstore(add(b, 128), xor(xor(xor(xor(mload(add(a, 128)), mload(add(a, 288))), mload(add(a, 448))), mload(add(a, 608))), mload(add(a, 768))))
                { let d := xor(mload(add(b, 128)), and(or(shl(1, mload(add(b, 32))), shr(63, mload(add(b, 32)))), 0xffffffffffffffff)) mstore(add(a, 0), xor(mload(add(a, 0)), d)) mstore(add(a, 160), xor(mload(add(a, 160)), d)) mstore(add(a, 320), xor(mload(add(a, 320)), d)) mstore(add(a, 480), xor(mload(add(a, 480)), d)) mstore(add(a, 640), xor(mload(add(a, 640)), d)) }
                { let d := xor(mload(add(b, 0)), and(or(shl(1, mload(add(b, 64))), shr(63, mload(add(b, 64)))), 0xffffffffffffffff)) mstore(add(a, 32), xor(mload(add(a, 32)), d)) mstore(add(a, 192), xor(mload(add(a, 192)), d)) mstore(add(a, 352), xor(mload(add(a, 352)), d)) mstore(add(a, 512), xor(mload(add(a, 512)), d)) mstore(add(a, 672), xor(mload(add(a, 672)), d)) }
                { let d := xor(mload(add(b, 32)), and(or(shl(1, mload(add(b, 96))), shr(63, mload(add(b, 96)))), 0xffffffffffffffff)) mstore(add(a, 64), xor(mload(add(a, 64)), d)) mstore(add(a, 224), xor(mload(add(a, 224)), d)) mstore(add(a, 384), xor(mload(add(a, 384)), d)) mstore(add(a, 544), xor(mload(add(a, 544)), d)) mstore(add(a, 704), xor(mload(add(a, 704)), d)) }
                { let d := xor(mload(add(b, 64)), and(or(shl(1, mload(add(b, 128))), shr(63, mload(add(b, 128)))), 0xffffffffffffffff)) mstore(add(a, 96), xor(mload(add(a, 96)), d)) mstore(add(a, 256), xor(mload(add(a, 256)), d)) mstore(add(a, 416), xor(mload(add(a, 416)), d)) mstore(add(a, 576), xor(mload(add(a, 576)), d)) mstore(add(a, 736), xor(mload(add(a, 736)), d)) }
                { let d := xor(mload(add(b, 96)), and(or(shl(1, mload(add(b, 0))), shr(63, mload(add(b, 0)))), 0xffffffffffffffff)) mstore(add(a, 128), xor(mload(add(a, 128)), d)) mstore(add(a, 288), xor(mload(add(a, 288)), d)) mstore(add(a, 448), xor(mload(add(a, 448)), d)) mstore(add(a, 608), xor(mload(add(a, 608)), d)) mstore(add(a, 768), xor(mload(add(a, 768)), d)) }
                // rho and pi: lane (x, y) rotated into (y, 2x + 3y)
                mstore(add(b, 0), mload(add(a, 0)))
                mstore(add(b, 512), and(or(shl(36, mload(add(a, 160))), shr(28, mload(add(a, 160)))), 0xffffffffffffffff))
                mstore(add(b, 224), and(or(shl(3, mload(add(a, 320))), shr(61, mload(add(a, 320)))), 0xffffffffffffffff))
                mstore(add(b, 736), and(or(shl(41, mload(add(a, 480))), shr(23, mload(add(a, 480)))), 0xffffffffffffffff))
                mstore(add(b, 448), and(or(shl(18, mload(add(a, 640))), shr(46, mload(add(a, 640)))), 0xffffffffffffffff))
                mstore(add(b, 320), and(or(shl(1, mload(add(a, 32))), shr(63, mload(add(a, 32)))), 0xffffffffffffffff))
                mstore(add(b, 32), and(or(shl(44, mload(add(a, 192))), shr(20, mload(add(a, 192)))), 0xffffffffffffffff))
                mstore(add(b, 544), and(or(shl(10, mload(add(a, 352))), shr(54, mload(add(a, 352)))), 0xffffffffffffffff))
                mstore(add(b, 256), and(or(shl(45, mload(add(a, 512))), shr(19, mload(add(a, 512)))), 0xffffffffffffffff))
                mstore(add(b, 768), and(or(shl(2, mload(add(a, 672))), shr(62, mload(add(a, 672)))), 0xffffffffffffffff))
                mstore(add(b, 640), and(or(shl(62, mload(add(a, 64))), shr(2, mload(add(a, 64)))), 0xffffffffffffffff))
                mstore(add(b, 352), and(or(shl(6, mload(add(a, 224))), shr(58, mload(add(a, 224)))), 0xffffffffffffffff))
                mstore(add(b, 64), and(or(shl(43, mload(add(a, 384))), shr(21, mload(add(a, 384)))), 0xffffffffffffffff))
                mstore(add(b, 576), and(or(shl(15, mload(add(a, 544))), shr(49, mload(add(a, 544)))), 0xffffffffffffffff))
                mstore(add(b, 288), and(or(shl(61, mload(add(a, 704))), shr(3, mload(add(a, 704)))), 0xffffffffffffffff))
                mstore(add(b, 160), and(or(shl(28, mload(add(a, 96))), shr(36, mload(add(a, 96)))), 0xffffffffffffffff))
                mstore(add(b, 672), and(or(shl(55, mload(add(a, 256))), shr(9, mload(add(a, 256)))), 0xffffffffffffffff))
                mstore(add(b, 384), and(or(shl(25, mload(add(a, 416))), shr(39, mload(add(a, 416)))), 0xffffffffffffffff))
                mstore(add(b, 96), and(or(shl(21, mload(add(a, 576))), shr(43, mload(add(a, 576)))), 0xffffffffffffffff))
                mstore(add(b, 608), and(or(shl(56, mload(add(a, 736))), shr(8, mload(add(a, 736)))), 0xffffffffffffffff))
                mstore(add(b, 480), and(or(shl(27, mload(add(a, 128))), shr(37, mload(add(a, 128)))), 0xffffffffffffffff))
                mstore(add(b, 192), and(or(shl(20, mload(add(a, 288))), shr(44, mload(add(a, 288)))), 0xffffffffffffffff))
                mstore(add(b, 704), and(or(shl(39, mload(add(a, 448))), shr(25, mload(add(a, 448)))), 0xffffffffffffffff))
                mstore(add(b, 416), and(or(shl(8, mload(add(a, 608))), shr(56, mload(add(a, 608)))), 0xffffffffffffffff))
                mstore(add(b, 128), and(or(shl(14, mload(add(a, 768))), shr(50, mload(add(a, 768)))), 0xffffffffffffffff))
                // chi, then iota
                mstore(add(a, 0), xor(mload(add(b, 0)), and(not(mload(add(b, 32))), mload(add(b, 64)))))
                mstore(add(a, 32), xor(mload(add(b, 32)), and(not(mload(add(b, 64))), mload(add(b, 96)))))
                mstore(add(a, 64), xor(mload(add(b, 64)), and(not(mload(add(b, 96))), mload(add(b, 128)))))
                mstore(add(a, 96), xor(mload(add(b, 96)), and(not(mload(add(b, 128))), mload(add(b, 0)))))
                mstore(add(a, 128), xor(mload(add(b, 128)), and(not(mload(add(b, 0))), mload(add(b, 32)))))
                mstore(add(a, 160), xor(mload(add(b, 160)), and(not(mload(add(b, 192))), mload(add(b, 224)))))
                mstore(add(a, 192), xor(mload(add(b, 192)), and(not(mload(add(b, 224))), mload(add(b, 256)))))
                mstore(add(a, 224), xor(mload(add(b, 224)), and(not(mload(add(b, 256))), mload(add(b, 288)))))
                mstore(add(a, 256), xor(mload(add(b, 256)), and(not(mload(add(b, 288))), mload(add(b, 160)))))
                mstore(add(a, 288), xor(mload(add(b, 288)), and(not(mload(add(b, 160))), mload(add(b, 192)))))
                mstore(add(a, 320), xor(mload(add(b, 320)), and(not(mload(add(b, 352))), mload(add(b, 384)))))
                mstore(add(a, 352), xor(mload(add(b, 352)), and(not(mload(add(b, 384))), mload(add(b, 416)))))
                mstore(add(a, 384), xor(mload(add(b, 384)), and(not(mload(add(b, 416))), mload(add(b, 448)))))
                mstore(add(a, 416), xor(mload(add(b, 416)), and(not(mload(add(b, 448))), mload(add(b, 320)))))
                mstore(add(a, 448), xor(mload(add(b, 448)), and(not(mload(add(b, 320))), mload(add(b, 352)))))
                mstore(add(a, 480), xor(mload(add(b, 480)), and(not(mload(add(b, 512))), mload(add(b, 544)))))
                mstore(add(a, 512), xor(mload(add(b, 512)), and(not(mload(add(b, 544))), mload(add(b, 576)))))
                mstore(add(a, 544), xor(mload(add(b, 544)), and(not(mload(add(b, 576))), mload(add(b, 608)))))
                mstore(add(a, 576), xor(mload(add(b, 576)), and(not(mload(add(b, 608))), mload(add(b, 480)))))
                mstore(add(a, 608), xor(mload(add(b, 608)), and(not(mload(add(b, 480))), mload(add(b, 512)))))
                mstore(add(a, 640), xor(mload(add(b, 640)), and(not(mload(add(b, 672))), mload(add(b, 704)))))
                mstore(add(a, 672), xor(mload(add(b, 672)), and(not(mload(add(b, 704))), mload(add(b, 736)))))
                mstore(add(a, 704), xor(mload(add(b, 704)), and(not(mload(add(b, 736))), mload(add(b, 768)))))
                mstore(add(a, 736), xor(mload(add(b, 736)), and(not(mload(add(b, 768))), mload(add(b, 640)))))
                mstore(add(a, 768), xor(mload(add(b, 768)), and(not(mload(add(b, 640))), mload(add(b, 672)))))
                mstore(a, xor(mload(a), mload(add(rc, mul(round, 32)))))
            }
        }
    }
}
