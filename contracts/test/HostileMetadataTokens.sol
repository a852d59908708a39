// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Working ERC-20 balances under hostile metadata views: the tests register each one,
///         deposit it, and check that the bridge and every follower carry on.
abstract contract HostileMetadataBase is ERC20 {
    constructor() ERC20("", "") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice name() is not UTF-8 (an overlong encoding, a lone continuation byte, a surrogate
///         half); symbol() carries terminal escapes, a right-to-left override and a NUL.
contract InvalidUtf8Token is HostileMetadataBase {
    function name() public pure override returns (string memory) {
        bytes memory raw = hex"ff_fe_c0_af_80_ed_a0_80_41";
        return string(raw);
    }

    function symbol() public pure override returns (string memory) {
        return string(abi.encodePacked(hex"1b5b33316d", "EVIL", hex"e280ae", "DSU", hex"00", "\n"));
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }
}

/// @notice name() builds and returns a `nameLength`-byte string of "€" (3 bytes each), so a cut
///         at 64 bytes falls inside a character; symbol() is 300 kB, more than any view can
///         return within the bridge's gas allowance.
contract HugeMetadataToken is HostileMetadataBase {
    uint256 private immutable _nameLength;

    constructor(uint256 nameLength) {
        _nameLength = nameLength;
    }

    function name() public view override returns (string memory) {
        return _euros(_nameLength);
    }

    function symbol() public pure override returns (string memory) {
        return _euros(300_000);
    }

    /// @dev Word by word (the text repeats every 96 bytes), so 20 kB fit the bridge's allowance.
    function _euros(uint256 length) private pure returns (string memory) {
        bytes memory period = bytes("\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac");
        bytes memory b = new bytes(length + 96);
        assembly {
            let w0 := mload(add(period, 32))
            let w1 := mload(add(period, 64))
            let w2 := mload(add(period, 96))
            for { let i := 0 } lt(i, length) { i := add(i, 96) } {
                let d := add(add(b, 32), i)
                mstore(d, w0)
                mstore(add(d, 32), w1)
                mstore(add(d, 64), w2)
            }
            mstore(b, length)
        }
        return string(b);
    }
}

/// @notice decimals() reverts; name and symbol are ordinary.
contract RevertingDecimalsToken is HostileMetadataBase {
    function name() public pure override returns (string memory) {
        return "Reverting Decimals";
    }

    function symbol() public pure override returns (string memory) {
        return "RDEC";
    }

    function decimals() public pure override returns (uint8) {
        revert("no decimals");
    }
}

/// @notice name() reverts with 100 kB of revert data; symbol() answers ABI whose string length
///         points far past the returndata; decimals() answers 2^255.
contract GarbageMetadataToken is HostileMetadataBase {
    function name() public pure override returns (string memory) {
        assembly {
            revert(0, 100000)
        }
    }

    function symbol() public pure override returns (string memory) {
        assembly {
            mstore(0, 0x20)
            mstore(0x20, 300000)
            mstore(0x40, "GARBAGE")
            return(0, 0x60)
        }
    }

    function decimals() public pure override returns (uint8) {
        assembly {
            mstore(0, shl(255, 1))
            return(0, 0x20)
        }
    }
}

/// @notice Answers name() and symbol() as bytes32, as MKR and SAI do.
contract Bytes32MetadataToken is HostileMetadataBase {
    function name() public pure override returns (string memory) {
        assembly {
            mstore(0, "Maker")
            return(0, 0x20)
        }
    }

    function symbol() public pure override returns (string memory) {
        assembly {
            mstore(0, "MKR")
            return(0, 0x20)
        }
    }
}

/// @notice name() burns about 35,000 gas before answering: within the bridge's allowance, but
///         a registration sent with a tight gas limit would starve it.
contract GasHungryMetadataToken is HostileMetadataBase {
    function name() public view override returns (string memory) {
        uint256 stop = gasleft() - 35_000; // underflows, so reverts, when starved
        while (gasleft() > stop) {}
        return "Hungry";
    }

    function symbol() public pure override returns (string memory) {
        return "HGRY";
    }
}
