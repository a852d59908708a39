// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The machine state of one EVM frame, as the first one-step slice commits to it
/// @notice docs/design/evm.md §5.3 and *The first one-step slice*: the fields a single top-level
///         frame of a transaction needs for the covered opcodes. The hash is
///         keccak256(DOMAIN ‖ every field as a 32-byte word, in declaration order):
///         codeRoot, codeSize, caller, callValue, isStatic, calldataRoot, calldataSize, status, pc,
///         gasLeft, gasRefund, stackHash, stackSize, memoryRoot, memoryWords, storageRoot,
///         originalRoot, warmRoot, returnOffset, returnSize, microHash.
library EvmMachine {
    /// @dev Every field is a static 32-byte word (an address and a bool are left-padded by
    ///      `abi.encode`), so the encoding is the plain concatenation the TypeScript mirror
    ///      (src/core/evm/machine.ts) hashes. The domain names the layout: a field added changes it.
    struct Machine {
        bytes32 codeRoot; // chunk tree of the running code (depth 11, 31-byte chunks with a push-data prefix)
        uint256 codeSize;
        // The frame's call: fixed for its life, read by CALLER, CALLVALUE, CALLDATA*. Calldata is a
        // reference, never inline: the transaction's calldata as a tree of 32-byte words (depth 11,
        // zero past calldataSize), built once at transaction start (§5.3, §5.5).
        address caller;
        uint256 callValue;
        bool isStatic; // SSTORE and LOG fail in a static frame
        bytes32 calldataRoot;
        uint256 calldataSize;
        uint256 status; // RUNNING or one of the halts below
        uint256 pc;
        uint256 gasLeft;
        uint256 gasRefund;
        bytes32 stackHash; // keccak(top ‖ rest) chain, 0 for the empty stack
        uint256 stackSize;
        bytes32 memoryRoot; // positional tree of 32-byte words, depth 17
        uint256 memoryWords;
        bytes32 storageRoot; // the account's storage now: sparse tree of depth 256 keyed by slot
        bytes32 originalRoot; // the same tree at transaction start (EIP-2200 original values)
        bytes32 warmRoot; // EIP-2929 warm slots: sparse tree keyed by slot, leaf 1 when warm
        uint256 returnOffset; // RETURN's output, a reference into memoryRoot (never copied)
        uint256 returnSize;
        // A memory-range opcode in progress (§5.4), or 0: the keccak sponge of a KECCAK256 over
        // more than 64 bytes (OneStepProver.Sponge). No halt happens mid-way, so halts keep 0.
        bytes32 microHash;
    }

    uint256 internal constant RUNNING = 0;
    uint256 internal constant STOPPED = 1;
    uint256 internal constant RETURNED = 2;
    uint256 internal constant OUT_OF_GAS = 3;
    uint256 internal constant STACK_UNDERFLOW = 4;
    uint256 internal constant STACK_OVERFLOW = 5;
    uint256 internal constant INVALID_JUMP = 6;
    uint256 internal constant STATIC_STATE_CHANGE = 7;

    uint256 internal constant STACK_LIMIT = 1024;
    bytes32 internal constant DOMAIN = keccak256("cairn:evm-step:slice-3");

    function hash(Machine memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(DOMAIN, m));
    }

    /// @dev An exceptional halt of the top frame restores its snapshot, which for the top frame is
    ///      the transaction start: storage back to originalRoot, refund 0, all gas consumed. Fields
    ///      no later step reads (pc, stack, memory, warm set) are zeroed so one halt has one hash.
    function fail(Machine memory m, uint256 status) internal pure {
        m.status = status;
        m.gasLeft = 0;
        m.gasRefund = 0;
        m.storageRoot = m.originalRoot;
        _clearFrame(m);
        m.memoryRoot = bytes32(0);
    }

    /// @dev The frame's call fields (caller, value, static flag, calldata) are kept by every halt:
    ///      they do not change during the frame, so keeping them costs no canonical form.
    /// @dev STOP and RETURN keep storage, refund and gas; the output is (memoryRoot, offset, size).
    function halt(Machine memory m, uint256 status, uint256 offset, uint256 size) internal pure {
        m.status = status;
        _clearFrame(m);
        if (size == 0) m.memoryRoot = bytes32(0);
        m.returnOffset = size == 0 ? 0 : offset;
        m.returnSize = size;
    }

    function _clearFrame(Machine memory m) private pure {
        m.pc = 0;
        m.stackHash = bytes32(0);
        m.stackSize = 0;
        m.memoryWords = 0;
        m.warmRoot = bytes32(0);
        m.microHash = bytes32(0); // no halt comes mid-opcode; zeroed so the halted form is one
    }
}
