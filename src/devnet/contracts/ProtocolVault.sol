// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @notice A protocol contract owned by a multisig (the Radiant pattern): whoever owns it can move
/// every asset it holds. Ownership moves with a plain CALL to `transferOwnership`, no delegatecall.
contract ProtocolVault {
    address public owner;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event Withdrawn(address indexed to, uint256 amount);

    constructor(address owner_) {
        owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    receive() external payable {}

    function transferOwnership(address newOwner) external {
        require(msg.sender == owner, "not owner");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function withdrawAll(address payable to) external {
        require(msg.sender == owner, "not owner");
        uint256 amount = address(this).balance;
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "withdraw failed");
        emit Withdrawn(to, amount);
    }
}
