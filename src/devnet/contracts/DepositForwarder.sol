// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @notice An exchange deposit address: every ETH payment is forwarded to the exchange's hot
/// wallet in the same transaction (an internal CALL that trace tools must follow).
contract DepositForwarder {
    address payable public immutable hotWallet;

    event Forwarded(address indexed from, uint256 amount);

    constructor(address payable hotWallet_) {
        hotWallet = hotWallet_;
    }

    receive() external payable {
        (bool ok, ) = hotWallet.call{value: msg.value}("");
        require(ok, "forward failed");
        emit Forwarded(msg.sender, msg.value);
    }
}
