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
    uint256 private constant TOKEN_DEPTH = 8;
    uint256 private constant MAX_OPS = 64;
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
        uint8[] tokenIds;
        uint256[] tokenBalances;
    }

    struct Op {
        uint8 kind;
        uint8 x; // fee index, or the queue credit mode
        uint256 from;
        uint256 to; // recipient index, or credited index
        address addr; // new recipient, or L1 recipient
        uint8 tokenId;
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
    }

    struct Run {
        Account[] accounts;
        uint256 accountCount;
        uint256 queueIndex;
        uint256 withdrawalCount;
        uint256 tokenCount;
        bytes32[] withdrawals;
        uint256 withdrawalsLength;
        uint256 width;
    }

    struct Cursor {
        uint256 at;
        bool bad;
    }

    /// @inheritdoc IFraudVerifier
    function verify(bytes calldata body, Witness calldata witness, Context calldata context)
        external
        view
        returns (FraudKind, Reason, uint256)
    {
        bytes32 preRoot = _stateRoot(
            witness.pre.accountsRoot,
            witness.pre.accountCount,
            witness.pre.queueIndex,
            witness.pre.withdrawalCount,
            witness.pre.tokenCount
        );
        if (preRoot != context.preStateRoot) revert FraudWitnessPreStateMismatch(context.preStateRoot, preRoot);

        Run memory run = _loadWitness(witness);
        (bool ok, Header memory header, Op[] memory ops) = _decode(body, run.width);
        if (!ok) return (FraudKind.MALFORMED, Reason.NONE, 0);

        for (uint256 i = 0; i < ops.length; i++) {
            Reason reason =
                ops[i].kind == OP_QUEUE ? _applyQueue(run, ops[i], witness, context) : _applySigned(run, header, ops[i], context);
            if (reason != Reason.NONE) return (FraudKind.INVALID_OPERATION, reason, i);
        }

        bytes32 withdrawalRoot = MerkleLib.sortedRoot(run.withdrawals, run.withdrawalsLength);
        if (withdrawalRoot != (header.hasWithdrawals ? header.withdrawalRoot : bytes32(0))) {
            return (FraudKind.WRONG_WITHDRAWAL_ROOT, Reason.NONE, 0);
        }
        bytes32 postRoot = _stateRoot(_accountsRoot(run, witness), run.accountCount, run.queueIndex, run.withdrawalCount, run.tokenCount);
        if (postRoot != header.postStateRoot) return (FraudKind.WRONG_POST_STATE, Reason.NONE, 0);
        if (context.lastInBatch && run.queueIndex != context.queueLimit) return (FraudKind.QUEUE_COUNT_MISMATCH, Reason.NONE, 0);
        return (FraudKind.NONE, Reason.NONE, 0);
    }

    // ---------------------------------------------------------------------------------------
    // Witness
    // ---------------------------------------------------------------------------------------

    /// @dev Checks every witnessed leaf and token balance against the pre-state and copies them
    ///      into memory for the replay.
    function _loadWitness(Witness calldata w) private pure returns (Run memory run) {
        uint256 n = w.accounts.length;
        run.accounts = new Account[](n);
        run.accountCount = w.pre.accountCount;
        run.queueIndex = w.pre.queueIndex;
        run.withdrawalCount = w.pre.withdrawalCount;
        run.tokenCount = w.pre.tokenCount;
        run.withdrawals = new bytes32[](MAX_OPS);
        run.width = _indexWidth(w.pre.accountCount);
        if (n == 0) return run;

        bytes32[] memory tokenZero = MultiProof.zeroHashes(TOKEN_DEPTH);
        uint256[] memory indices = new uint256[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            AccountWitness calldata a = w.accounts[i];
            // An index below the account count holds an account; one at or above it is empty.
            if (a.empty != (a.index >= w.pre.accountCount)) revert FraudWitnessInconsistent(a.index);
            indices[i] = a.index;
            bytes32 tokenRoot = a.empty ? tokenZero[TOKEN_DEPTH] : a.tokenRoot;
            if (a.tokenIds.length > 0) {
                bytes32 computed = _tokenRoot(a.tokenIds, a.tokenBalances, a.tokenProof, a.tokenZeroFlags, tokenZero);
                if (computed != tokenRoot || (a.empty && _anyNonZero(a.tokenBalances))) revert FraudWitnessTokensMismatch(a.index);
            }
            leaves[i] = a.empty ? bytes32(0) : _accountLeaf(a.addr, a.nonce, a.balance, a.tokenRoot);
            run.accounts[i] = Account({
                index: a.index,
                exists: !a.empty,
                addr: a.empty ? address(0) : a.addr,
                nonce: a.empty ? 0 : a.nonce,
                balance: a.empty ? 0 : a.balance,
                tokenIds: a.tokenIds,
                tokenBalances: a.tokenBalances
            });
        }
        bytes32 root =
            MultiProof.root(ACCOUNT_DEPTH, indices, leaves, w.accountProof, w.accountZeroFlags, MultiProof.zeroHashes(ACCOUNT_DEPTH));
        if (root != w.pre.accountsRoot) revert FraudWitnessAccountsMismatch(w.pre.accountsRoot, root);
    }

    /// @dev The post-state account root: the same sibling hashes, the replayed leaves.
    function _accountsRoot(Run memory run, Witness calldata w) private pure returns (bytes32) {
        uint256 n = run.accounts.length;
        if (n == 0) return w.pre.accountsRoot;
        bytes32[] memory tokenZero = MultiProof.zeroHashes(TOKEN_DEPTH);
        uint256[] memory indices = new uint256[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            Account memory a = run.accounts[i];
            AccountWitness calldata aw = w.accounts[i];
            indices[i] = a.index;
            if (!a.exists) continue;
            bytes32 tokenRoot = aw.empty ? tokenZero[TOKEN_DEPTH] : aw.tokenRoot;
            if (a.tokenIds.length > 0) {
                tokenRoot = _tokenRoot(a.tokenIds, a.tokenBalances, aw.tokenProof, aw.tokenZeroFlags, tokenZero);
            }
            leaves[i] = _accountLeaf(a.addr, a.nonce, a.balance, tokenRoot);
        }
        return MultiProof.root(ACCOUNT_DEPTH, indices, leaves, w.accountProof, w.accountZeroFlags, MultiProof.zeroHashes(ACCOUNT_DEPTH));
    }

    function _tokenRoot(
        uint8[] memory ids,
        uint256[] memory balances,
        bytes32[] calldata proof,
        bytes calldata flags,
        bytes32[] memory zero
    ) private pure returns (bytes32) {
        if (ids.length != balances.length) revert MultiProof.MultiProofBadIndices();
        uint256[] memory indices = new uint256[](ids.length);
        bytes32[] memory leaves = new bytes32[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            indices[i] = ids[i];
            leaves[i] = bytes32(balances[i]);
        }
        return MultiProof.root(TOKEN_DEPTH, indices, leaves, proof, flags, zero);
    }

    function _find(Run memory run, uint256 index) private pure returns (Account memory) {
        uint256 lo = 0;
        uint256 hi = run.accounts.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            uint256 at = run.accounts[mid].index;
            if (at == index) return run.accounts[mid];
            if (at < index) lo = mid + 1;
            else hi = mid;
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

    /// @dev The witnessed account holding `addr`, if any (an account that exists, or was created
    ///      earlier in this commitment).
    function _holder(Run memory run, address addr) private pure returns (bool found, uint256 index) {
        for (uint256 i = 0; i < run.accounts.length; i++) {
            if (run.accounts[i].exists && run.accounts[i].addr == addr) return (true, run.accounts[i].index);
        }
        return (false, 0);
    }

    /// @dev Creates the account of `addr` at the next index, which must be witnessed empty.
    function _create(Run memory run, address addr) private pure returns (Account memory a) {
        a = _find(run, run.accountCount);
        if (a.exists) revert FraudWitnessInconsistent(a.index);
        a.exists = true;
        a.addr = addr;
        run.accountCount++;
    }

    // ---------------------------------------------------------------------------------------
    // Queue operations
    // ---------------------------------------------------------------------------------------

    function _applyQueue(Run memory run, Op memory op, Witness calldata w, Context calldata c) private view returns (Reason) {
        if (run.queueIndex >= c.queueLimit) return Reason.QUEUE_EMPTY;
        QueueWitness calldata e = _queueEntry(run.queueIndex, w, c.bridge);
        if (e.kind == uint8(Types.QueueKind.TOKEN_REGISTRATION)) {
            if (op.x != 0) return Reason.MALFORMED;
            if (e.tokenId != run.tokenCount) return Reason.MALFORMED;
            run.tokenCount++;
            run.queueIndex++;
            return Reason.NONE;
        }
        if (e.kind == uint8(Types.QueueKind.TOKEN_DEPOSIT) && e.tokenId >= run.tokenCount) return Reason.UNKNOWN_TOKEN;
        Account memory a;
        if (op.x == 2) {
            if (op.to >= run.accountCount) return Reason.UNKNOWN_ACCOUNT;
            a = _find(run, op.to);
            if (a.addr != e.account) return Reason.MALFORMED;
        } else if (op.x == 1) {
            (bool exists,) = _holder(run, e.account);
            if (exists) return Reason.ACCOUNT_EXISTS;
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

    /// @dev The witnessed entry at queue position `index`, authenticated by the Bridge's running hash.
    function _queueEntry(uint256 index, Witness calldata w, address bridge) private view returns (QueueWitness calldata e) {
        uint256 k = index - w.pre.queueIndex;
        if (k >= w.queue.length) revert FraudWitnessBadQueueEntry(index);
        e = w.queue[k];
        bytes32 previous = index == 0 ? bytes32(0) : IBridge(bridge).queueAccumulator(index - 1);
        bytes32 stored = IBridge(bridge).queueAccumulator(index);
        if (e.kind > uint8(Types.QueueKind.TOKEN_REGISTRATION)) revert FraudWitnessBadQueueEntry(index);
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

    /// @dev The checks after the signature, in src/core's order.
    function _checkFunds(Run memory run, Header memory h, Op memory op, Account memory sender, Resolved memory res, Charge memory charge)
        private
        pure
        returns (Reason)
    {
        TxHashing.Fee memory fee = h.fees[op.x];
        if (h.feeRecipient >= run.accountCount) return Reason.UNKNOWN_ACCOUNT;
        (bool priced, uint256 price) = _effectiveGasPrice(fee, h.baseFee);
        if (!priced) return Reason.FEE_TOO_LOW;
        uint256 gasUsed = _executionGas(op.kind) + GAS_PER_BYTE * op.size;
        if (fee.gasLimit < gasUsed) return Reason.GAS_LIMIT_TOO_LOW;
        charge.fee = gasUsed * price;
        charge.ethOut = (op.kind == OP_ETH || op.kind == OP_ETH_NEW || op.kind == OP_WITHDRAW_ETH) ? op.amount : 0;
        if (!_covers(sender.balance, fee.gasLimit, fee.maxFee, charge.ethOut)) return Reason.INSUFFICIENT_FUNDS;
        if (res.hasToken && sender.tokenBalances[_token(sender, op.tokenId)] < op.amount) return Reason.INSUFFICIENT_FUNDS;
        charge.isWithdrawal = op.kind == OP_WITHDRAW_ETH || op.kind == OP_WITHDRAW_TOKEN;
        if (charge.isWithdrawal && (op.amount == 0 || op.addr == address(0))) return Reason.MALFORMED;
        if (res.newRecipient) {
            (bool exists,) = _holder(run, op.addr);
            if (exists) return Reason.ACCOUNT_EXISTS;
            if (run.accountCount >= 1 << ACCOUNT_DEPTH) return Reason.OVERFLOW;
        } else if (!charge.isWithdrawal && op.to != op.from) {
            Account memory r = _find(run, op.to);
            uint256 held = res.hasToken ? r.tokenBalances[_token(r, op.tokenId)] : r.balance;
            if (op.amount > type(uint256).max - held) return Reason.OVERFLOW;
        }
        return Reason.NONE;
    }

    /// @dev The effects, in the order src/core applies them.
    function _effects(Run memory run, Header memory h, Op memory op, Account memory sender, Resolved memory res, Charge memory charge)
        private
        pure
    {
        sender.nonce += 1;
        sender.balance -= charge.fee + charge.ethOut;
        _find(run, h.feeRecipient).balance += charge.fee;
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
        Account memory recipient = res.newRecipient ? _create(run, op.addr) : _find(run, op.to);
        if (res.hasToken) {
            sender.tokenBalances[_token(sender, op.tokenId)] -= op.amount;
            recipient.tokenBalances[_token(recipient, op.tokenId)] += op.amount;
        } else {
            recipient.balance += op.amount;
        }
    }

    /// @dev What the sender signed: recipient, value and calldata rebuilt from the packed fields.
    function _resolve(Run memory run, Op memory op, address bridge) private view returns (Reason, Resolved memory res) {
        uint8 k = op.kind;
        if (k == OP_TOKEN || k == OP_TOKEN_NEW || k == OP_WITHDRAW_TOKEN) {
            if (op.tokenId >= run.tokenCount) return (Reason.UNKNOWN_TOKEN, res);
            res.hasToken = true;
            res.l1Token = IBridge(bridge).tokenAt(op.tokenId);
        }
        address recipient = op.addr;
        if (k == OP_ETH || k == OP_TOKEN) {
            if (op.to >= run.accountCount) return (Reason.UNKNOWN_ACCOUNT, res);
            recipient = _find(run, op.to).addr;
        }
        res.newRecipient = k == OP_ETH_NEW || k == OP_TOKEN_NEW;
        if (k == OP_ETH || k == OP_ETH_NEW) {
            res.to = recipient;
            res.value = op.amount;
        } else if (k == OP_TOKEN || k == OP_TOKEN_NEW) {
            res.to = Hashing.l2TokenAddress(res.l1Token);
            res.data = abi.encodeWithSelector(0xa9059cbb, recipient, op.amount);
        } else {
            res.to = WITHDRAWAL_PREDEPLOY;
            address l2Token = res.hasToken ? Hashing.l2TokenAddress(res.l1Token) : address(0);
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

    function _effectiveGasPrice(TxHashing.Fee memory f, uint256 baseFee) private pure returns (bool, uint256) {
        if (f.maxFee < baseFee) return (false, 0);
        if (f.txType == 0) return (true, f.maxFee);
        if (f.maxPriority > f.maxFee) return (false, 0);
        uint256 withTip = baseFee + f.maxPriority;
        return (true, withTip < f.maxFee ? withTip : f.maxFee);
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

    function _decode(bytes calldata b, uint256 width) private pure returns (bool, Header memory h, Op[] memory ops) {
        Cursor memory c;
        h.postStateRoot = bytes32(_uintN(b, c, 32));
        uint256 flags = _uintN(b, c, 1);
        if (flags > 1) return (false, h, ops);
        h.hasWithdrawals = flags == 1;
        if (h.hasWithdrawals) h.withdrawalRoot = bytes32(_uintN(b, c, 32));
        _uintN(b, c, 5); // timestamp: informational on L1
        h.baseFee = _amount(b, c);
        h.feeRecipient = _uintN(b, c, width);
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
        uint256 opCount = _uintN(b, c, 1);
        if (c.bad || opCount > MAX_OPS) return (false, h, ops);
        ops = new Op[](opCount);
        for (uint256 i = 0; i < opCount; i++) {
            if (!_decodeOp(b, c, width, ops[i])) return (false, h, ops);
        }
        return (!c.bad && c.at == b.length, h, ops);
    }

    function _decodeOp(bytes calldata b, Cursor memory c, uint256 width, Op memory op) private pure returns (bool) {
        uint256 start = c.at;
        uint256 head = _uintN(b, c, 1);
        op.kind = uint8(head >> 5);
        op.x = uint8(head & 31);
        if (op.kind == OP_QUEUE) {
            if (op.x == 2) op.to = _uintN(b, c, width);
            else if (op.x > 2) return false;
            return !c.bad;
        }
        if (op.kind > OP_WITHDRAW_TOKEN) return false;
        op.from = _uintN(b, c, width);
        if (op.kind == OP_TOKEN || op.kind == OP_TOKEN_NEW || op.kind == OP_WITHDRAW_TOKEN) op.tokenId = uint8(_uintN(b, c, 1));
        if (op.kind == OP_ETH || op.kind == OP_TOKEN) op.to = _uintN(b, c, width);
        else op.addr = address(uint160(_uintN(b, c, 20)));
        op.amount = _amount(b, c);
        op.r = bytes32(_uintN(b, c, 32));
        uint256 vs = _uintN(b, c, 32);
        op.yParity = uint8(vs >> 255);
        op.s = bytes32(vs & ((1 << 255) - 1));
        op.size = c.at - start;
        return !c.bad;
    }

    /// @dev Big-endian unsigned integer of `n` bytes (n ≤ 32); marks the cursor bad past the end.
    function _uintN(bytes calldata b, Cursor memory c, uint256 n) private pure returns (uint256 v) {
        if (c.bad || c.at + n > b.length) {
            c.bad = true;
            return 0;
        }
        if (n > 0) v = uint256(bytes32(b[c.at:c.at + n])) >> (8 * (32 - n));
        c.at += n;
    }

    /// @dev The amount codec of src/core/amount.ts.
    function _amount(bytes calldata b, Cursor memory c) private pure returns (uint256) {
        uint256 head = _uintN(b, c, 1);
        uint256 len = head >> 5;
        uint256 exp = head & 31;
        if (len == 7) {
            len = _uintN(b, c, 1);
            if (len < 1 || len > 32) c.bad = true;
        }
        if (c.bad) return 0;
        uint256 mantissa = _uintN(b, c, len);
        uint256 scale = 10 ** exp;
        if (mantissa > type(uint256).max / scale) {
            c.bad = true;
            return 0;
        }
        return mantissa * scale;
    }

    // ---------------------------------------------------------------------------------------
    // Hashes (src/core/hashing.ts)
    // ---------------------------------------------------------------------------------------

    function _accountLeaf(address addr, uint64 nonce, uint256 balance, bytes32 tokenRoot) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(addr, nonce, balance, tokenRoot));
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

    /// @dev Bytes per account index: enough for accountCount + MAX_OPS − 1 (src/core/ops.ts).
    function _indexWidth(uint256 accountCount) private pure returns (uint256 width) {
        uint256 maxIndex = accountCount + MAX_OPS - 1;
        width = 1;
        while (width < ACCOUNT_DEPTH / 8 && maxIndex >> (8 * width) != 0) width++;
    }

    function _anyNonZero(uint256[] calldata values) private pure returns (bool) {
        for (uint256 i = 0; i < values.length; i++) {
            if (values[i] != 0) return true;
        }
        return false;
    }
}
