// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

interface IERC20From {
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @notice A bridge router shaped like THORChain's Ethereum router (0xD37BbE57…7146): a deposit
/// forwards the funds to a vault and emits `Deposit(vault, asset, amount, memo)`, where the memo
/// says what to swap into and where to send it, e.g. `=:BTC.BTC:bc1q…`. The event signature is
/// THORChain's, so decoders written for mainnet logs read the devnet's too.
contract BridgeRouter {
    event Deposit(address indexed to, address indexed asset, uint256 amount, string memo);

    function depositWithExpiry(
        address payable vault,
        address asset,
        uint256 amount,
        string calldata memo,
        uint256 expiration
    ) external payable {
        require(block.timestamp < expiration, "expired");
        uint256 deposited;
        if (asset == address(0)) {
            deposited = msg.value;
            (bool ok, ) = vault.call{value: msg.value}("");
            require(ok, "vault rejected ETH");
        } else {
            require(msg.value == 0, "unexpected ETH");
            require(IERC20From(asset).transferFrom(msg.sender, vault, amount), "token transfer failed");
            deposited = amount;
        }
        emit Deposit(vault, asset, deposited, memo);
    }
}
