// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IERC3156FlashBorrower
/// @notice Callback a mode-1 borrower implements (ERC-3156 shape). AtomicSettlement calls it
///         after the loan paid the auctioneer and the sell asset was delivered to the borrower;
///         on return the settlement pulls `amount + fee` of `token` from the borrower.
interface IERC3156FlashBorrower {
    /// @notice Receives a settlement loan.
    /// @param initiator The account that called `AtomicSettlement.settle` (anyone may settle).
    /// @param token The borrowed (payment) asset.
    /// @param amount The principal, already paid to the auctioneer on the borrower's behalf.
    /// @param fee The interest owed to the LP on top of the principal.
    /// @param data abi.encode(uint64 auctionId, uint256 fillIndex).
    /// @return keccak256("ERC3156FlashBorrower.onFlashLoan") to accept the loan.
    function onFlashLoan(address initiator, address token, uint256 amount, uint256 fee, bytes calldata data)
        external
        returns (bytes32);
}
