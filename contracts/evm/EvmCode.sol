// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EvmTrees} from "./EvmTrees.sol";

/// @title Reading code through its chunk tree
/// @notice A chunk is `pushDataPrefix 1 ‖ code 31` (EIP-6800/4762's chunking, docs/design/evm.md
///         §2.1): the prefix counts the chunk's leading bytes that are push data of an instruction
///         begun in an earlier chunk, so a JUMPDEST is checked from its own chunk alone.
library EvmCode {
    /// @param needed how many code chunks the step needs proven
    /// @param given how many the proof carries
    error CodeChunksMissing(uint256 needed, uint256 given);

    /// @param codeSize the committed code size
    /// @param max what a depth-11 chunk tree holds
    error CodeTooLarge(uint256 codeSize, uint256 max);

    uint256 internal constant CHUNK = 31;
    /// @dev 2,048 chunks of 31 bytes (63,488): more than EIP-3860's 49,152 bytes of init code, so
    ///      a create frame's code fits as well as every deployed code. A larger size would alias
    ///      chunk indices past the tree's depth; it is refused.
    uint256 internal constant MAX_CODE_SIZE = (1 << EvmTrees.CODE_DEPTH) * CHUNK;
    uint8 internal constant JUMPDEST = 0x5b;

    /// @dev Byte `pos` of the code, from a chunk proven against `codeRoot`; 0 past the end
    ///      (the EVM reads STOP and zero push data there), with no proof needed.
    function byteAt(EvmTrees.Leaf calldata chunk, bytes32 codeRoot, uint256 codeSize, uint256 pos)
        internal
        pure
        returns (uint8)
    {
        if (pos >= codeSize) return 0;
        EvmTrees.verify(chunk, EvmTrees.CODE, codeRoot, pos / CHUNK, EvmTrees.CODE_DEPTH);
        return uint8(chunk.value[1 + (pos % CHUNK)]);
    }

    /// @dev The `n` immediate bytes after `pc`, big-endian; `code[0]` holds pc's chunk and
    ///      `code[1]`, `code[2]` the next ones when the data crosses into them (PUSH32 at the last
    ///      byte of a chunk reads two more chunks).
    function pushData(EvmTrees.Leaf[] calldata code, bytes32 codeRoot, uint256 codeSize, uint256 pc, uint256 n)
        internal
        pure
        returns (uint256 v)
    {
        uint256 first = pc / CHUNK;
        uint256 verified; // chunks after pc's already checked; code[0] was checked for the opcode
        for (uint256 i = 1; i <= n; ++i) {
            uint256 pos = pc + i;
            uint8 b;
            if (pos < codeSize) {
                uint256 c = pos / CHUNK - first;
                if (c > verified) {
                    if (code.length <= c) revert CodeChunksMissing(c + 1, code.length);
                    EvmTrees.verify(code[c], EvmTrees.CODE, codeRoot, first + c, EvmTrees.CODE_DEPTH);
                    verified = c;
                }
                b = uint8(code[c].value[1 + (pos % CHUNK)]);
            }
            v = (v << 8) | b;
        }
    }

    /// @dev Whether `dest` is a JUMPDEST instruction (not push data), from the chunk holding it.
    function isJumpdest(EvmTrees.Leaf calldata chunk, bytes32 codeRoot, uint256 codeSize, uint256 dest)
        internal
        pure
        returns (bool)
    {
        if (dest >= codeSize) return false;
        EvmTrees.verify(chunk, EvmTrees.CODE, codeRoot, dest / CHUNK, EvmTrees.CODE_DEPTH);
        uint256 off = dest % CHUNK;
        if (uint8(chunk.value[1 + off]) != JUMPDEST) return false;
        // Walk the instructions that start in this chunk: dest is code iff one starts exactly there.
        uint256 i = uint8(chunk.value[0]);
        while (i < off) {
            uint8 op = uint8(chunk.value[1 + i]);
            i += (op >= 0x60 && op <= 0x7f) ? uint256(op) - 0x5e : 1;
        }
        return i == off;
    }
}
