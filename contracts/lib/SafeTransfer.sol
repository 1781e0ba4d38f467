// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "../interfaces/IERC20.sol";

/// @title SafeTransfer
/// @notice ERC-20 transfers that accept tokens returning nothing or `true`, and revert otherwise.
library SafeTransfer {
    /// @notice The token call failed or returned false.
    error TransferFailed(address token);

    function safeTransfer(address token, address to, uint256 amount) internal {
        _call(token, abi.encodeCall(IERC20.transfer, (to, amount)));
    }

    function safeTransferFrom(address token, address from, address to, uint256 amount) internal {
        _call(token, abi.encodeCall(IERC20.transferFrom, (from, to, amount)));
    }

    /// @notice transferFrom that reports failure instead of reverting (a missing token, a revert or `false`).
    function tryTransferFrom(address token, address from, address to, uint256 amount) internal returns (bool) {
        return _try(token, abi.encodeCall(IERC20.transferFrom, (from, to, amount)));
    }

    function _call(address token, bytes memory data) private {
        if (!_try(token, data)) revert TransferFailed(token);
    }

    function _try(address token, bytes memory data) private returns (bool) {
        if (token.code.length == 0) return false;
        (bool ok, bytes memory ret) = token.call(data);
        return ok && (ret.length == 0 || (ret.length >= 32 && abi.decode(ret, (uint256)) == 1));
    }
}
