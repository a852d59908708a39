// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EvmMachine} from "./EvmMachine.sol";
import {EvmTrees} from "./EvmTrees.sol";
import {EvmCode} from "./EvmCode.sol";
import {EvmGas} from "./EvmGas.sol";
import {EvmKeccak} from "./EvmKeccak.sol";

/// @title One EVM step, checked on L1 (issue 18 item 3: the first opcodes)
/// @notice Given a committed machine state (EvmMachine) and the proof data of one step, computes
///         the next machine state. Covers the stack, arithmetic, comparison, bitwise, JUMP/JUMPI/
///         JUMPDEST, MLOAD/MSTORE, SLOAD/SSTORE, KECCAK256 (in micro-steps past 64 bytes), CALLER/
///         CALLVALUE/CALLDATALOAD/CALLDATASIZE, LOG0-4 and STOP/RETURN opcodes of one top-level
///         frame; what the slice leaves out is in docs/design/evm.md, *The first one-step slice*.
contract OneStepProver {
    /// @notice What a step reads, beyond the machine state itself.
    /// @dev code: the chunk holding pc, then the one or two next chunks PUSH data reaches, then the
    ///      chunk holding a taken jump's destination. stack: the top words the opcode reads, top
    ///      first, and the hash of the stack below them. memory: the word(s) MLOAD/MSTORE touch (an
    ///      unaligned access touches two; the second is proven against the root after the first
    ///      is written), or every word KECCAK256's range touches (up to three), in order.
    ///      storage: the slot in storageRoot, in warmRoot, and (SSTORE) in originalRoot.
    ///      calldataWords: the word(s) CALLDATALOAD reads inside calldataSize (two when unaligned and the
    ///      second word starts inside the calldata). sponge: in a KECCAK256 micro-step, the one
    ///      keccak state microHash commits to (empty otherwise: 27 words every other step would pay
    ///      for in calldata); memoryWords then holds the words its block reads.
    struct StepProof {
        EvmTrees.Leaf[] code;
        uint256[] stack;
        bytes32 stackRest;
        EvmTrees.Leaf[] memoryWords;
        EvmTrees.Leaf[] storageSlot;
        EvmTrees.Leaf[] calldataWords;
        Sponge[] sponge;
    }

    /// @notice A KECCAK256 in progress: the 25 lanes of the keccak state, the next memory byte to
    ///         absorb and the range's end. microHash = keccak256(abi.encode(lanes, cursor, end)).
    struct Sponge {
        uint64[25] lanes;
        uint256 cursor;
        uint256 end;
    }

    /// @dev The longest range one step hashes with the L1 opcode (two words, §5.4); a longer one
    ///      is absorbed by the sponge in micro-steps of EvmKeccak.RATE bytes.
    uint256 public constant MAX_DIRECT_KECCAK = 64;
    /// @dev What the calldata tree (EvmTrees.CALLDATA_DEPTH) holds.
    uint256 public constant MAX_CALLDATA_SIZE = 32 << EvmTrees.CALLDATA_DEPTH;

    error WrongPreState(bytes32 committed, bytes32 given);
    error NotRunning(uint256 status);
    error OpcodeNotCovered(uint8 opcode, uint256 pc);
    error StackItemsMissing(uint256 needed, uint256 given);
    error StackHashMismatch(bytes32 committed, bytes32 computed);
    error LeavesMissing(uint8 tree, uint256 needed, uint256 given);
    error WarmLeafNotBoolean(uint256 slot, bytes32 value);
    /// @param committed the state's microHash
    /// @param computed the hash of the sponge the proof carries
    error SpongeMismatch(bytes32 committed, bytes32 computed);
    /// @param opcode the opcode at pc in a state with a micro-step in progress (only KECCAK256 has them)
    error MicroStepOpcode(uint8 opcode);
    /// @param given how many sponges the proof of a micro-step carries (it needs exactly one)
    error SpongeMissing(uint256 given);
    /// @param calldataSize the committed calldata size
    /// @param max what the depth-11 calldata tree holds
    error CalldataTooLarge(uint256 calldataSize, uint256 max);

    /// @notice The hash of the state after one step from `pre`.
    /// @param preHash the committed hash of the state before the step (EvmMachine.hash)
    /// @param pre the fields of that state
    /// @param proof what the step reads (StepProof)
    /// @return postHash the hash of the state after the step
    function step(bytes32 preHash, EvmMachine.Machine calldata pre, StepProof calldata proof)
        external
        pure
        returns (bytes32 postHash)
    {
        bytes32 given = EvmMachine.hash(pre);
        if (given != preHash) revert WrongPreState(preHash, given);
        return EvmMachine.hash(_step(pre, proof));
    }

    /// @notice The state after one step from `pre`, field by field (for callers that locate a difference).
    /// @param pre the state before the step
    /// @param proof what the step reads (StepProof)
    /// @return post the state after the step
    function next(EvmMachine.Machine calldata pre, StepProof calldata proof)
        external
        pure
        returns (EvmMachine.Machine memory post)
    {
        return _step(pre, proof);
    }

    function _step(EvmMachine.Machine calldata pre, StepProof calldata p) private pure returns (EvmMachine.Machine memory m) {
        m = pre;
        if (m.status != EvmMachine.RUNNING) revert NotRunning(m.status);
        if (m.codeSize > EvmCode.MAX_CODE_SIZE) revert EvmCode.CodeTooLarge(m.codeSize, EvmCode.MAX_CODE_SIZE);
        // A larger size would alias word indices past the calldata tree's depth.
        if (m.calldataSize > MAX_CALLDATA_SIZE) revert CalldataTooLarge(m.calldataSize, MAX_CALLDATA_SIZE);
        uint8 op;
        if (m.pc < m.codeSize) {
            if (p.code.length == 0) revert EvmCode.CodeChunksMissing(1, 0);
            op = EvmCode.byteAt(p.code[0], m.codeRoot, m.codeSize, m.pc);
        }
        // A KECCAK256 in progress: pc still points at it, its gas is paid and its operands popped.
        if (m.microHash != bytes32(0)) return _absorb(m, p, op);
        bool isLog = op >= 0xa0 && op <= 0xa4;
        // @ethereumjs (as geth) checks the static flag first in SSTORE's and LOG's gas functions,
        // before it reads the stack.
        if (m.isStatic && (op == 0x55 || isLog)) return _fail(m, EvmMachine.STATIC_STATE_CHANGE);
        (uint256 reads, bool dynamic) = _shape(op, m.pc);
        if (isLog) return _log(m, p, op);
        // @ethereumjs (as geth) runs a dynamic-gas opcode's gas function first, which reads the
        // stack: underflow before out of gas. A static-gas opcode is charged first.
        if (dynamic && m.stackSize < reads) return _fail(m, EvmMachine.STACK_UNDERFLOW);
        uint256 gas = EvmGas.staticGas(op);
        if (!dynamic && gas > m.gasLeft) return _fail(m, EvmMachine.OUT_OF_GAS);
        if (m.stackSize < reads) return _fail(m, EvmMachine.STACK_UNDERFLOW);
        uint256[] memory s = _readStack(m, p, reads);
        bytes32 rest = p.stackRest;
        uint256 size = m.stackSize - reads;
        m.pc += 1;

        if (op == 0x00) {
            EvmMachine.halt(m, EvmMachine.STOPPED, 0, 0);
            return m;
        }
        if (op <= 0x0b || (op >= 0x10 && op <= 0x1d)) {
            if (op == 0x0a) {
                gas += EvmGas.expByteGas(s[1]);
                if (gas > m.gasLeft) return _fail(m, EvmMachine.OUT_OF_GAS);
            }
            return _finish(m, gas, rest, size, _single(_alu(op, s)));
        }
        if (op == 0x50) return _finish(m, gas, rest, size, new uint256[](0)); // POP
        if (op >= 0x5f && op <= 0x7f) {
            if (size >= EvmMachine.STACK_LIMIT) return _fail(m, EvmMachine.STACK_OVERFLOW);
            uint256 n = op - 0x5f;
            uint256 v = EvmCode.pushData(p.code, m.codeRoot, m.codeSize, pre.pc, n);
            m.pc += n;
            return _finish(m, gas, rest, size, _single(v));
        }
        if (op >= 0x80 && op <= 0x8f) {
            if (m.stackSize >= EvmMachine.STACK_LIMIT) return _fail(m, EvmMachine.STACK_OVERFLOW);
            uint256[] memory out = new uint256[](reads + 1);
            out[0] = s[reads - 1];
            for (uint256 i; i < reads; ++i) out[i + 1] = s[i];
            return _finish(m, gas, rest, size, out);
        }
        if (op >= 0x90 && op <= 0x9f) {
            (s[0], s[reads - 1]) = (s[reads - 1], s[0]);
            return _finish(m, gas, rest, size, s);
        }
        if (op == 0x5b) return _finish(m, gas, rest, size, new uint256[](0)); // JUMPDEST
        if (op == 0x56 || op == 0x57) {
            if (op == 0x57 && s[1] == 0) return _finish(m, gas, rest, size, new uint256[](0));
            if (p.code.length == 0) revert EvmCode.CodeChunksMissing(1, 0);
            if (!EvmCode.isJumpdest(p.code[p.code.length - 1], m.codeRoot, m.codeSize, s[0])) {
                return _fail(m, EvmMachine.INVALID_JUMP);
            }
            m.pc = s[0];
            return _finish(m, gas, rest, size, new uint256[](0));
        }
        if (op == 0x51 || op == 0x52) return _memory(m, p, op, gas, s, rest, size);
        if (op == 0x54 || op == 0x55) return _storage(m, p, op, s, rest, size);
        if (op == 0x20) return _keccak(m, p, gas, s, rest, size);
        if (op == 0x35) return _finish(m, gas, rest, size, _single(_calldataWord(m, p, s[0])));
        if (op == 0x33 || op == 0x34 || op == 0x36) {
            if (size >= EvmMachine.STACK_LIMIT) return _fail(m, EvmMachine.STACK_OVERFLOW);
            uint256 v = op == 0x33 ? uint256(uint160(m.caller)) : op == 0x34 ? m.callValue : m.calldataSize;
            return _finish(m, gas, rest, size, _single(v));
        }
        // RETURN (the only opcode _shape lets through here)
        (bool ok, uint256 words, uint256 cost) = EvmGas.expand(m.memoryWords, s[0], s[1]);
        if (!ok || cost > m.gasLeft) return _fail(m, EvmMachine.OUT_OF_GAS);
        m.gasLeft -= cost;
        m.memoryWords = words;
        EvmMachine.halt(m, EvmMachine.RETURNED, s[0], s[1]);
    }

    /// @dev How many stack words an opcode reads and whether its gas is dynamic; reverts for
    ///      opcodes outside the slice (their steps are not provable by this contract yet).
    function _shape(uint8 op, uint256 pc) private pure returns (uint256 reads, bool dynamic) {
        if (op == 0x00 || op == 0x5b || (op >= 0x5f && op <= 0x7f)) return (0, false);
        if (op == 0x08 || op == 0x09) return (3, false);
        if (op == 0x15 || op == 0x19 || op == 0x50 || op == 0x56) return (1, false);
        if (op == 0x0a) return (2, true);
        if (op <= 0x0b || (op >= 0x10 && op <= 0x1d) || op == 0x57) return (2, false);
        if (op >= 0x80 && op <= 0x8f) return (op - 0x7f, false);
        if (op >= 0x90 && op <= 0x9f) return (op - 0x8e, false);
        if (op == 0x51 || op == 0x54) return (1, true);
        if (op == 0x52 || op == 0x55 || op == 0xf3 || op == 0x20) return (2, true);
        if (op == 0x33 || op == 0x34 || op == 0x36) return (0, false);
        if (op == 0x35) return (1, false);
        // LOGn reads its offset and size in its gas function and its topics after the charge
        // (_log orders the two underflows); `reads` is all it pops.
        if (op >= 0xa0 && op <= 0xa4) return (2 + op - 0xa0, true);
        revert OpcodeNotCovered(op, pc);
    }

    /// @dev Arithmetic, comparison and bitwise opcodes, computed by the same L1 opcode: the
    ///      definitions are the EVM's own (operands in Yul order: the stack top first).
    function _alu(uint8 op, uint256[] memory s) private pure returns (uint256 r) {
        uint256 a = s[0];
        uint256 b = s.length > 1 ? s[1] : 0;
        uint256 c = s.length > 2 ? s[2] : 0;
        assembly ("memory-safe") {
            switch op
            case 0x01 { r := add(a, b) }
            case 0x02 { r := mul(a, b) }
            case 0x03 { r := sub(a, b) }
            case 0x04 { r := div(a, b) }
            case 0x05 { r := sdiv(a, b) }
            case 0x06 { r := mod(a, b) }
            case 0x07 { r := smod(a, b) }
            case 0x08 { r := addmod(a, b, c) }
            case 0x09 { r := mulmod(a, b, c) }
            case 0x0a { r := exp(a, b) }
            case 0x0b { r := signextend(a, b) }
            case 0x10 { r := lt(a, b) }
            case 0x11 { r := gt(a, b) }
            case 0x12 { r := slt(a, b) }
            case 0x13 { r := sgt(a, b) }
            case 0x14 { r := eq(a, b) }
            case 0x15 { r := iszero(a) }
            case 0x16 { r := and(a, b) }
            case 0x17 { r := or(a, b) }
            case 0x18 { r := xor(a, b) }
            case 0x19 { r := not(a) }
            case 0x1a { r := byte(a, b) }
            case 0x1b { r := shl(a, b) }
            case 0x1c { r := shr(a, b) }
            case 0x1d { r := sar(a, b) }
        }
    }

    function _memory(
        EvmMachine.Machine memory m,
        StepProof calldata p,
        uint8 op,
        uint256 gas,
        uint256[] memory s,
        bytes32 rest,
        uint256 size
    ) private pure returns (EvmMachine.Machine memory) {
        (bool ok, uint256 words, uint256 cost) = EvmGas.expand(m.memoryWords, s[0], 32);
        if (!ok || gas + cost > m.gasLeft) return _fail(m, EvmMachine.OUT_OF_GAS);
        m.memoryWords = words;
        uint256 w = s[0] / 32;
        uint256 shift = (s[0] % 32) * 8;
        uint256 needed = shift == 0 ? 1 : 2;
        if (p.memoryWords.length != needed) revert LeavesMissing(EvmTrees.MEMORY, needed, p.memoryWords.length);
        uint256 lo = uint256(p.memoryWords[0].value);
        uint256 hi = shift == 0 ? 0 : uint256(p.memoryWords[1].value);
        if (op == 0x51) {
            EvmTrees.verify(p.memoryWords[0], EvmTrees.MEMORY, m.memoryRoot, w, EvmTrees.MEMORY_DEPTH);
            if (shift != 0) EvmTrees.verify(p.memoryWords[1], EvmTrees.MEMORY, m.memoryRoot, w + 1, EvmTrees.MEMORY_DEPTH);
            uint256 v = shift == 0 ? lo : (lo << shift) | (hi >> (256 - shift));
            return _finish(m, gas + cost, rest, size, _single(v));
        }
        uint256 value = s[1];
        uint256 newLo = shift == 0 ? value : ((lo >> (256 - shift)) << (256 - shift)) | (value >> shift);
        bytes32 root = EvmTrees.update(p.memoryWords[0], EvmTrees.MEMORY, m.memoryRoot, w, EvmTrees.MEMORY_DEPTH, bytes32(newLo));
        if (shift != 0) {
            uint256 newHi = ((hi << shift) >> shift) | (value << (256 - shift));
            root = EvmTrees.update(p.memoryWords[1], EvmTrees.MEMORY, root, w + 1, EvmTrees.MEMORY_DEPTH, bytes32(newHi));
        }
        m.memoryRoot = root;
        return _finish(m, gas + cost, rest, size, new uint256[](0));
    }

    /// @dev KECCAK256: over at most MAX_DIRECT_KECCAK bytes hashed here, from the memory words the
    ///      range touches; a longer range starts the sponge (§5.4). Either way the whole gas (30 + 6
    ///      a word + expansion) is charged in this step, so an out-of-gas range never starts.
    function _keccak(
        EvmMachine.Machine memory m,
        StepProof calldata p,
        uint256 gas,
        uint256[] memory s,
        bytes32 rest,
        uint256 size
    ) private pure returns (EvmMachine.Machine memory) {
        (uint256 offset, uint256 len) = (s[0], s[1]);
        (bool ok, uint256 words, uint256 cost) = EvmGas.expand(m.memoryWords, offset, len);
        // expand is ok only for len 0 or len ≤ 2^22, so the word count cannot overflow.
        if (!ok) return _fail(m, EvmMachine.OUT_OF_GAS);
        gas += cost + EvmGas.KECCAK_WORD * ((len + 31) / 32);
        if (gas > m.gasLeft) return _fail(m, EvmMachine.OUT_OF_GAS);
        m.memoryWords = words;
        if (len > MAX_DIRECT_KECCAK) {
            // The first micro-step: pay, pop, expand; pc stays on KECCAK256 until the last block.
            m = _finish(m, gas, rest, size, new uint256[](0));
            m.pc -= 1;
            uint64[25] memory zero;
            m.microHash = keccak256(abi.encode(zero, offset, offset + len));
            return m;
        }
        if (len == 0) return _finish(m, gas, rest, size, _single(uint256(keccak256(""))));
        uint256 first = offset / 32;
        uint256 n = (offset + len - 1) / 32 - first + 1;
        if (p.memoryWords.length != n) revert LeavesMissing(EvmTrees.MEMORY, n, p.memoryWords.length);
        bytes memory buf = new bytes(32 * n);
        for (uint256 i; i < n; ++i) {
            EvmTrees.verify(p.memoryWords[i], EvmTrees.MEMORY, m.memoryRoot, first + i, EvmTrees.MEMORY_DEPTH);
            bytes32 w = p.memoryWords[i].value;
            assembly ("memory-safe") {
                mstore(add(add(buf, 0x20), mul(i, 0x20)), w)
            }
        }
        uint256 h;
        uint256 start = offset % 32;
        assembly ("memory-safe") {
            h := keccak256(add(add(buf, 0x20), start), len)
        }
        return _finish(m, gas, rest, size, _single(h));
    }

    /// @dev One micro-step of KECCAK256: absorbs the next block (RATE bytes, fewer when it is the
    ///      last, padded) from the memory words it touches. After the last block the hash is pushed
    ///      and pc moves on. A range of a multiple of RATE bytes ends with a block of padding only.
    function _absorb(EvmMachine.Machine memory m, StepProof calldata p, uint8 op) private pure returns (EvmMachine.Machine memory) {
        if (op != 0x20) revert MicroStepOpcode(op);
        if (p.sponge.length != 1) revert SpongeMissing(p.sponge.length);
        Sponge calldata sp = p.sponge[0];
        bytes32 h = keccak256(abi.encode(sp.lanes, sp.cursor, sp.end));
        if (h != m.microHash) revert SpongeMismatch(m.microHash, h);
        uint256 n = sp.end - sp.cursor;
        if (n > EvmKeccak.RATE) n = EvmKeccak.RATE;
        bytes memory blockBytes = new bytes(EvmKeccak.RATE);
        if (n > 0) {
            uint256 first = sp.cursor / 32;
            uint256 count = (sp.cursor + n - 1) / 32 - first + 1;
            if (p.memoryWords.length != count) revert LeavesMissing(EvmTrees.MEMORY, count, p.memoryWords.length);
            bytes memory buf = new bytes(32 * count);
            for (uint256 i; i < count; ++i) {
                EvmTrees.verify(p.memoryWords[i], EvmTrees.MEMORY, m.memoryRoot, first + i, EvmTrees.MEMORY_DEPTH);
                bytes32 w = p.memoryWords[i].value;
                assembly ("memory-safe") {
                    mstore(add(add(buf, 0x20), mul(i, 0x20)), w)
                }
            }
            uint256 start = sp.cursor % 32;
            for (uint256 i; i < n; ++i) blockBytes[i] = buf[start + i];
        } else if (p.memoryWords.length != 0) {
            revert LeavesMissing(EvmTrees.MEMORY, 0, p.memoryWords.length);
        }
        bool last = n < EvmKeccak.RATE;
        if (last) {
            // keccak's padding (pad10*1 with the 0x01 domain byte): both may fall in one byte.
            blockBytes[n] = bytes1(uint8(blockBytes[n]) ^ 0x01);
            blockBytes[EvmKeccak.RATE - 1] = bytes1(uint8(blockBytes[EvmKeccak.RATE - 1]) ^ 0x80);
        }
        uint64[25] memory lanes = sp.lanes;
        EvmKeccak.absorb(lanes, blockBytes);
        if (!last) {
            m.microHash = keccak256(abi.encode(lanes, sp.cursor + EvmKeccak.RATE, sp.end));
            return m;
        }
        m.microHash = bytes32(0);
        m.pc += 1;
        // KECCAK256 popped two words and pushes one: no overflow is possible.
        m.stackHash = keccak256(abi.encode(EvmKeccak.digest(lanes), m.stackHash));
        m.stackSize += 1;
        return m;
    }

    /// @dev CALLDATALOAD: 32 bytes from `offset`, zero past calldataSize (the tree holds zeros
    ///      there, so a word straddling the end needs only its first leaf).
    function _calldataWord(EvmMachine.Machine memory m, StepProof calldata p, uint256 offset) private pure returns (uint256) {
        if (offset >= m.calldataSize) {
            if (p.calldataWords.length != 0) revert LeavesMissing(EvmTrees.CALLDATA, 0, p.calldataWords.length);
            return 0;
        }
        uint256 w = offset / 32;
        uint256 shift = (offset % 32) * 8;
        uint256 needed = shift == 0 || (w + 1) * 32 >= m.calldataSize ? 1 : 2;
        if (p.calldataWords.length != needed) revert LeavesMissing(EvmTrees.CALLDATA, needed, p.calldataWords.length);
        EvmTrees.verify(p.calldataWords[0], EvmTrees.CALLDATA, m.calldataRoot, w, EvmTrees.CALLDATA_DEPTH);
        uint256 lo = uint256(p.calldataWords[0].value);
        if (shift == 0) return lo;
        uint256 hi;
        if (needed == 2) {
            EvmTrees.verify(p.calldataWords[1], EvmTrees.CALLDATA, m.calldataRoot, w + 1, EvmTrees.CALLDATA_DEPTH);
            hi = uint256(p.calldataWords[1].value);
        }
        return (lo << shift) | (hi >> (256 - shift));
    }

    /// @dev LOG0-4. Logs are not in the machine state (§5.3: nothing on L1 reads them), so the step
    ///      is its gas, its pops and its memory expansion. The order is the engine's: the offset
    ///      and size are read by the gas function (underflow first), the charge comes next, and
    ///      the topics are popped after it (a short stack with too little gas is out of gas).
    function _log(EvmMachine.Machine memory m, StepProof calldata p, uint8 op) private pure returns (EvmMachine.Machine memory) {
        if (m.stackSize < 2) return _fail(m, EvmMachine.STACK_UNDERFLOW);
        uint256 topics = op - 0xa0;
        uint256 pops = 2 + topics;
        uint256 k = m.stackSize < pops ? m.stackSize : pops;
        uint256[] memory s = _readStack(m, p, k);
        (bool ok, uint256 words, uint256 cost) = EvmGas.expand(m.memoryWords, s[0], s[1]);
        if (!ok) return _fail(m, EvmMachine.OUT_OF_GAS);
        // s[1] is 0 or at most 2^22 here (expand is ok), so the byte charge cannot overflow.
        uint256 gas = EvmGas.staticGas(op) + EvmGas.LOG_TOPIC * topics + EvmGas.LOG_BYTE * s[1] + cost;
        if (gas > m.gasLeft) return _fail(m, EvmMachine.OUT_OF_GAS);
        if (k < pops) return _fail(m, EvmMachine.STACK_UNDERFLOW);
        m.memoryWords = words;
        m.pc += 1;
        return _finish(m, gas, p.stackRest, m.stackSize - pops, new uint256[](0));
    }

    function _storage(
        EvmMachine.Machine memory m,
        StepProof calldata p,
        uint8 op,
        uint256[] memory s,
        bytes32 rest,
        uint256 size
    ) private pure returns (EvmMachine.Machine memory) {
        if (op == 0x55 && m.gasLeft <= EvmGas.SENTRY) return _fail(m, EvmMachine.OUT_OF_GAS);
        uint256 needed = op == 0x55 ? 3 : 2;
        if (p.storageSlot.length != needed) revert LeavesMissing(EvmTrees.STORAGE, needed, p.storageSlot.length);
        uint256 slot = s[0];
        bytes32 warmLeaf = p.storageSlot[1].value;
        if (warmLeaf != bytes32(0) && warmLeaf != bytes32(uint256(1))) revert WarmLeafNotBoolean(slot, warmLeaf);
        bool warm = warmLeaf != bytes32(0);
        uint256 current = uint256(p.storageSlot[0].value);
        uint256 gas;
        uint256 refund = m.gasRefund;
        if (op == 0x54) {
            gas = warm ? EvmGas.WARM_READ : EvmGas.COLD_SLOAD;
            EvmTrees.verify(p.storageSlot[0], EvmTrees.STORAGE, m.storageRoot, slot, EvmTrees.STORAGE_DEPTH);
        } else {
            EvmTrees.verify(p.storageSlot[2], EvmTrees.ORIGINAL, m.originalRoot, slot, EvmTrees.STORAGE_DEPTH);
            (gas, refund) = EvmGas.sstore(warm, uint256(p.storageSlot[2].value), current, s[1], refund);
        }
        if (gas > m.gasLeft) return _fail(m, EvmMachine.OUT_OF_GAS);
        m.warmRoot = EvmTrees.update(p.storageSlot[1], EvmTrees.WARM, m.warmRoot, slot, EvmTrees.STORAGE_DEPTH, bytes32(uint256(1)));
        if (op == 0x54) return _finish(m, gas, rest, size, _single(current));
        m.storageRoot = EvmTrees.update(p.storageSlot[0], EvmTrees.STORAGE, m.storageRoot, slot, EvmTrees.STORAGE_DEPTH, bytes32(s[1]));
        m.gasRefund = refund;
        return _finish(m, gas, rest, size, new uint256[](0));
    }

    /// @dev The top `n` words from the proof, checked against the committed stack hash.
    function _readStack(EvmMachine.Machine memory m, StepProof calldata p, uint256 n) private pure returns (uint256[] memory s) {
        if (p.stack.length < n) revert StackItemsMissing(n, p.stack.length);
        s = new uint256[](n);
        bytes32 h = p.stackRest;
        for (uint256 i = n; i > 0; --i) {
            s[i - 1] = p.stack[i - 1];
            h = keccak256(abi.encode(s[i - 1], h));
        }
        if (h != m.stackHash) revert StackHashMismatch(m.stackHash, h);
    }

    /// @dev Charges `gas` and pushes `out` (top first) on the stack below what was read.
    function _finish(EvmMachine.Machine memory m, uint256 gas, bytes32 rest, uint256 size, uint256[] memory out)
        private
        pure
        returns (EvmMachine.Machine memory)
    {
        if (gas > m.gasLeft) return _fail(m, EvmMachine.OUT_OF_GAS);
        m.gasLeft -= gas;
        for (uint256 i = out.length; i > 0; --i) rest = keccak256(abi.encode(out[i - 1], rest));
        m.stackHash = rest;
        m.stackSize = size + out.length;
        return m;
    }

    function _fail(EvmMachine.Machine memory m, uint256 status) private pure returns (EvmMachine.Machine memory) {
        EvmMachine.fail(m, status);
        return m;
    }

    function _single(uint256 v) private pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = v;
    }
}
