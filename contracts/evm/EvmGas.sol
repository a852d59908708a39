// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Gas figures of the covered opcodes, as Osaka (and @ethereumjs/vm 10.1.3) charge them
library EvmGas {
    /// @param refund the refund counter before the step
    /// @param decrement what EIP-3529 subtracts (only reachable from a state no execution produces)
    error RefundUnderflow(uint256 refund, uint256 decrement);

    uint256 internal constant COLD_SLOAD = 2100; // EIP-2929
    uint256 internal constant WARM_READ = 100;
    uint256 internal constant SSTORE_SET = 20000;
    uint256 internal constant SSTORE_RESET = 5000 - COLD_SLOAD;
    uint256 internal constant CLEAR_REFUND = 4800; // EIP-3529
    uint256 internal constant SENTRY = 2300; // EIP-2200: SSTORE needs more than a call stipend
    uint256 internal constant KECCAK_WORD = 6; // KECCAK256: 30 static + 6 a word hashed
    uint256 internal constant LOG_TOPIC = 375; // LOGn: 375 static + 375 a topic + 8 a byte
    uint256 internal constant LOG_BYTE = 8;
    /// @dev Memory past 2^17 words costs more than 2^25 gas (3m + m²/512), more than any frame has
    ///      under Cairn's 2^23 transaction cap, so such an expansion is out of gas without arithmetic.
    uint256 internal constant MAX_MEMORY_WORDS = 1 << 17;

    /// @dev The static part (the whole cost for most covered opcodes).
    function staticGas(uint8 op) internal pure returns (uint256) {
        if (op == 0x00 || op == 0x54 || op == 0x55 || op == 0xf3) return 0; // STOP; SLOAD/SSTORE/RETURN: dynamic only
        if (op == 0x20) return 30; // KECCAK256 (plus 6 a word and the expansion)
        if (op >= 0xa0 && op <= 0xa4) return 375; // LOG0-4 (plus topics, bytes and the expansion)
        if (op == 0x33 || op == 0x34 || op == 0x36) return 2; // CALLER, CALLVALUE, CALLDATASIZE
        if (op == 0x5b) return 1; // JUMPDEST
        if (op == 0x50 || op == 0x5f) return 2; // POP, PUSH0
        if (op == 0x56) return 8; // JUMP
        if (op == 0x57) return 10; // JUMPI
        if (op == 0x08 || op == 0x09) return 8; // ADDMOD, MULMOD
        if (op == 0x0a) return 10; // EXP (plus 50 a byte of exponent)
        if (op == 0x02 || (op >= 0x04 && op <= 0x07) || op == 0x0b) return 5; // MUL, DIV, SDIV, MOD, SMOD, SIGNEXTEND
        return 3; // ADD, SUB, comparison, bitwise, shifts, MLOAD, MSTORE, CALLDATALOAD, PUSH1-32, DUP, SWAP
    }

    function expByteGas(uint256 exponent) internal pure returns (uint256 g) {
        while (exponent != 0) {
            g += 50;
            exponent >>= 8;
        }
    }

    function memoryCost(uint256 words) internal pure returns (uint256) {
        return 3 * words + (words * words) / 512;
    }

    /// @dev Words after touching [offset, offset + size), and the expansion's price; `ok` false
    ///      when the range lies past MAX_MEMORY_WORDS (out of gas whatever gas is left).
    function expand(uint256 words, uint256 offset, uint256 size)
        internal
        pure
        returns (bool ok, uint256 newWords, uint256 cost)
    {
        if (size == 0) return (true, words, 0);
        if (offset > MAX_MEMORY_WORDS * 32 || size > MAX_MEMORY_WORDS * 32) return (false, 0, 0);
        newWords = (offset + size + 31) / 32;
        if (newWords > MAX_MEMORY_WORDS) return (false, 0, 0);
        if (newWords <= words) return (true, words, 0);
        cost = memoryCost(newWords) - memoryCost(words);
        ok = true;
    }

    /// @dev SSTORE's gas and the refund counter after it (EIP-2200 with EIP-2929 and EIP-3529).
    function sstore(bool warm, uint256 original, uint256 current, uint256 value, uint256 refund)
        internal
        pure
        returns (uint256 gas, uint256 newRefund)
    {
        gas = warm ? 0 : COLD_SLOAD;
        newRefund = refund;
        if (current == value) return (gas + WARM_READ, newRefund);
        if (original == current) {
            if (original == 0) return (gas + SSTORE_SET, newRefund);
            if (value == 0) newRefund += CLEAR_REFUND;
            return (gas + SSTORE_RESET, newRefund);
        }
        gas += WARM_READ;
        if (original != 0) {
            if (current == 0) {
                if (newRefund < CLEAR_REFUND) revert RefundUnderflow(newRefund, CLEAR_REFUND);
                newRefund -= CLEAR_REFUND;
            } else if (value == 0) {
                newRefund += CLEAR_REFUND;
            }
        }
        if (original == value) newRefund += original == 0 ? SSTORE_SET - WARM_READ : SSTORE_RESET - WARM_READ;
    }
}
