// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title Constants
/// @notice The numbers of the L2 state machine that the L1 contracts need, each written once.
///         `src/core/constants.ts` holds the same values under the same names (the gas schedule
///         there is `GAS.*`, the operation kinds `OpKind.*`); `test/contracts/Constants.test.ts`
///         holds the two together. A contract's own parameters (Bridge's metadata limits,
///         Rollup's catch-up bound, BatchCodec's envelope) stay with that contract.
library Constants {
    /// @notice Depth of the account tree: up to 2^24 accounts. Also the widest account index an
    ///         operation may write, so the bound on a commitment's index width.
    uint256 internal constant ACCOUNT_TREE_DEPTH = 24;
    /// @notice Depth of each account's token tree, so the bits of a token id: 16,777,216 tokens.
    ///         Registration is permissionless, so the id space must be too large to exhaust: at
    ///         ~100k gas a registration, filling it takes ~1.7·10^12 gas (docs/trust-model.md).
    uint256 internal constant TOKEN_TREE_DEPTH = 24;
    /// @notice Depth of each account's allowance tree: the allowance of spender account `s` for
    ///         token `t` is the leaf at `t << 24 | s`, so both ids keep their 24 bits.
    uint256 internal constant ALLOWANCE_TREE_DEPTH = 48;
    /// @notice The widest token width class a commitment may declare (0: 8-bit ids, 1: 16, 2: 24;
    ///         src/core's `TOKEN_ID_BITS` has one entry per class).
    uint256 internal constant MAX_TOKEN_CLASS = 2;
    /// @notice Most operation slots in one commitment (one L2 block); bounds the cost of a fraud
    ///         proof. An approve or transferFrom takes two (a 48-level allowance path), others one.
    uint256 internal constant MAX_OPS_PER_COMMITMENT = 32;
    /// @notice Most distinct fee tuples one commitment lists.
    uint256 internal constant MAX_FEE_ENTRIES = 16;
    /// @notice Most account-tree siblings a proof of one commitment may need (ProofWeight).
    uint256 internal constant MAX_PROOF_WEIGHT = 448;
    /// @notice Most open token and allowance path levels a proof of one commitment may cross (ProofWeight).
    uint256 internal constant MAX_TOKEN_PROOF_WEIGHT = 320;

    /// @notice gasUsed of an ETH transfer (new recipient or not): Ethereum's 21,000.
    uint256 internal constant GAS_ETH_TRANSFER = 21_000;
    /// @notice gasUsed of a token transfer to an account holding the token: what OpenZeppelin 5's
    ///         ERC20.transfer uses on an Osaka L1.
    uint256 internal constant GAS_TOKEN_TRANSFER = 34_311;
    /// @notice gasUsed of a token transfer to an account holding none of it (the SSTORE from zero).
    uint256 internal constant GAS_TOKEN_TRANSFER_TO_EMPTY = 51_411;
    /// @notice gasUsed of a withdrawal, ETH or token.
    uint256 internal constant GAS_WITHDRAWAL = 60_000;
    /// @notice gasUsed of `approve` from a zero allowance to a non-zero one (OpenZeppelin 5, Osaka).
    uint256 internal constant GAS_APPROVE_FROM_ZERO = 46_269;
    /// @notice gasUsed of `approve` from one non-zero allowance to another.
    uint256 internal constant GAS_APPROVE_CHANGE = 29_169;
    /// @notice gasUsed of `approve` of the allowance already set (zero to zero included).
    uint256 internal constant GAS_APPROVE_UNCHANGED = 26_369;
    /// @notice gasUsed of `approve` of zero over a non-zero allowance (the refund of an SSTORE to zero).
    uint256 internal constant GAS_APPROVE_CLEAR = 24_345;
    /// @notice gasUsed of `transferFrom` under an infinite allowance (not decreased), to a holder.
    uint256 internal constant GAS_TRANSFER_FROM_INFINITE = 37_080;
    /// @notice gasUsed of `transferFrom` that leaves a non-zero allowance, to a holder.
    uint256 internal constant GAS_TRANSFER_FROM = 40_281;
    /// @notice gasUsed of `transferFrom` that uses the whole allowance, to a holder.
    uint256 internal constant GAS_TRANSFER_FROM_CLEARING = 35_481;
    /// @notice What a `transferFrom` adds when its recipient holds none of the token.
    uint256 internal constant GAS_TO_EMPTY_EXTRA = 17_100;

    /// @notice The L2 address users send withdrawals to: `withdraw(l1Recipient, token, amount)`.
    address internal constant WITHDRAWAL_PREDEPLOY = 0xcA12000000000000000000000000000000000001;
    /// @notice ERC-20 `transfer(address,uint256)`: the calldata of a signed token transfer.
    bytes4 internal constant SELECTOR_TRANSFER = IERC20.transfer.selector;
    /// @notice ERC-20 `approve(address,uint256)`.
    bytes4 internal constant SELECTOR_APPROVE = IERC20.approve.selector;
    /// @notice ERC-20 `transferFrom(address,address,uint256)`.
    bytes4 internal constant SELECTOR_TRANSFER_FROM = IERC20.transferFrom.selector;
    /// @notice `withdraw(address,address,uint256)` on the withdrawal predeploy, which has no L1
    ///         interface to take the selector from.
    bytes4 internal constant SELECTOR_WITHDRAW = 0xd9caed12;
    /// @notice Order of the secp256k1 group: Ethereum accepts r in [1, N) and s in [1, N/2]
    ///         (EIP-2). Private to src/core/txSigning.ts on the TypeScript side.
    uint256 internal constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

    /// @notice Packed operation kinds, the top three bits of an operation's head (`OpKind`):
    ///         consume the next L1 queue entry.
    uint8 internal constant OP_QUEUE = 0;
    /// @notice Send ETH to an existing account, named by index.
    uint8 internal constant OP_ETH_TRANSFER = 1;
    /// @notice Send ETH to a new account, named by address.
    uint8 internal constant OP_ETH_TRANSFER_NEW = 2;
    /// @notice Send a token to an existing account, named by index.
    uint8 internal constant OP_TOKEN_TRANSFER = 3;
    /// @notice Send a token to a new account, named by address.
    uint8 internal constant OP_TOKEN_TRANSFER_NEW = 4;
    /// @notice Withdraw ETH to an L1 address.
    uint8 internal constant OP_WITHDRAW_ETH = 5;
    /// @notice Withdraw a token to an L1 address; the highest kind the three bits name alone.
    uint8 internal constant OP_WITHDRAW_TOKEN = 6;
    /// @notice The three-bit head that says two more bits name an allowance kind (OP_APPROVE + them).
    uint8 internal constant OP_EXTENDED = 7;
    /// @notice ERC-20 `approve` of an existing account, named by index.
    uint8 internal constant OP_APPROVE = 7;
    /// @notice `approve` of a new account, named by address.
    uint8 internal constant OP_APPROVE_NEW = 8;
    /// @notice `transferFrom` by the signer as spender to an existing account, named by index.
    uint8 internal constant OP_TRANSFER_FROM = 9;
    /// @notice `transferFrom` to a new account, named by address; the highest kind defined.
    uint8 internal constant OP_TRANSFER_FROM_NEW = 10;
}
