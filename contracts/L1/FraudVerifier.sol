// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFraudVerifier} from "../interfaces/IFraudVerifier.sol";
import {IBridge} from "../interfaces/IBridge.sol";
import {Types} from "../libraries/Types.sol";
import {Hashing} from "../libraries/Hashing.sol";
import {MerkleLib} from "../libraries/MerkleLib.sol";
import {MultiProof} from "../libraries/MultiProof.sol";
import {TxHashing} from "../libraries/TxHashing.sol";

/// @title FraudVerifier
/// @notice The on-chain twin of `applyOp` in src/core/execute.ts: decodes one commitment,
///         replays its operations on the witnessed accounts with every validity rule, and
///         compares the result with what the commitment claims. A witness that does not match
///         the pre-state reverts; it can never make an honest commitment look fraudulent.
contract FraudVerifier is IFraudVerifier {
    /// @notice Semantic version.
    string public constant version = "0.1.0";

    uint256 private constant ACCOUNT_DEPTH = 24;
    uint256 private constant TOKEN_DEPTH = Types.TOKEN_ID_BITS;
    uint256 private constant MAX_OPS = 32;
    uint256 private constant MAX_FEES = 32;
    uint256 private constant GAS_ETH_TRANSFER = 21_000;
    uint256 private constant GAS_TOKEN_TRANSFER = 45_000;
    uint256 private constant GAS_WITHDRAWAL = 60_000;
    uint256 private constant GAS_PER_BYTE = 16;
    address private constant WITHDRAWAL_PREDEPLOY = 0xcA12000000000000000000000000000000000001;
    uint256 private constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

    uint8 private constant OP_QUEUE = 0;
    uint8 private constant OP_ETH = 1;
    uint8 private constant OP_ETH_NEW = 2;
    uint8 private constant OP_TOKEN = 3;
    uint8 private constant OP_TOKEN_NEW = 4;
    uint8 private constant OP_WITHDRAW_ETH = 5;
    uint8 private constant OP_WITHDRAW_TOKEN = 6;

    struct Account {
        uint256 index;
        bool exists;
        address addr;
        uint64 nonce;
        uint256 balance;
        bytes32 tokenRoot; // pre-state token root
        uint256[] tokenIds;
        uint256[] tokenBalances;
        uint256 tokenProofAt; // slices of the witness: the token multiproof
        uint256 tokenProofLen;
        uint256 tokenFlagsAt;
        uint256 tokenFlagsLen;
    }

    /// @dev Where the parts of the packed witness are.
    struct Layout {
        bytes32 accountsRoot;
        uint256 proofAt;
        uint256 proofLen;
        uint256 flagsAt;
        uint256 flagsLen;
        uint256 queueAt;
        uint256 queueCount;
        uint256 preQueueIndex;
    }

    struct Op {
        uint8 kind;
        uint8 x; // fee index, or the queue credit mode
        uint256 from;
        uint256 to; // recipient index, or credited index
        address addr; // new recipient, or L1 recipient
        uint24 tokenId;
        uint256 amount;
        bytes32 r;
        bytes32 s;
        uint8 yParity;
        uint256 size;
    }

    struct Header {
        bytes32 postStateRoot;
        bool hasWithdrawals;
        bytes32 withdrawalRoot;
        uint256 baseFee;
        uint256 feeRecipient;
        TxHashing.Fee[] fees;
        bool feeRecipientFound;
        Account feeAccount;
    }

    struct Run {
        Account[] accounts;
        /// Open-addressing set of the addresses held by witnessed accounts (existing or created):
        /// `address | 1 << 160` per slot, zero for empty. Makes "is this address new?" O(1).
        uint256[] holders;
        uint256 accountCount;
        uint256 queueIndex;
        uint256 withdrawalCount;
        uint256 tokenCount;
        bytes32[] withdrawals;
        uint256 withdrawalsLength;
        /// The tokens the replay has resolved so far: their ids, L1 addresses (read from the
        /// Bridge) and L2 addresses, the first `tokensKnown` of each (lazily allocated). A
        /// commitment uses at most MAX_OPS tokens; a table by id would need 2^24 entries.
        uint256[] tokenIds;
        address[] l1Tokens;
        address[] l2Tokens;
        uint256 tokensKnown;
        bytes32[] accountZero;
        bytes32[] tokenZero;
        /// One past the highest witnessed index: accounts from accountCount up to it are the
        /// (empty) slots the commitment may create, in order at the end of `accounts`.
        uint256 createdLimit;
    }

    struct Cursor {
        uint256 at;
        bool bad;
    }

    /// @inheritdoc IFraudVerifier
    function verify(bytes calldata body, bytes calldata witness, Context calldata context)
        external
        view
        returns (FraudKind, Reason, uint256)
    {
        (Run memory run, Layout memory lay) = _loadWitness(witness, context.preStateRoot);
        (bool ok, Header memory header, Op[] memory ops) = _decode(body);
        if (!ok) return (FraudKind.MALFORMED, Reason.NONE, 0);

        for (uint256 i = 0; i < ops.length; i++) {
            Reason reason = ops[i].kind == OP_QUEUE
                ? _applyQueue(run, ops[i], witness, lay, context)
                : _applySigned(run, header, ops[i], context);
            if (reason != Reason.NONE) return (FraudKind.INVALID_OPERATION, reason, i);
        }

        // Signed operations check the fee recipient as they are applied; a commitment without
        // one must still name an account (src/core/replay.ts).
        if (header.feeRecipient >= run.accountCount) return (FraudKind.MALFORMED, Reason.NONE, 0);
        bytes32 withdrawalRoot = MerkleLib.sortedRoot(run.withdrawals, run.withdrawalsLength);
        if (withdrawalRoot != (header.hasWithdrawals ? header.withdrawalRoot : bytes32(0))) {
            return (FraudKind.WRONG_WITHDRAWAL_ROOT, Reason.NONE, 0);
        }
        bytes32 postRoot = _stateRoot(_accountsRoot(run, witness, lay), run.accountCount, run.queueIndex, run.withdrawalCount, run.tokenCount);
        if (postRoot != header.postStateRoot) return (FraudKind.WRONG_POST_STATE, Reason.NONE, 0);
        if (context.lastInBatch && run.queueIndex != context.queueLimit) return (FraudKind.QUEUE_COUNT_MISMATCH, Reason.NONE, 0);
        return (FraudKind.NONE, Reason.NONE, 0);
    }

    // ---------------------------------------------------------------------------------------
    // Witness
    // ---------------------------------------------------------------------------------------

    /// @dev Reads `n` bytes of the witness as a big-endian integer; malformed past the end.
    function _take(bytes calldata w, Cursor memory c, uint256 n) private pure returns (uint256 v) {
        uint256 at = c.at;
        if (at + n > w.length) revert FraudWitnessMalformed(at);
        assembly ("memory-safe") {
            // n ≤ 32; shr by 256 (n = 0) gives 0.
            v := shr(mul(8, sub(32, n)), calldataload(add(w.offset, at)))
        }
        c.at = at + n;
    }

    /// @dev A counted run of `unit`-byte items: the count in `countBytes`, then the items.
    function _slice(bytes calldata w, Cursor memory c, uint256 countBytes, uint256 unit) private pure returns (uint256 at, uint256 len) {
        len = _take(w, c, countBytes) * unit;
        at = c.at;
        c.at = at + len;
    }

    /// @dev Parses the packed witness, checks the pre-state fields against the pre-state root and
    ///      every witnessed leaf and token balance against the pre-state, and copies them into
    ///      memory for the replay.
    function _loadWitness(bytes calldata w, bytes32 preStateRoot) private pure returns (Run memory run, Layout memory lay) {
        Cursor memory c;
        lay.accountsRoot = bytes32(_take(w, c, 32));
        run.accountCount = _take(w, c, 8);
        run.queueIndex = _take(w, c, 8);
        lay.preQueueIndex = run.queueIndex;
        run.withdrawalCount = _take(w, c, 8);
        run.tokenCount = _take(w, c, 8);
        bytes32 computed = _stateRoot(lay.accountsRoot, run.accountCount, run.queueIndex, run.withdrawalCount, run.tokenCount);
        if (computed != preStateRoot) revert FraudWitnessPreStateMismatch(preStateRoot, computed);
        run.withdrawals = new bytes32[](MAX_OPS);

        uint256 n = _take(w, c, 2);
        run.accounts = new Account[](n);
        run.holders = new uint256[](_tableSize(n + MAX_OPS));
        run.accountZero = MultiProof.zeroHashes(ACCOUNT_DEPTH);
        run.tokenZero = MultiProof.zeroHashes(TOKEN_DEPTH);
        bytes32[] memory tokenZero = run.tokenZero;
        uint256[] memory indices = new uint256[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            Account memory a = _readAccount(w, c, run.accountCount, tokenZero);
            if (i > 0 && a.index <= indices[i - 1]) revert FraudWitnessMalformed(c.at);
            indices[i] = a.index;
            leaves[i] = a.exists ? _accountLeaf(a.addr, a.nonce, a.balance, a.tokenRoot) : bytes32(0);
            if (a.exists) _hold(run.holders, a.addr);
            run.accounts[i] = a;
        }
        run.createdLimit = n == 0 ? 0 : indices[n - 1] + 1;
        (lay.proofAt, lay.proofLen) = _slice(w, c, 2, 32);
        (lay.flagsAt, lay.flagsLen) = _slice(w, c, 2, 1);
        lay.queueCount = _take(w, c, 1);
        lay.queueAt = c.at;
        if (c.at + lay.queueCount * QUEUE_ENTRY_BYTES != w.length) revert FraudWitnessMalformed(c.at);
        if (n == 0) return (run, lay);
        bytes32 root = MultiProof.root(
            ACCOUNT_DEPTH, indices, leaves, w[lay.proofAt:lay.proofAt + lay.proofLen], w[lay.flagsAt:lay.flagsAt + lay.flagsLen], run.accountZero
        );
        if (root != lay.accountsRoot) revert FraudWitnessAccountsMismatch(lay.accountsRoot, root);
    }

    /// @dev One witnessed account, its token balances checked against its token root.
    function _readAccount(bytes calldata w, Cursor memory c, uint256 accountCount, bytes32[] memory tokenZero)
        private
        pure
        returns (Account memory a)
    {
        a.index = _take(w, c, 3);
        bool empty = _take(w, c, 1) != 0;
        // An index below the account count holds an account; one at or above it is empty.
        if (empty != (a.index >= accountCount)) revert FraudWitnessInconsistent(a.index);
        a.exists = !empty;
        a.tokenRoot = tokenZero[TOKEN_DEPTH];
        if (!empty) {
            a.addr = address(uint160(_take(w, c, 20)));
            a.nonce = uint64(_take(w, c, 8));
            a.balance = _take(w, c, 32);
            a.tokenRoot = bytes32(_take(w, c, 32));
        }
        uint256 t = _take(w, c, 1);
        a.tokenIds = new uint256[](t);
        a.tokenBalances = new uint256[](t);
        for (uint256 k = 0; k < t; k++) {
            a.tokenIds[k] = _take(w, c, 3);
            a.tokenBalances[k] = _take(w, c, 32);
            if (empty && a.tokenBalances[k] != 0) revert FraudWitnessTokensMismatch(a.index);
        }
        // Two count bytes: in a depth-24 tree, one account's tokens may need over 255 siblings.
        (a.tokenProofAt, a.tokenProofLen) = _slice(w, c, 2, 32);
        (a.tokenFlagsAt, a.tokenFlagsLen) = _slice(w, c, 1, 1);
        if (c.at > w.length) revert FraudWitnessMalformed(c.at);
        if (empty) {
            // An empty account's token tree is empty: no sibling may be sent (every one is a zero
            // hash), so its balances — checked zero above — need no proof.
            if (a.tokenProofLen != 0) revert FraudWitnessTokensMismatch(a.index);
        } else if (t > 0 && _tokenRoot(a, w, tokenZero) != a.tokenRoot) {
            revert FraudWitnessTokensMismatch(a.index);
        }
    }

    /// @dev The post-state account root: the same sibling hashes, the replayed leaves.
    function _accountsRoot(Run memory run, bytes calldata w, Layout memory lay) private pure returns (bytes32) {
        uint256 n = run.accounts.length;
        if (n == 0) return lay.accountsRoot;
        bytes32[] memory tokenZero = run.tokenZero;
        uint256[] memory indices = new uint256[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            Account memory a = run.accounts[i];
            indices[i] = a.index;
            if (!a.exists) continue;
            bytes32 tokenRoot = a.tokenIds.length > 0 ? _tokenRoot(a, w, tokenZero) : a.tokenRoot;
            leaves[i] = _accountLeaf(a.addr, a.nonce, a.balance, tokenRoot);
        }
        return MultiProof.root(
            ACCOUNT_DEPTH, indices, leaves, w[lay.proofAt:lay.proofAt + lay.proofLen], w[lay.flagsAt:lay.flagsAt + lay.flagsLen], run.accountZero
        );
    }

    /// @dev Root of the account's token tree with its current witnessed balances.
    function _tokenRoot(Account memory a, bytes calldata w, bytes32[] memory zero) private pure returns (bytes32) {
        uint256 t = a.tokenIds.length;
        if (t == 1) {
            return MultiProof.leafRoot(
                TOKEN_DEPTH,
                a.tokenIds[0],
                bytes32(a.tokenBalances[0]),
                w[a.tokenProofAt:a.tokenProofAt + a.tokenProofLen],
                w[a.tokenFlagsAt:a.tokenFlagsAt + a.tokenFlagsLen],
                zero
            );
        }
        uint256[] memory indices = new uint256[](t);
        bytes32[] memory leaves = new bytes32[](t);
        for (uint256 i = 0; i < t; i++) {
            indices[i] = a.tokenIds[i];
            leaves[i] = bytes32(a.tokenBalances[i]);
        }
        return MultiProof.root(
            TOKEN_DEPTH,
            indices,
            leaves,
            w[a.tokenProofAt:a.tokenProofAt + a.tokenProofLen],
            w[a.tokenFlagsAt:a.tokenFlagsAt + a.tokenFlagsLen],
            zero
        );
    }

    function _find(Run memory run, uint256 index) private pure returns (Account memory) {
        uint256 lo = 0;
        uint256 hi = run.accounts.length;
        Account[] memory accounts = run.accounts;
        unchecked {
            // lo < hi ≤ accounts.length: no overflow, indices in range.
            while (lo < hi) {
                uint256 mid = (lo + hi) >> 1;
                Account memory a = accounts[mid];
                if (a.index == index) return a;
                if (a.index < index) lo = mid + 1;
                else hi = mid;
            }
        }
        revert FraudWitnessMissingAccount(index);
    }

    /// @dev Position of `tokenId` in the account's witnessed balances.
    function _token(Account memory a, uint256 tokenId) private pure returns (uint256) {
        for (uint256 i = 0; i < a.tokenIds.length; i++) {
            if (a.tokenIds[i] == tokenId) return i;
        }
        revert FraudWitnessMissingToken(a.index, tokenId);
    }

    function _tableSize(uint256 entries) private pure returns (uint256 size) {
        size = 16;
        while (size < 2 * entries) size <<= 1;
    }

    /// @dev Whether a witnessed account (existing, or created earlier in this commitment) holds `addr`.
    function _held(uint256[] memory table, address addr) private pure returns (bool) {
        uint256 key = uint256(uint160(addr)) | (1 << 160);
        uint256 mask = table.length - 1;
        for (uint256 slot = uint256(uint160(addr)) & mask; ; slot = (slot + 1) & mask) {
            uint256 v = table[slot];
            if (v == key) return true;
            if (v == 0) return false;
        }
        return false;
    }

    function _hold(uint256[] memory table, address addr) private pure {
        uint256 key = uint256(uint160(addr)) | (1 << 160);
        uint256 mask = table.length - 1;
        uint256 slot = uint256(uint160(addr)) & mask;
        while (table[slot] != 0 && table[slot] != key) slot = (slot + 1) & mask;
        table[slot] = key;
    }

    /// @dev Creates the account of `addr` at the next index, which must be witnessed empty.
    function _create(Run memory run, address addr) private pure returns (Account memory a) {
        // Created accounts take the next indices, which sort last in the witness: look there first.
        uint256 created = run.createdLimit > run.accountCount ? run.createdLimit - run.accountCount : 0;
        uint256 pos = run.accounts.length >= created ? run.accounts.length - created : run.accounts.length;
        if (created > 0 && pos < run.accounts.length && run.accounts[pos].index == run.accountCount) {
            a = run.accounts[pos];
        } else {
            a = _find(run, run.accountCount);
        }
        if (a.exists) revert FraudWitnessInconsistent(a.index);
        a.exists = true;
        a.addr = addr;
        _hold(run.holders, addr);
        run.accountCount++;
    }

    // ---------------------------------------------------------------------------------------
    // Queue operations
    // ---------------------------------------------------------------------------------------

    struct QueueEntry {
        uint8 kind;
        address account;
        uint24 tokenId;
        uint256 amount;
    }

    /// @dev A witnessed queue entry: kind 1 | account 20 | tokenId 3 | amount 32.
    uint256 private constant QUEUE_ENTRY_BYTES = 56;

    function _applyQueue(Run memory run, Op memory op, bytes calldata w, Layout memory lay, Context calldata c)
        private
        view
        returns (Reason)
    {
        if (run.queueIndex >= c.queueLimit) return Reason.QUEUE_EMPTY;
        QueueEntry memory e = _queueEntry(run.queueIndex, w, lay, c.bridge);
        if (e.kind == uint8(Types.QueueKind.TOKEN_REGISTRATION)) {
            if (op.x != 0) return Reason.MALFORMED;
            if (e.tokenId != run.tokenCount) return Reason.MALFORMED;
            run.tokenCount++;
            run.queueIndex++;
            return Reason.NONE;
        }
        bool forced = e.kind >= uint8(Types.QueueKind.FORCED_WITHDRAWAL_ETH);
        bool token = e.kind == uint8(Types.QueueKind.TOKEN_DEPOSIT) || e.kind == uint8(Types.QueueKind.FORCED_WITHDRAWAL_TOKEN);
        if (token && e.tokenId >= run.tokenCount) return Reason.UNKNOWN_TOKEN;
        if (forced) return _applyForcedWithdrawal(run, op, e, c.bridge);
        Account memory a;
        if (op.x == 2) {
            Reason named;
            (named, a) = _namedAccount(run, op.to, e.account);
            if (named != Reason.NONE) return named;
        } else if (op.x == 1) {
            if (_held(run.holders, e.account)) return Reason.ACCOUNT_EXISTS;
            if (run.accountCount >= 1 << ACCOUNT_DEPTH) return Reason.OVERFLOW;
            a = _create(run, e.account);
        } else {
            return Reason.MALFORMED;
        }
        run.queueIndex++;
        if (e.kind == uint8(Types.QueueKind.ETH_DEPOSIT)) {
            // A credit that would overflow consumes the entry and credits nothing.
            if (e.amount <= type(uint256).max - a.balance) a.balance += e.amount;
        } else {
            uint256 t = _token(a, e.tokenId);
            if (e.amount <= type(uint256).max - a.tokenBalances[t]) a.tokenBalances[t] += e.amount;
        }
        return Reason.NONE;
    }

    /// @dev The existing account a queue operation names by index, which must be `owner`'s.
    function _namedAccount(Run memory run, uint256 index, address owner) private pure returns (Reason, Account memory a) {
        if (index >= run.accountCount) return (Reason.UNKNOWN_ACCOUNT, a);
        a = _find(run, index);
        if (a.addr != owner) return (Reason.MALFORMED, a);
        return (Reason.NONE, a);
    }

    /// @dev A forced withdrawal: all of `amount` from the caller's own account, or nothing
    ///      (no account, or too little). The commitment names the account, or says none.
    function _applyForcedWithdrawal(Run memory run, Op memory op, QueueEntry memory e, address bridge) private view returns (Reason) {
        Account memory a;
        if (op.x == 2) {
            Reason named;
            (named, a) = _namedAccount(run, op.to, e.account);
            if (named != Reason.NONE) return named;
        } else if (op.x == 0) {
            if (_held(run.holders, e.account)) return Reason.ACCOUNT_EXISTS;
            run.queueIndex++;
            return Reason.NONE;
        } else {
            return Reason.MALFORMED;
        }
        run.queueIndex++;
        bool isEth = e.kind == uint8(Types.QueueKind.FORCED_WITHDRAWAL_ETH);
        uint256 t = isEth ? 0 : _token(a, e.tokenId);
        uint256 held = isEth ? a.balance : a.tokenBalances[t];
        // Unreachable in practice (2^64 − 1 withdrawals), but defined: consumed, as when too little is held.
        if (held < e.amount || run.withdrawalCount >= type(uint64).max) return Reason.NONE;
        if (isEth) a.balance = held - e.amount;
        else a.tokenBalances[t] = held - e.amount;
        run.withdrawals[run.withdrawalsLength++] = Hashing.withdrawalLeaf(
            Types.Withdrawal({
                id: uint64(run.withdrawalCount),
                l2Sender: e.account,
                l1Recipient: e.account,
                l1Token: isEth ? address(0) : _l1Token(run, e.tokenId, bridge),
                amount: e.amount
            })
        );
        run.withdrawalCount++;
        return Reason.NONE;
    }

    /// @dev The witnessed entry at queue position `index`, authenticated by the Bridge's running hash.
    function _queueEntry(uint256 index, bytes calldata w, Layout memory lay, address bridge) private view returns (QueueEntry memory e) {
        uint256 k = index - lay.preQueueIndex;
        if (k >= lay.queueCount) revert FraudWitnessBadQueueEntry(index);
        Cursor memory c = Cursor({at: lay.queueAt + k * QUEUE_ENTRY_BYTES, bad: false});
        e.kind = uint8(_take(w, c, 1));
        e.account = address(uint160(_take(w, c, 20)));
        e.tokenId = uint24(_take(w, c, 3));
        e.amount = _take(w, c, 32);
        if (e.kind > uint8(Types.QueueKind.FORCED_WITHDRAWAL_TOKEN)) revert FraudWitnessBadQueueEntry(index);
        bytes32 previous = index == 0 ? bytes32(0) : IBridge(bridge).queueAccumulator(index - 1);
        bytes32 stored = IBridge(bridge).queueAccumulator(index);
        bytes32 computed =
            Hashing.queueAccumulator(previous, Types.QueueKind(e.kind), e.account, e.tokenId, e.amount, uint64(uint256(stored)));
        if (computed != stored) revert FraudWitnessBadQueueEntry(index);
    }

    // ---------------------------------------------------------------------------------------
    // Signed operations
    // ---------------------------------------------------------------------------------------

    struct Resolved {
        address to;
        uint256 value;
        bytes data;
        bool hasToken;
        address l1Token;
        bool newRecipient;
        Account recipient; // the existing recipient, found once
    }

    /// @dev What a valid signed operation moves: the fee charged and the ETH leaving the sender.
    struct Charge {
        uint256 fee;
        uint256 ethOut;
        bool isWithdrawal;
    }

    function _applySigned(Run memory run, Header memory h, Op memory op, Context calldata c) private view returns (Reason) {
        if (op.from >= run.accountCount) return Reason.UNKNOWN_ACCOUNT;
        Account memory sender = _find(run, op.from);
        if (op.x >= h.fees.length) return Reason.MALFORMED;
        (Reason reason, Resolved memory res) = _resolve(run, op, c.bridge);
        if (reason != Reason.NONE) return reason;
        if (!_signedBy(h.fees[op.x], c.chainId, sender, res, op)) return Reason.BAD_SIGNATURE;
        Charge memory charge;
        reason = _checkFunds(run, h, op, sender, res, charge);
        if (reason != Reason.NONE) return reason;
        _effects(run, h, op, sender, res, charge);
        return Reason.NONE;
    }

    /// @dev The checks after the signature, in src/core's order. Every comparison is exact over
    ///      the full uint256 range (src/core compares unbounded bigints): nothing here can
    ///      overflow, so a proposer's extreme fields yield a verdict, never a panic.
    function _checkFunds(Run memory run, Header memory h, Op memory op, Account memory sender, Resolved memory res, Charge memory charge)
        private
        pure
        returns (Reason)
    {
        TxHashing.Fee memory fee = h.fees[op.x];
        if (h.feeRecipient >= run.accountCount) return Reason.UNKNOWN_ACCOUNT;
        (bool priced, uint256 price) = _effectiveGasPrice(fee, h.baseFee);
        if (!priced) return Reason.FEE_TOO_LOW;
        // executionGas ≤ 60,000 and size < 2^16 (a body is at most 65,535 bytes): no overflow.
        uint256 gasUsed = _executionGas(op.kind) + GAS_PER_BYTE * op.size;
        if (fee.gasLimit < gasUsed) return Reason.GAS_LIMIT_TOO_LOW;
        charge.ethOut = (op.kind == OP_ETH || op.kind == OP_ETH_NEW || op.kind == OP_WITHDRAW_ETH) ? op.amount : 0;
        if (!_covers(sender.balance, fee.gasLimit, fee.maxFee, charge.ethOut)) return Reason.INSUFFICIENT_FUNDS;
        // gasUsed ≤ gasLimit and price ≤ maxFee, and gasLimit × maxFee fits (it is covered above).
        charge.fee = gasUsed * price;
        if (res.hasToken && sender.tokenBalances[_token(sender, op.tokenId)] < op.amount) return Reason.INSUFFICIENT_FUNDS;
        charge.isWithdrawal = op.kind == OP_WITHDRAW_ETH || op.kind == OP_WITHDRAW_TOKEN;
        if (charge.isWithdrawal && (op.amount == 0 || op.addr == address(0))) return Reason.MALFORMED;
        if (res.newRecipient) {
            if (_held(run.holders, op.addr)) return Reason.ACCOUNT_EXISTS;
            if (run.accountCount >= 1 << ACCOUNT_DEPTH) return Reason.OVERFLOW;
        } else if (!charge.isWithdrawal && op.to != op.from) {
            Account memory r = res.recipient;
            // The fee recipient is credited first: a recipient that is also the fee recipient gets both.
            uint256 feeToo = !res.hasToken && op.to == h.feeRecipient ? charge.fee : 0;
            uint256 held = res.hasToken ? r.tokenBalances[_token(r, op.tokenId)] : r.balance;
            if (held > type(uint256).max - feeToo || op.amount > type(uint256).max - held - feeToo) return Reason.OVERFLOW;
        }
        if (h.feeRecipient != op.from && charge.fee > type(uint256).max - _feeRecipient(run, h).balance) return Reason.OVERFLOW;
        // 8-byte fields: unreachable in practice, defined so that both sides agree on every state.
        if (sender.nonce == type(uint64).max) return Reason.OVERFLOW;
        if (charge.isWithdrawal && run.withdrawalCount >= type(uint64).max) return Reason.OVERFLOW;
        return Reason.NONE;
    }

    /// @dev The commitment's fee recipient, looked up once.
    function _feeRecipient(Run memory run, Header memory h) private pure returns (Account memory a) {
        if (!h.feeRecipientFound) {
            h.feeAccount = _find(run, h.feeRecipient);
            h.feeRecipientFound = true;
        }
        return h.feeAccount;
    }

    /// @dev The effects, in the order src/core applies them.
    function _effects(Run memory run, Header memory h, Op memory op, Account memory sender, Resolved memory res, Charge memory charge)
        private
        pure
    {
        sender.nonce += 1;
        sender.balance -= charge.fee + charge.ethOut;
        _feeRecipient(run, h).balance += charge.fee;
        if (charge.isWithdrawal) {
            if (res.hasToken) sender.tokenBalances[_token(sender, op.tokenId)] -= op.amount;
            run.withdrawals[run.withdrawalsLength++] = Hashing.withdrawalLeaf(
                Types.Withdrawal({
                    id: uint64(run.withdrawalCount),
                    l2Sender: sender.addr,
                    l1Recipient: op.addr,
                    l1Token: res.l1Token,
                    amount: op.amount
                })
            );
            run.withdrawalCount++;
            return;
        }
        Account memory recipient = res.newRecipient ? _create(run, op.addr) : res.recipient;
        if (res.hasToken) {
            sender.tokenBalances[_token(sender, op.tokenId)] -= op.amount;
            recipient.tokenBalances[_token(recipient, op.tokenId)] += op.amount;
        } else {
            recipient.balance += op.amount;
        }
    }

    /// @dev Position of token `tokenId` in the run's token cache, resolving it on first use: its
    ///      L1 address read from the Bridge (one call per token per proof) and its L2 address.
    ///      A linear scan: a commitment names at most MAX_OPS distinct tokens.
    function _tokenSlot(Run memory run, uint24 tokenId, address bridge) private view returns (uint256 k) {
        if (run.tokenIds.length == 0) {
            run.tokenIds = new uint256[](MAX_OPS);
            run.l1Tokens = new address[](MAX_OPS);
            run.l2Tokens = new address[](MAX_OPS);
        }
        uint256 known = run.tokensKnown;
        for (k = 0; k < known; k++) {
            if (run.tokenIds[k] == tokenId) return k;
        }
        // Each operation resolves at most one token, so `known` < MAX_OPS here.
        address l1Token = IBridge(bridge).tokenAt(tokenId);
        run.tokenIds[k] = tokenId;
        run.l1Tokens[k] = l1Token;
        run.l2Tokens[k] = Hashing.l2TokenAddress(l1Token);
        run.tokensKnown = known + 1;
    }

    /// @dev The L1 address of token `tokenId`.
    function _l1Token(Run memory run, uint24 tokenId, address bridge) private view returns (address) {
        // The slot first: `run.l1Tokens[...]` would read the array before the lookup allocates it.
        uint256 k = _tokenSlot(run, tokenId, bridge);
        return run.l1Tokens[k];
    }

    /// @dev What the sender signed: recipient, value and calldata rebuilt from the packed fields.
    function _resolve(Run memory run, Op memory op, address bridge) private view returns (Reason, Resolved memory res) {
        uint8 k = op.kind;
        address l2Token;
        if (k == OP_TOKEN || k == OP_TOKEN_NEW || k == OP_WITHDRAW_TOKEN) {
            if (op.tokenId >= run.tokenCount) return (Reason.UNKNOWN_TOKEN, res);
            res.hasToken = true;
            // One lookup for both addresses.
            uint256 slot = _tokenSlot(run, op.tokenId, bridge);
            res.l1Token = run.l1Tokens[slot];
            l2Token = run.l2Tokens[slot];
        }
        address recipient = op.addr;
        if (k == OP_ETH || k == OP_TOKEN) {
            if (op.to >= run.accountCount) return (Reason.UNKNOWN_ACCOUNT, res);
            res.recipient = _find(run, op.to);
            recipient = res.recipient.addr;
        }
        res.newRecipient = k == OP_ETH_NEW || k == OP_TOKEN_NEW;
        if (k == OP_ETH || k == OP_ETH_NEW) {
            res.to = recipient;
            res.value = op.amount;
        } else if (k == OP_TOKEN || k == OP_TOKEN_NEW) {
            res.to = l2Token;
            res.data = abi.encodeWithSelector(0xa9059cbb, recipient, op.amount);
        } else {
            res.to = WITHDRAWAL_PREDEPLOY;
            res.data = abi.encodeWithSelector(0xd9caed12, op.addr, l2Token, op.amount);
        }
        return (Reason.NONE, res);
    }

    function _signedBy(TxHashing.Fee memory fee, uint256 chainId, Account memory sender, Resolved memory res, Op memory op)
        private
        pure
        returns (bool)
    {
        uint256 r = uint256(op.r);
        uint256 s = uint256(op.s);
        // Ethereum accepts only canonical signatures: r in range, s in the lower half (EIP-2).
        if (r == 0 || r >= SECP256K1_N || s == 0 || s > SECP256K1_N / 2) return false;
        bytes32 digest = TxHashing.signingHash(fee, chainId, sender.nonce, res.to, res.value, res.data);
        address signer = ecrecover(digest, 27 + op.yParity, op.r, op.s);
        // ecrecover's failure value is address(0), which is account 0's address: never a signer.
        return signer != address(0) && signer == sender.addr;
    }

    /// @dev min(maxFee, baseFee + maxPriority), compared without forming the sum (it may pass
    ///      2^256; src/core's bigint sum does not wrap).
    function _effectiveGasPrice(TxHashing.Fee memory f, uint256 baseFee) private pure returns (bool, uint256) {
        if (f.maxFee < baseFee) return (false, 0);
        if (f.txType == 0) return (true, f.maxFee);
        if (f.maxPriority > f.maxFee) return (false, 0);
        // maxFee ≥ baseFee, so the subtraction cannot underflow; below it the sum is below maxFee.
        if (f.maxPriority < f.maxFee - baseFee) return (true, baseFee + f.maxPriority);
        return (true, f.maxFee);
    }

    /// @dev balance ≥ gasLimit × maxFee + value, without overflowing (src/core uses bigints).
    function _covers(uint256 balance, uint256 gasLimit, uint256 maxFee, uint256 value) private pure returns (bool) {
        if (gasLimit != 0 && maxFee > type(uint256).max / gasLimit) return false;
        uint256 gasCost = gasLimit * maxFee;
        if (gasCost > type(uint256).max - value) return false;
        return balance >= gasCost + value;
    }

    function _executionGas(uint8 kind) private pure returns (uint256) {
        if (kind == OP_ETH || kind == OP_ETH_NEW) return GAS_ETH_TRANSFER;
        if (kind == OP_TOKEN || kind == OP_TOKEN_NEW) return GAS_TOKEN_TRANSFER;
        return GAS_WITHDRAWAL;
    }

    // ---------------------------------------------------------------------------------------
    // Decoding (src/core/commitment.ts and ops.ts); never reverts: bad bytes are fraud
    // ---------------------------------------------------------------------------------------

    function _decode(bytes calldata b) private pure returns (bool, Header memory h, Op[] memory ops) {
        Cursor memory c;
        h.postStateRoot = bytes32(_uintN(b, c, 32));
        uint256 flags = _uintN(b, c, 1);
        // Bit 0: a withdrawal root follows; bits 1-5: the width of every account index; bits 6-7:
        // the token width class (8, 16 or 24 bits a token id; class 3 is undefined).
        uint256 indexBits = (flags >> 1) & 0x1f;
        uint256 tokenClass = flags >> 6;
        if (indexBits > ACCOUNT_DEPTH || tokenClass > 2) return (false, h, ops);
        h.hasWithdrawals = flags & 1 == 1;
        if (h.hasWithdrawals) h.withdrawalRoot = bytes32(_uintN(b, c, 32));
        _uintN(b, c, 5); // timestamp: informational on L1
        h.baseFee = _amount(b, c);
        h.feeRecipient = _varint(b, c);
        uint256 feeCount = _uintN(b, c, 1);
        if (c.bad || feeCount > MAX_FEES) return (false, h, ops);
        h.fees = new TxHashing.Fee[](feeCount);
        for (uint256 i = 0; i < feeCount; i++) {
            uint8 t = uint8(_uintN(b, c, 1));
            // Read field by field: Solidity does not fix the evaluation order of arguments.
            TxHashing.Fee memory f = h.fees[i];
            f.txType = t;
            if (t == 2) {
                f.maxPriority = _amount(b, c);
                f.maxFee = _amount(b, c);
            } else if (t == 0) {
                f.maxFee = _amount(b, c);
            } else {
                return (false, h, ops);
            }
            f.gasLimit = _amount(b, c);
        }
        uint256 feeBits = _bitLength(feeCount > 0 ? feeCount - 1 : 0);
        uint256 opCount = _uintN(b, c, 1);
        if (c.bad || opCount > MAX_OPS) return (false, h, ops);
        ops = new Op[](opCount);
        uint256 maxIndex;
        uint256 maxTokenId;
        for (uint256 i = 0; i < opCount; i++) {
            Op memory op = ops[i];
            if (!_decodeOp(b, c, op, indexBits, feeBits, 8 * (tokenClass + 1))) return (false, h, ops);
            // Indices and token ids an operation does not write are zero.
            if (op.from > maxIndex) maxIndex = op.from;
            if (op.to > maxIndex) maxIndex = op.to;
            if (op.tokenId > maxTokenId) maxTokenId = op.tokenId;
        }
        // A wider index or token class than the operations need, or another fee list, would be
        // a second encoding of the commitment.
        return (
            !c.bad && c.at == b.length && _bitLength(maxIndex) == indexBits && _tokenClass(maxTokenId) == tokenClass
                && _canonicalFees(h.fees, ops),
            h,
            ops
        );
    }

    /// @dev The fee list's one spelling (src/core/commitment.ts checkFeeList): distinct tuples,
    ///      in the order operations first use them, every one used. At most 32 entries: the
    ///      pairwise comparison is bounded (496 pairs).
    function _canonicalFees(TxHashing.Fee[] memory fees, Op[] memory ops) private pure returns (bool) {
        uint256 listed;
        for (uint256 i = 0; i < ops.length; i++) {
            if (ops[i].kind == OP_QUEUE) continue;
            uint256 x = ops[i].x;
            if (x > listed) return false;
            if (x == listed) listed++;
        }
        if (listed != fees.length) return false;
        for (uint256 i = 0; i < fees.length; i++) {
            for (uint256 j = i + 1; j < fees.length; j++) {
                TxHashing.Fee memory a = fees[i];
                TxHashing.Fee memory b = fees[j];
                if (a.txType == b.txType && a.maxPriority == b.maxPriority && a.maxFee == b.maxFee && a.gasLimit == b.gasLimit) return false;
            }
        }
        return true;
    }

    /// @dev An operation (src/core/ops.ts): a head of bit fields padded to whole bytes, then the
    ///      byte fields. `size` is what its gas charges: its standalone byte-aligned form.
    function _decodeOp(bytes calldata b, Cursor memory c, Op memory op, uint256 indexBits, uint256 feeBits, uint256 tokenBits)
        private
        pure
        returns (bool)
    {
        uint256 at = c.at;
        if (c.bad || at >= b.length) return false;
        uint256 head;
        assembly ("memory-safe") {
            head := calldataload(add(b.offset, at))
        }
        op.kind = uint8(head >> 253);
        uint256 used = 3;
        if (op.kind == OP_QUEUE) {
            op.x = uint8(_field(head, used, 2));
            used += 2;
            if (op.x == 2) {
                op.to = _field(head, used, indexBits);
                used += indexBits;
            } else if (op.x > 2) {
                return false;
            }
            return _endHead(b, c, head, used);
        }
        if (op.kind > OP_WITHDRAW_TOKEN) return false;
        op.x = uint8(_field(head, used, feeBits));
        used += feeBits;
        op.from = _field(head, used, indexBits);
        used += indexBits;
        bool hasToken = op.kind == OP_TOKEN || op.kind == OP_TOKEN_NEW || op.kind == OP_WITHDRAW_TOKEN;
        if (hasToken) {
            // tokenBits ≤ 24: the cast is exact.
            op.tokenId = uint24(_field(head, used, tokenBits));
            used += tokenBits;
        }
        bool byIndex = op.kind == OP_ETH || op.kind == OP_TOKEN;
        if (byIndex) {
            op.to = _field(head, used, indexBits);
            used += indexBits;
        }
        uint256 amountHead = _field(head, used, 8);
        if (!_endHead(b, c, head, used + 8)) return false;
        uint256 recipientSize = 20;
        if (byIndex) recipientSize = _varintSize(op.to);
        else op.addr = address(uint160(_uintN(b, c, 20)));
        uint256 amountSize;
        (op.amount, amountSize) = _amountRest(b, c, amountHead);
        op.r = bytes32(_uintN(b, c, 32));
        uint256 vs = _uintN(b, c, 32);
        op.yParity = uint8(vs >> 255);
        op.s = bytes32(vs & ((1 << 255) - 1));
        // A token id is charged the bytes of its own class (src/core/ops.ts chargedSize): the
        // commitment's class is not known when the operation executes.
        op.size = 1 + _varintSize(op.from) + (hasToken ? _tokenClass(op.tokenId) + 1 : 0) + recipientSize + amountSize + 64;
        return !c.bad;
    }

    /// @dev `n` bits of `head` after the first `used` (a shift by 256 gives 0, so n may be 0).
    function _field(uint256 head, uint256 used, uint256 n) private pure returns (uint256) {
        return (head << used) >> (256 - n);
    }

    /// @dev Moves past a head of `used` bits: whole bytes inside the body, zero padding.
    function _endHead(bytes calldata b, Cursor memory c, uint256 head, uint256 used) private pure returns (bool) {
        uint256 length = (used + 7) / 8;
        if (c.at + length > b.length || _field(head, used, length * 8 - used) != 0) {
            c.bad = true;
            return false;
        }
        c.at += length;
        return true;
    }

    /// @dev Big-endian unsigned integer of `n` bytes (n ≤ 32); marks the cursor bad past the end.
    function _uintN(bytes calldata b, Cursor memory c, uint256 n) private pure returns (uint256 v) {
        uint256 at = c.at;
        if (c.bad || at + n > b.length) {
            c.bad = true;
            return 0;
        }
        assembly ("memory-safe") {
            v := shr(mul(8, sub(32, n)), calldataload(add(b.offset, at)))
        }
        c.at = at + n;
    }

    /// @dev The fee recipient's index: unsigned LEB128, at most 4 bytes (src/core/bytes.ts), in
    ///      its canonical form (no zero last group after others: one spelling per commitment).
    function _varint(bytes calldata b, Cursor memory c) private pure returns (uint256 v) {
        for (uint256 i = 0; i < 4; i++) {
            uint256 x = _uintN(b, c, 1);
            if (c.bad) return 0;
            v |= (x & 0x7f) << (7 * i);
            if (x & 0x80 == 0) {
                if (i > 0 && x == 0) c.bad = true;
                return v;
            }
        }
        c.bad = true;
        return 0;
    }

    function _varintSize(uint256 v) private pure returns (uint256 n) {
        for (n = 1; v >= 0x80; n++) v >>= 7;
    }

    function _bitLength(uint256 v) private pure returns (uint256 n) {
        for (; v >> n != 0; n++) {}
    }

    /// @dev The token width class of a token id (src/core/ops.ts tokenClass): 0 below 2^8, 1
    ///      below 2^16, else 2.
    function _tokenClass(uint256 tokenId) private pure returns (uint256) {
        return tokenId < 1 << 8 ? 0 : tokenId < 1 << 16 ? 1 : 2;
    }

    /// @dev The amount codec of src/core/amount.ts, canonical form only.
    function _amount(bytes calldata b, Cursor memory c) private pure returns (uint256 value) {
        (value,) = _amountRest(b, c, _uintN(b, c, 1));
    }

    /// @dev What follows an amount's head byte; `size` counts the head byte too. One spelling per
    ///      value (src/core/amount.ts re-encodes and compares; these are the same rules field by
    ///      field): the escape only for mantissas of 7 to 32 bytes, no leading zero byte, zero as
    ///      head 0, and no trailing decimal zero in the mantissa below exponent 31.
    function _amountRest(bytes calldata b, Cursor memory c, uint256 head) private pure returns (uint256, uint256 size) {
        uint256 len = head >> 5;
        uint256 exp = head & 31;
        size = 1 + len;
        if (len == 7) {
            len = _uintN(b, c, 1);
            if (len < 7 || len > 32) c.bad = true;
            size = 2 + len;
        }
        if (c.bad) return (0, 0);
        uint256 at = c.at;
        uint256 mantissa = _uintN(b, c, len);
        if (c.bad) return (0, 0);
        bool leadingZero = len > 0 && uint8(b[at]) == 0;
        bool trailingZero = mantissa == 0 ? exp != 0 : (mantissa % 10 == 0 && exp < 31);
        // exp ≤ 31: 10^31 < 2^256.
        uint256 scale = 10 ** exp;
        if (leadingZero || trailingZero || mantissa > type(uint256).max / scale) {
            c.bad = true;
            return (0, 0);
        }
        return (mantissa * scale, size);
    }

    // ---------------------------------------------------------------------------------------
    // Hashes (src/core/hashing.ts)
    // ---------------------------------------------------------------------------------------

    function _accountLeaf(address addr, uint64 nonce, uint256 bal, bytes32 tokenRoot) private pure returns (bytes32 h) {
        // keccak256(abi.encodePacked(addr, nonce, balance, tokenRoot)), hashed in scratch memory.
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, shl(96, addr))
            mstore(add(p, 20), shl(192, nonce))
            mstore(add(p, 28), bal)
            mstore(add(p, 60), tokenRoot)
            h := keccak256(p, 92)
        }
    }

    function _stateRoot(bytes32 accountsRoot, uint256 accountCount, uint256 queueIndex, uint256 withdrawalCount, uint256 tokenCount)
        private
        pure
        returns (bytes32)
    {
        return keccak256(
            abi.encodePacked(accountsRoot, uint64(accountCount), uint64(queueIndex), uint64(withdrawalCount), uint64(tokenCount))
        );
    }


}
