// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC3156FlashBorrower} from "../interfaces/IERC3156FlashBorrower.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {TestSwap} from "./TestSwap.sol";

/// @title TestBorrower
/// @notice A market maker's settlement callback for tests: repays (approving the settlement in the
///         callback unless a standing approval covers it), sells what it just won on a swap desk and
///         repays from the proceeds, refuses to repay, returns a wrong value, or re-enters the
///         settlement contract, as configured.
contract TestBorrower is IERC3156FlashBorrower {
    /// @notice What the callback does.
    enum Behaviour {
        Repay,
        NoRepay,
        WrongReturn,
        Reenter,
        SwapThenRepay
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
    /// @notice Reenter: calldata sent back to the settlement contract. SwapThenRepay:
    ///         abi.encode(TestSwap desk, address tokenIn, uint256 amountIn).
    bytes public reentry;

    constructor(address settlement_) {
        settlement = settlement_;
    }

    /// @notice Sets the behaviour and its parameters (see `reentry`).
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

    /// @notice Moves tokens out of the borrower (test setup).
    function transferToken(address token, address to, uint256 amount) external {
        IERC20(token).transfer(to, amount);
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
        if (b == Behaviour.SwapThenRepay) {
            (TestSwap desk, address tokenIn, uint256 amountIn) = abi.decode(reentry, (TestSwap, address, uint256));
            IERC20(tokenIn).approve(address(desk), amountIn);
            desk.swap(tokenIn, token, amountIn);
        }
        if (b != Behaviour.NoRepay && IERC20(token).allowance(address(this), msg.sender) < amount + fee) {
            IERC20(token).approve(msg.sender, amount + fee);
        }
        if (b == Behaviour.WrongReturn) return bytes32(0);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
