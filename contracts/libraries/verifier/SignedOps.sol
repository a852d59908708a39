// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFraudVerifier} from "../../interfaces/IFraudVerifier.sol";
import {Types} from "../Types.sol";
import {Hashing} from "../Hashing.sol";
import {TxHashing} from "../TxHashing.sol";
import {Constants} from "../Constants.sol";
import {ReplayState} from "./ReplayState.sol";
import {CommitmentDecoder} from "./CommitmentDecoder.sol";

/// @title SignedOps
/// @notice Owns the signed operations of the replay (src/core/execute.ts, the signed kinds of
///         `applyOp`): transfers, withdrawals, ERC-20 approve and transferFrom, and their fees. Rebuilds the transaction the sender
///         signed, checks the signature and every validity rule in src/core's order, and applies
///         the effects. Every check is exact over the full uint256 range (src/core compares
///         unbounded bigints): a proposer's extreme fields yield a verdict, never a panic.
library SignedOps {
    /// @notice What the sender signed, rebuilt from the packed fields.
    struct Resolved {
        address to;
        uint256 value;
        bytes data;
        bool hasToken;
        address l1Token;
        bool newRecipient;
        uint256 recipientAt; // the existing recipient's (or approve's spender's) position in run.accounts
        uint256 ownerAt; // transferFrom's owner's position in run.accounts
        bool isApprove;
        bool isTransferFrom;
    }

    /// @notice What a valid signed operation moves: the fee charged and the ETH leaving the sender.
    struct Charge {
        uint256 fee;
        uint256 ethOut;
        bool isWithdrawal;
    }

    /// @notice Applies a signed operation, or says which rule it breaks.
    /// @param run The replay state.
    /// @param h The commitment's header: its fee list, base fee and fee recipient.
    /// @param op The operation.
    /// @param c What the proof is checked against (the L2 chain id, the Bridge).
    /// @return The rule the operation breaks, or NONE (then the state has changed).
    function applyOp(
        ReplayState.Run memory run,
        CommitmentDecoder.Header memory h,
        CommitmentDecoder.Op memory op,
        IFraudVerifier.Context calldata c
    ) internal view returns (IFraudVerifier.Reason) {
        if (op.from >= run.accountCount) return IFraudVerifier.Reason.UNKNOWN_ACCOUNT;
        ReplayState.Account memory sender = run.accounts[ReplayState.position(run, op.from)];
        if (op.x >= h.fees.length) return IFraudVerifier.Reason.MALFORMED;
        (IFraudVerifier.Reason reason, Resolved memory res) = _resolve(run, op, c.bridge);
        if (reason != IFraudVerifier.Reason.NONE) return reason;
        if (!_signedBy(h.fees[op.x], c.chainId, sender, res, op)) return IFraudVerifier.Reason.BAD_SIGNATURE;
        Charge memory charge;
        reason = _checkFunds(run, h, op, sender, res, charge);
        if (reason != IFraudVerifier.Reason.NONE) return reason;
        _effects(run, op, sender, run.accounts[_feeRecipient(run, h)], res, charge);
        return IFraudVerifier.Reason.NONE;
    }

    /// @notice The checks after the signature, in src/core's order. Nothing here can overflow.
    /// @param run The replay state.
    /// @param h The commitment's header.
    /// @param op The operation.
    /// @param sender The sender's account.
    /// @param res What the sender signed.
    /// @param charge Filled with what the operation moves.
    /// @return The rule the operation breaks, or NONE.
    function _checkFunds(
        ReplayState.Run memory run,
        CommitmentDecoder.Header memory h,
        CommitmentDecoder.Op memory op,
        ReplayState.Account memory sender,
        Resolved memory res,
        Charge memory charge
    ) private pure returns (IFraudVerifier.Reason) {
        TxHashing.Fee memory fee = h.fees[op.x];
        if (h.feeRecipient >= run.accountCount) return IFraudVerifier.Reason.UNKNOWN_ACCOUNT;
        (bool priced, uint256 price) = _effectiveGasPrice(fee, h.baseFee);
        if (!priced) return IFraudVerifier.Reason.FEE_TOO_LOW;
        uint256 gasUsed = _gasUsed(run, op, res);
        if (fee.gasLimit < gasUsed) return IFraudVerifier.Reason.GAS_LIMIT_TOO_LOW;
        bool sendsEth = op.kind == Constants.OP_ETH_TRANSFER || op.kind == Constants.OP_ETH_TRANSFER_NEW
            || op.kind == Constants.OP_WITHDRAW_ETH;
        charge.ethOut = sendsEth ? op.amount : 0;
        if (!_covers(sender.balance, fee.gasLimit, fee.maxFee, charge.ethOut)) return IFraudVerifier.Reason.INSUFFICIENT_FUNDS;
        // gasUsed ≤ gasLimit and price ≤ maxFee, and gasLimit × maxFee fits (it is covered above).
        charge.fee = gasUsed * price;
        if (res.hasToken) {
            IFraudVerifier.Reason tokenReason = _checkTokenCall(run, op, sender, res);
            if (tokenReason != IFraudVerifier.Reason.NONE) return tokenReason;
        }
        charge.isWithdrawal = op.kind == Constants.OP_WITHDRAW_ETH || op.kind == Constants.OP_WITHDRAW_TOKEN;
        if (charge.isWithdrawal && (op.amount == 0 || op.addr == address(0))) return IFraudVerifier.Reason.MALFORMED;
        uint256 payer = res.isTransferFrom ? op.owner : op.from;
        if (res.newRecipient) {
            if (ReplayState.held(run.holders, op.addr)) return IFraudVerifier.Reason.ACCOUNT_EXISTS;
            if (run.accountCount >= 1 << Constants.ACCOUNT_TREE_DEPTH) return IFraudVerifier.Reason.OVERFLOW;
        } else if (!charge.isWithdrawal && !res.isApprove && op.to != payer) {
            ReplayState.Account memory r = run.accounts[res.recipientAt];
            // The fee recipient is credited first: a recipient that is also the fee recipient gets both.
            uint256 feeToo = !res.hasToken && op.to == h.feeRecipient ? charge.fee : 0;
            uint256 held = res.hasToken ? r.tokenBalances[ReplayState.tokenPosition(r, op.tokenId)] : r.balance;
            if (held > type(uint256).max - feeToo || op.amount > type(uint256).max - held - feeToo) return IFraudVerifier.Reason.OVERFLOW;
        }
        if (h.feeRecipient != op.from && charge.fee > type(uint256).max - run.accounts[_feeRecipient(run, h)].balance) {
            return IFraudVerifier.Reason.OVERFLOW;
        }
        // 8-byte fields: unreachable in practice, defined so that both sides agree on every state.
        if (sender.nonce == type(uint64).max) return IFraudVerifier.Reason.OVERFLOW;
        if (charge.isWithdrawal && run.withdrawalCount >= type(uint64).max) return IFraudVerifier.Reason.OVERFLOW;
        return IFraudVerifier.Reason.NONE;
    }

    /// @notice The checks of an ERC-20 call in OpenZeppelin 5's order (src/core/execute.ts
    ///         `checkTokenCall`): a transferFrom's allowance, then the zero addresses the call
    ///         names, then the balance the amount leaves.
    /// @param run The replay state.
    /// @param op The operation.
    /// @param sender The sender's account.
    /// @param res What the sender signed.
    /// @return The rule the call breaks, or NONE.
    function _checkTokenCall(
        ReplayState.Run memory run,
        CommitmentDecoder.Op memory op,
        ReplayState.Account memory sender,
        Resolved memory res
    )
        private
        pure
        returns (IFraudVerifier.Reason)
    {
        if (res.isTransferFrom) {
            ReplayState.Account memory o = run.accounts[res.ownerAt];
            uint256 allowance = o.allowances[ReplayState.allowancePosition(o, ReplayState.allowanceKey(op.tokenId, op.from))];
            if (allowance < op.amount) return IFraudVerifier.Reason.INSUFFICIENT_ALLOWANCE;
            if (o.addr == address(0)) return IFraudVerifier.Reason.MALFORMED;
        }
        // The recipient (or spender): a new one's address is written, an existing one's looked up.
        bool namesRecipient = op.kind != Constants.OP_WITHDRAW_TOKEN;
        if (namesRecipient && (res.newRecipient ? op.addr : run.accounts[res.recipientAt].addr) == address(0)) return IFraudVerifier.Reason.MALFORMED;
        if (res.isApprove) return IFraudVerifier.Reason.NONE;
        ReplayState.Account memory payer = res.isTransferFrom ? run.accounts[res.ownerAt] : sender;
        if (payer.tokenBalances[ReplayState.tokenPosition(payer, op.tokenId)] < op.amount) return IFraudVerifier.Reason.INSUFFICIENT_FUNDS;
        return IFraudVerifier.Reason.NONE;
    }

    /// @notice The commitment's fee recipient, looked up once and kept in the header.
    /// @param run The replay state.
    /// @param h The commitment's header.
    /// @return The fee recipient's position in `run.accounts`.
    function _feeRecipient(ReplayState.Run memory run, CommitmentDecoder.Header memory h)
        private
        pure
        returns (uint256)
    {
        if (!h.feeRecipientFound) {
            h.feeRecipientAt = ReplayState.position(run, h.feeRecipient);
            h.feeRecipientFound = true;
        }
        return h.feeRecipientAt;
    }

    /// @notice The effects of a valid operation, in the order src/core applies them.
    /// @param run The replay state.
    /// @param op The operation.
    /// @param sender The sender's account.
    /// @param feeRecipient The fee recipient's account (the sender's own when it is the sender).
    /// @param res What the sender signed.
    /// @param charge What the operation moves.
    function _effects(
        ReplayState.Run memory run,
        CommitmentDecoder.Op memory op,
        ReplayState.Account memory sender,
        ReplayState.Account memory feeRecipient,
        Resolved memory res,
        Charge memory charge
    ) private pure {
        sender.nonce += 1;
        sender.balance -= charge.fee + charge.ethOut;
        feeRecipient.balance += charge.fee;
        if (charge.isWithdrawal) {
            if (res.hasToken) sender.tokenBalances[ReplayState.tokenPosition(sender, op.tokenId)] -= op.amount;
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
        ReplayState.Account memory recipient = run.accounts[res.newRecipient ? ReplayState.create(run, op.addr) : res.recipientAt];
        if (res.isApprove) {
            sender.allowances[ReplayState.allowancePosition(sender, ReplayState.allowanceKey(op.tokenId, recipient.index))] = op.amount;
            return;
        }
        if (!res.hasToken) {
            recipient.balance += op.amount;
            return;
        }
        ReplayState.Account memory payer = sender;
        if (res.isTransferFrom) {
            payer = run.accounts[res.ownerAt];
            uint256 at = ReplayState.allowancePosition(payer, ReplayState.allowanceKey(op.tokenId, op.from));
            // An infinite allowance is not decreased (OpenZeppelin 5); a finite one covers the amount (checked).
            if (payer.allowances[at] != type(uint256).max) payer.allowances[at] -= op.amount;
        }
        payer.tokenBalances[ReplayState.tokenPosition(payer, op.tokenId)] -= op.amount;
        recipient.tokenBalances[ReplayState.tokenPosition(recipient, op.tokenId)] += op.amount;
    }

    /// @notice What the sender signed: recipient, value and calldata rebuilt from the packed fields.
    /// @param run The replay state.
    /// @param op The operation.
    /// @param bridge The Bridge, for token addresses.
    /// @return The rule the operation breaks (an unknown token or recipient), or NONE.
    /// @return res The rebuilt transaction and what the replay needs of it.
    function _resolve(ReplayState.Run memory run, CommitmentDecoder.Op memory op, address bridge)
        private
        view
        returns (IFraudVerifier.Reason, Resolved memory res)
    {
        uint8 k = op.kind;
        address l2Token;
        res.isApprove = k == Constants.OP_APPROVE || k == Constants.OP_APPROVE_NEW;
        res.isTransferFrom = k == Constants.OP_TRANSFER_FROM || k == Constants.OP_TRANSFER_FROM_NEW;
        if (k == Constants.OP_TOKEN_TRANSFER || k == Constants.OP_TOKEN_TRANSFER_NEW || k == Constants.OP_WITHDRAW_TOKEN || k >= Constants.OP_APPROVE) {
            if (op.tokenId >= run.tokenCount) return (IFraudVerifier.Reason.UNKNOWN_TOKEN, res);
            res.hasToken = true;
            // One lookup for both addresses.
            uint256 slot = ReplayState.tokenSlot(run, op.tokenId, bridge);
            res.l1Token = run.l1Tokens[slot];
            l2Token = run.l2Tokens[slot];
        }
        // src/core resolves the owner before the recipient.
        if (res.isTransferFrom) {
            if (op.owner >= run.accountCount) return (IFraudVerifier.Reason.UNKNOWN_ACCOUNT, res);
            res.ownerAt = ReplayState.position(run, op.owner);
        }
        address recipient = op.addr;
        if (k == Constants.OP_ETH_TRANSFER || k == Constants.OP_TOKEN_TRANSFER || k == Constants.OP_APPROVE || k == Constants.OP_TRANSFER_FROM) {
            if (op.to >= run.accountCount) return (IFraudVerifier.Reason.UNKNOWN_ACCOUNT, res);
            res.recipientAt = ReplayState.position(run, op.to);
            recipient = run.accounts[res.recipientAt].addr;
        }
        res.newRecipient = k == Constants.OP_ETH_TRANSFER_NEW || k == Constants.OP_TOKEN_TRANSFER_NEW || k == Constants.OP_APPROVE_NEW
            || k == Constants.OP_TRANSFER_FROM_NEW;
        if (k == Constants.OP_ETH_TRANSFER || k == Constants.OP_ETH_TRANSFER_NEW) {
            res.to = recipient;
            res.value = op.amount;
        } else if (k == Constants.OP_TOKEN_TRANSFER || k == Constants.OP_TOKEN_TRANSFER_NEW) {
            res.to = l2Token;
            res.data = abi.encodeWithSelector(Constants.SELECTOR_TRANSFER, recipient, op.amount);
        } else if (res.isApprove) {
            res.to = l2Token;
            res.data = abi.encodeWithSelector(Constants.SELECTOR_APPROVE, recipient, op.amount);
        } else if (res.isTransferFrom) {
            res.to = l2Token;
            res.data = abi.encodeWithSelector(Constants.SELECTOR_TRANSFER_FROM, run.accounts[res.ownerAt].addr, recipient, op.amount);
        } else {
            res.to = Constants.WITHDRAWAL_PREDEPLOY;
            res.data = abi.encodeWithSelector(Constants.SELECTOR_WITHDRAW, op.addr, l2Token, op.amount);
        }
        return (IFraudVerifier.Reason.NONE, res);
    }

    /// @notice Whether `sender` signed the transaction `res` describes, with a canonical signature.
    /// @param fee The fee tuple the operation names.
    /// @param chainId The L2 chain id.
    /// @param sender The sender's account (its nonce goes into the hash).
    /// @param res What the sender signed.
    /// @param op The operation, which carries the signature.
    /// @return Whether the signature recovers the sender's address.
    function _signedBy(
        TxHashing.Fee memory fee,
        uint256 chainId,
        ReplayState.Account memory sender,
        Resolved memory res,
        CommitmentDecoder.Op memory op
    ) private pure returns (bool) {
        uint256 r = uint256(op.r);
        uint256 s = uint256(op.s);
        // Ethereum accepts only canonical signatures: r in range, s in the lower half (EIP-2).
        if (r == 0 || r >= Constants.SECP256K1_N || s == 0 || s > Constants.SECP256K1_N / 2) return false;
        bytes32 digest = TxHashing.signingHash(fee, chainId, sender.nonce, res.to, res.value, res.data);
        address signer = ecrecover(digest, 27 + op.yParity, op.r, op.s);
        // ecrecover's failure value is address(0), which is account 0's address: never a signer.
        return signer != address(0) && signer == sender.addr;
    }

    /// @notice min(maxFee, baseFee + maxPriority), compared without forming the sum (it may pass
    ///         2^256; src/core's bigint sum does not wrap).
    /// @param f The fee tuple.
    /// @param baseFee The commitment's base fee.
    /// @return Whether the tuple pays at least the base fee (and, for type 2, is consistent).
    /// @return The gas price charged.
    function _effectiveGasPrice(TxHashing.Fee memory f, uint256 baseFee) private pure returns (bool, uint256) {
        if (f.maxFee < baseFee) return (false, 0);
        if (f.txType == 0) return (true, f.maxFee);
        if (f.maxPriority > f.maxFee) return (false, 0);
        // maxFee ≥ baseFee, so the subtraction cannot underflow; below it the sum is below maxFee.
        if (f.maxPriority < f.maxFee - baseFee) return (true, baseFee + f.maxPriority);
        return (true, f.maxFee);
    }

    /// @notice balance ≥ gasLimit × maxFee + value, without overflowing (src/core uses bigints).
    /// @param balance The sender's ETH balance.
    /// @param gasLimit The fee tuple's gas limit.
    /// @param maxFee The fee tuple's highest gas price.
    /// @param value The ETH the operation sends.
    /// @return Whether the balance covers the most the operation may cost.
    function _covers(uint256 balance, uint256 gasLimit, uint256 maxFee, uint256 value) private pure returns (bool) {
        if (gasLimit != 0 && maxFee > type(uint256).max / gasLimit) return false;
        uint256 gasCost = gasLimit * maxFee;
        if (gasCost > type(uint256).max - value) return false;
        return balance >= gasCost + value;
    }

    /// @notice gasUsed of a signed operation: Ethereum's figure for the same call (src/core/gas.ts).
    ///         A token transfer to an existing account reads the recipient's pre-state balance of
    ///         the token here, where src/core reads it, before any later check can fail.
    ///         An approve reads the allowance it replaces, a transferFrom the allowance it spends.
    /// @param run The replay state (the owner of an approve is the sender, looked up there).
    /// @param op The operation.
    /// @param res What the sender signed (the existing recipient and owner, found once).
    /// @return The gas.
    function _gasUsed(ReplayState.Run memory run, CommitmentDecoder.Op memory op, Resolved memory res) private pure returns (uint256) {
        uint8 kind = op.kind;
        if (kind == Constants.OP_ETH_TRANSFER || kind == Constants.OP_ETH_TRANSFER_NEW) return Constants.GAS_ETH_TRANSFER;
        if (kind == Constants.OP_TOKEN_TRANSFER) {
            ReplayState.Account memory r = run.accounts[res.recipientAt];
            bool holds = r.tokenBalances[ReplayState.tokenPosition(r, op.tokenId)] > 0;
            return holds ? Constants.GAS_TOKEN_TRANSFER : Constants.GAS_TOKEN_TRANSFER_TO_EMPTY;
        }
        if (kind == Constants.OP_TOKEN_TRANSFER_NEW) return Constants.GAS_TOKEN_TRANSFER_TO_EMPTY;
        if (res.isApprove) {
            uint256 prior = 0;
            if (kind == Constants.OP_APPROVE) {
                ReplayState.Account memory o = run.accounts[ReplayState.position(run, op.from)];
                prior = o.allowances[ReplayState.allowancePosition(o, ReplayState.allowanceKey(op.tokenId, op.to))];
            }
            return _approveGas(prior, op.amount);
        }
        if (res.isTransferFrom) {
            ReplayState.Account memory o = run.accounts[res.ownerAt];
            uint256 allowance = o.allowances[ReplayState.allowancePosition(o, ReplayState.allowanceKey(op.tokenId, op.from))];
            bool holds = false;
            if (kind == Constants.OP_TRANSFER_FROM) {
                ReplayState.Account memory r = run.accounts[res.recipientAt];
                holds = r.tokenBalances[ReplayState.tokenPosition(r, op.tokenId)] > 0;
            }
            return _transferFromGas(allowance, op.amount, holds);
        }
        return Constants.GAS_WITHDRAWAL;
    }

    /// @notice gasUsed of `approve` replacing allowance `prior` by `amount` (src/core/gas.ts approveGas).
    /// @param prior The allowance before.
    /// @param amount The allowance approved.
    /// @return The gas.
    function _approveGas(uint256 prior, uint256 amount) private pure returns (uint256) {
        if (amount == prior) return Constants.GAS_APPROVE_UNCHANGED;
        if (prior == 0) return Constants.GAS_APPROVE_FROM_ZERO;
        return amount == 0 ? Constants.GAS_APPROVE_CLEAR : Constants.GAS_APPROVE_CHANGE;
    }

    /// @notice gasUsed of `transferFrom` of `amount` under `allowance` (src/core/gas.ts transferFromGas).
    /// @param allowance The owner's allowance for the signer.
    /// @param amount The amount moved.
    /// @param recipientHolds Whether the recipient holds the token already.
    /// @return The gas.
    function _transferFromGas(uint256 allowance, uint256 amount, bool recipientHolds) private pure returns (uint256) {
        uint256 base = allowance == type(uint256).max
            ? Constants.GAS_TRANSFER_FROM_INFINITE
            : allowance == amount ? Constants.GAS_TRANSFER_FROM_CLEARING : Constants.GAS_TRANSFER_FROM;
        return recipientHolds ? base : base + Constants.GAS_TO_EMPTY_EXTRA;
    }
}
