// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Test contract for the dApp client scripts: stores one value and emits an event on each change.
contract Store {
    uint256 public value;
    address public lastWriter;

    event ValueSet(address indexed writer, uint256 indexed previous, uint256 value);

    constructor(uint256 initial) {
        value = initial;
        lastWriter = msg.sender;
    }

    function set(uint256 newValue) external {
        emit ValueSet(msg.sender, value, newValue);
        value = newValue;
        lastWriter = msg.sender;
    }

    function get() external view returns (uint256) {
        return value;
    }

    function fail() external pure {
        revert("Store: always fails");
    }
}
