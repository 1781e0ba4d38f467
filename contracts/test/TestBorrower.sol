// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC3156FlashBorrower} from "../interfaces/IERC3156FlashBorrower.sol";
import {IERC20} from "../interfaces/IERC20.sol";

/// @title TestBorrower
/// @notice A market maker's settlement callback for tests: repays (approving the settlement in the
///         callback unless a standing approval covers it), refuses to repay, returns a wrong value, or
///         re-enters the settlement contract, as configured.
contract TestBorrower is IERC3156FlashBorrower {
    /// @notice What the callback does.
    enum Behaviour {
        Repay,
        NoRepay,
        WrongReturn,
        Reenter
    }

    /// @notice The callback ran.
    event Borrowed(address initiator, address token, uint256 amount, uint256 fee, bytes data);
    /// @notice The behaviour changed.
    event BehaviourSet(Behaviour behaviour);

    /// @notice The callback came from another contract than the settlement.
    error UntrustedLender(address caller);

    /// @notice The only lender this borrower trusts.
    address public immutable settlement;
    /// @notice Current behaviour.
    Behaviour public behaviour;
    /// @notice Calldata sent back to the settlement contract in Reenter mode.
    bytes public reentry;

    constructor(address settlement_) {
        settlement = settlement_;
    }

    /// @notice Sets the behaviour and, for Reenter, the calldata to send to the settlement contract.
    function setBehaviour(Behaviour b, bytes calldata reentry_) external {
        behaviour = b;
        reentry = reentry_;
        emit BehaviourSet(b);
    }

    /// @notice Approves `spender` for `amount` of `token` (a standing approval of the settlement contract
    ///         makes the callback skip its own approve).
    function approveToken(address token, address spender, uint256 amount) external {
        IERC20(token).approve(spender, amount);
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address initiator, address token, uint256 amount, uint256 fee, bytes calldata data)
        external
        returns (bytes32)
    {
        if (msg.sender != settlement) revert UntrustedLender(msg.sender);
        emit Borrowed(initiator, token, amount, fee, data);
        Behaviour b = behaviour;
        if (b == Behaviour.Reenter) {
            (bool ok, bytes memory ret) = settlement.call(reentry);
            if (!ok) {
                assembly {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        if (b != Behaviour.NoRepay && IERC20(token).allowance(address(this), msg.sender) < amount + fee) {
            IERC20(token).approve(msg.sender, amount + fee);
        }
        if (b == Behaviour.WrongReturn) return bytes32(0);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
