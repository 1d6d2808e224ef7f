// Generated from human-readable signatures (viem parseAbi) and, for events, from the ABIs in
// @safe-global/safe-deployments 1.37.63; abi.test.ts checks every entry against those ABIs.

/** Safe functions present with these signatures from 1.0.0 (1.1.0 for fallback handler, 1.3.0 for guard) to 1.5.0. Selectors do not depend on parameter names, so they also match 0.1.0 (`dataGas`). */
export const safeAbi = [
  {
    name: 'execTransaction',
    type: 'function',
    stateMutability: 'payable',
    inputs: [
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'uint256',
        name: 'value',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'uint8',
        name: 'operation',
      },
      {
        type: 'uint256',
        name: 'safeTxGas',
      },
      {
        type: 'uint256',
        name: 'baseGas',
      },
      {
        type: 'uint256',
        name: 'gasPrice',
      },
      {
        type: 'address',
        name: 'gasToken',
      },
      {
        type: 'address',
        name: 'refundReceiver',
      },
      {
        type: 'bytes',
        name: 'signatures',
      },
    ],
    outputs: [
      {
        type: 'bool',
        name: 'success',
      },
    ],
  },
  {
    name: 'getTransactionHash',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'uint256',
        name: 'value',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'uint8',
        name: 'operation',
      },
      {
        type: 'uint256',
        name: 'safeTxGas',
      },
      {
        type: 'uint256',
        name: 'baseGas',
      },
      {
        type: 'uint256',
        name: 'gasPrice',
      },
      {
        type: 'address',
        name: 'gasToken',
      },
      {
        type: 'address',
        name: 'refundReceiver',
      },
      {
        type: 'uint256',
        name: '_nonce',
      },
    ],
    outputs: [
      {
        type: 'bytes32',
      },
    ],
  },
  {
    name: 'encodeTransactionData',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'uint256',
        name: 'value',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'uint8',
        name: 'operation',
      },
      {
        type: 'uint256',
        name: 'safeTxGas',
      },
      {
        type: 'uint256',
        name: 'baseGas',
      },
      {
        type: 'uint256',
        name: 'gasPrice',
      },
      {
        type: 'address',
        name: 'gasToken',
      },
      {
        type: 'address',
        name: 'refundReceiver',
      },
      {
        type: 'uint256',
        name: '_nonce',
      },
    ],
    outputs: [
      {
        type: 'bytes',
      },
    ],
  },
  {
    name: 'domainSeparator',
    type: 'function',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        type: 'bytes32',
      },
    ],
  },
  {
    name: 'nonce',
    type: 'function',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        type: 'uint256',
      },
    ],
  },
  {
    name: 'VERSION',
    type: 'function',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        type: 'string',
      },
    ],
  },
  {
    name: 'getOwners',
    type: 'function',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        type: 'address[]',
      },
    ],
  },
  {
    name: 'getThreshold',
    type: 'function',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        type: 'uint256',
      },
    ],
  },
  {
    name: 'isOwner',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'address',
        name: 'owner',
      },
    ],
    outputs: [
      {
        type: 'bool',
      },
    ],
  },
  {
    name: 'approveHash',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'bytes32',
        name: 'hashToApprove',
      },
    ],
    outputs: [],
  },
  {
    name: 'approvedHashes',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'address',
      },
      {
        type: 'bytes32',
      },
    ],
    outputs: [
      {
        type: 'uint256',
      },
    ],
  },
  {
    name: 'signedMessages',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'bytes32',
      },
    ],
    outputs: [
      {
        type: 'uint256',
      },
    ],
  },
  {
    name: 'checkSignatures',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'bytes32',
        name: 'dataHash',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'bytes',
        name: 'signatures',
      },
    ],
    outputs: [],
  },
  {
    name: 'addOwnerWithThreshold',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'owner',
      },
      {
        type: 'uint256',
        name: '_threshold',
      },
    ],
    outputs: [],
  },
  {
    name: 'removeOwner',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'prevOwner',
      },
      {
        type: 'address',
        name: 'owner',
      },
      {
        type: 'uint256',
        name: '_threshold',
      },
    ],
    outputs: [],
  },
  {
    name: 'swapOwner',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'prevOwner',
      },
      {
        type: 'address',
        name: 'oldOwner',
      },
      {
        type: 'address',
        name: 'newOwner',
      },
    ],
    outputs: [],
  },
  {
    name: 'changeThreshold',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'uint256',
        name: '_threshold',
      },
    ],
    outputs: [],
  },
  {
    name: 'enableModule',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'module',
      },
    ],
    outputs: [],
  },
  {
    name: 'disableModule',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'prevModule',
      },
      {
        type: 'address',
        name: 'module',
      },
    ],
    outputs: [],
  },
  {
    name: 'isModuleEnabled',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'address',
        name: 'module',
      },
    ],
    outputs: [
      {
        type: 'bool',
      },
    ],
  },
  {
    name: 'getModulesPaginated',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'address',
        name: 'start',
      },
      {
        type: 'uint256',
        name: 'pageSize',
      },
    ],
    outputs: [
      {
        type: 'address[]',
        name: 'array',
      },
      {
        type: 'address',
        name: 'next',
      },
    ],
  },
  {
    name: 'execTransactionFromModule',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'uint256',
        name: 'value',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'uint8',
        name: 'operation',
      },
    ],
    outputs: [
      {
        type: 'bool',
        name: 'success',
      },
    ],
  },
  {
    name: 'execTransactionFromModuleReturnData',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'uint256',
        name: 'value',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'uint8',
        name: 'operation',
      },
    ],
    outputs: [
      {
        type: 'bool',
        name: 'success',
      },
      {
        type: 'bytes',
        name: 'returnData',
      },
    ],
  },
  {
    name: 'setFallbackHandler',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'handler',
      },
    ],
    outputs: [],
  },
  {
    name: 'setGuard',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'guard',
      },
    ],
    outputs: [],
  },
  {
    name: 'setModuleGuard',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'moduleGuard',
      },
    ],
    outputs: [],
  },
  {
    name: 'setup',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address[]',
        name: '_owners',
      },
      {
        type: 'uint256',
        name: '_threshold',
      },
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'address',
        name: 'fallbackHandler',
      },
      {
        type: 'address',
        name: 'paymentToken',
      },
      {
        type: 'uint256',
        name: 'payment',
      },
      {
        type: 'address',
        name: 'paymentReceiver',
      },
    ],
    outputs: [],
  },
  {
    name: 'getStorageAt',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'uint256',
        name: 'offset',
      },
      {
        type: 'uint256',
        name: 'length',
      },
    ],
    outputs: [
      {
        type: 'bytes',
      },
    ],
  },
  {
    name: 'simulateAndRevert',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'targetContract',
      },
      {
        type: 'bytes',
        name: 'calldataPayload',
      },
    ],
    outputs: [],
  },
] as const

/** Safe functions that exist only before 1.3.0: the singleton could replace itself, modules were listed without paging, 1.0.0 had no fallback handler in setup, and messages were signed on the Safe itself. */
export const safeLegacyAbi = [
  {
    name: 'changeMasterCopy',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: '_masterCopy',
      },
    ],
    outputs: [],
  },
  {
    name: 'getModules',
    type: 'function',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        type: 'address[]',
      },
    ],
  },
  {
    name: 'setup',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address[]',
        name: '_owners',
      },
      {
        type: 'uint256',
        name: '_threshold',
      },
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'address',
        name: 'paymentToken',
      },
      {
        type: 'uint256',
        name: 'payment',
      },
      {
        type: 'address',
        name: 'paymentReceiver',
      },
    ],
    outputs: [],
  },
  {
    name: 'signMessage',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'bytes',
        name: '_data',
      },
    ],
    outputs: [],
  },
  {
    name: 'getMessageHash',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'bytes',
        name: 'message',
      },
    ],
    outputs: [
      {
        type: 'bytes32',
      },
    ],
  },
  {
    name: 'isValidSignature',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'bytes',
        name: '_data',
      },
      {
        type: 'bytes',
        name: '_signature',
      },
    ],
    outputs: [
      {
        type: 'bytes4',
      },
    ],
  },
] as const

/** `getTransactionHash` and `execTransaction` of Safe 0.1.0, whose gas field is named `dataGas` (same selectors as the 1.0.0+ shapes). */
export const safeTxHashV0Abi = [
  {
    name: 'getTransactionHash',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'uint256',
        name: 'value',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'uint8',
        name: 'operation',
      },
      {
        type: 'uint256',
        name: 'safeTxGas',
      },
      {
        type: 'uint256',
        name: 'dataGas',
      },
      {
        type: 'uint256',
        name: 'gasPrice',
      },
      {
        type: 'address',
        name: 'gasToken',
      },
      {
        type: 'address',
        name: 'refundReceiver',
      },
      {
        type: 'uint256',
        name: '_nonce',
      },
    ],
    outputs: [
      {
        type: 'bytes32',
      },
    ],
  },
  {
    name: 'execTransaction',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: 'to',
      },
      {
        type: 'uint256',
        name: 'value',
      },
      {
        type: 'bytes',
        name: 'data',
      },
      {
        type: 'uint8',
        name: 'operation',
      },
      {
        type: 'uint256',
        name: 'safeTxGas',
      },
      {
        type: 'uint256',
        name: 'dataGas',
      },
      {
        type: 'uint256',
        name: 'gasPrice',
      },
      {
        type: 'address',
        name: 'gasToken',
      },
      {
        type: 'address',
        name: 'refundReceiver',
      },
      {
        type: 'bytes',
        name: 'signatures',
      },
    ],
    outputs: [
      {
        type: 'bool',
        name: 'success',
      },
    ],
  },
] as const

/** SafeProxy (1.1.0+) answers `masterCopy()` itself, without reaching the singleton. */
export const safeProxyAbi = [
  {
    name: 'masterCopy',
    type: 'function',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        type: 'address',
      },
    ],
  },
] as const

/** MultiSend and MultiSendCallOnly: packed (uint8 operation, address to, uint256 value, uint256 dataLength, bytes data) entries. */
export const multiSendAbi = [
  {
    name: 'multiSend',
    type: 'function',
    stateMutability: 'payable',
    inputs: [
      {
        type: 'bytes',
        name: 'transactions',
      },
    ],
    outputs: [],
  },
] as const

/** SignMessageLib (1.3.0+), delegatecalled by a Safe to mark a message as signed. */
export const signMessageLibAbi = [
  {
    name: 'signMessage',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'bytes',
        name: '_data',
      },
    ],
    outputs: [],
  },
  {
    name: 'getMessageHash',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'bytes',
        name: 'message',
      },
    ],
    outputs: [
      {
        type: 'bytes32',
      },
    ],
  },
] as const

/** CompatibilityFallbackHandler (1.3.0+): EIP-1271 and message hashing for a Safe. */
export const compatibilityFallbackHandlerAbi = [
  {
    name: 'getMessageHash',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'bytes',
        name: 'message',
      },
    ],
    outputs: [
      {
        type: 'bytes32',
      },
    ],
  },
  {
    name: 'getMessageHashForSafe',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'address',
        name: 'safe',
      },
      {
        type: 'bytes',
        name: 'message',
      },
    ],
    outputs: [
      {
        type: 'bytes32',
      },
    ],
  },
  {
    name: 'isValidSignature',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'bytes32',
        name: '_dataHash',
      },
      {
        type: 'bytes',
        name: '_signature',
      },
    ],
    outputs: [
      {
        type: 'bytes4',
      },
    ],
  },
  {
    name: 'isValidSignature',
    type: 'function',
    stateMutability: 'view',
    inputs: [
      {
        type: 'bytes',
        name: '_data',
      },
      {
        type: 'bytes',
        name: '_signature',
      },
    ],
    outputs: [
      {
        type: 'bytes4',
      },
    ],
  },
] as const

/** SafeMigration (1.4.1+), delegatecalled to move a Safe to another singleton. */
export const safeMigrationAbi = [
  {
    name: 'migrateSingleton',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [],
    outputs: [],
  },
  {
    name: 'migrateWithFallbackHandler',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [],
    outputs: [],
  },
  {
    name: 'migrateL2Singleton',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [],
    outputs: [],
  },
  {
    name: 'migrateL2WithFallbackHandler',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [],
    outputs: [],
  },
] as const

/** SafeProxyFactory: how a Safe is created (1.1.1+ signatures). */
export const safeProxyFactoryAbi = [
  {
    name: 'createProxyWithNonce',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      {
        type: 'address',
        name: '_singleton',
      },
      {
        type: 'bytes',
        name: 'initializer',
      },
      {
        type: 'uint256',
        name: 'saltNonce',
      },
    ],
    outputs: [
      {
        type: 'address',
        name: 'proxy',
      },
    ],
  },
  {
    name: 'ProxyCreation',
    type: 'event',
    inputs: [
      {
        type: 'address',
        name: 'proxy',
      },
      {
        type: 'address',
        name: 'singleton',
      },
    ],
  },
] as const

/** Safe events of 1.0.0 to 1.2.0 (from the 1.1.1 ABI, plus 1.0.0's ExecutionFailed); owner and module events carry no indexed topic. */
export const safeEventsLegacyAbi = [
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'AddedOwner',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'approvedHash',
        type: 'bytes32',
      },
      {
        indexed: true,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'ApproveHash',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'masterCopy',
        type: 'address',
      },
    ],
    name: 'ChangedMasterCopy',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'threshold',
        type: 'uint256',
      },
    ],
    name: 'ChangedThreshold',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'DisabledModule',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'EnabledModule',
    type: 'event',
  },
  {
    type: 'event',
    name: 'ExecutionFailed',
    anonymous: false,
    inputs: [
      {
        name: 'txHash',
        type: 'bytes32',
        indexed: false,
      },
    ],
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'txHash',
        type: 'bytes32',
      },
      {
        indexed: false,
        name: 'payment',
        type: 'uint256',
      },
    ],
    name: 'ExecutionFailure',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'ExecutionFromModuleFailure',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'ExecutionFromModuleSuccess',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'txHash',
        type: 'bytes32',
      },
      {
        indexed: false,
        name: 'payment',
        type: 'uint256',
      },
    ],
    name: 'ExecutionSuccess',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'RemovedOwner',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'msgHash',
        type: 'bytes32',
      },
    ],
    name: 'SignMsg',
    type: 'event',
  },
] as const

/** Safe events of 1.3.0 and 1.3.0+L2 (from safe-deployments v1.3.0/gnosis_safe_l2.json). */
export const safeEvents130Abi = [
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'AddedOwner',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'approvedHash',
        type: 'bytes32',
      },
      {
        indexed: true,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'ApproveHash',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'handler',
        type: 'address',
      },
    ],
    name: 'ChangedFallbackHandler',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'guard',
        type: 'address',
      },
    ],
    name: 'ChangedGuard',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'threshold',
        type: 'uint256',
      },
    ],
    name: 'ChangedThreshold',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'DisabledModule',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'EnabledModule',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'txHash',
        type: 'bytes32',
      },
      {
        indexed: false,
        name: 'payment',
        type: 'uint256',
      },
    ],
    name: 'ExecutionFailure',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'ExecutionFromModuleFailure',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'ExecutionFromModuleSuccess',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'txHash',
        type: 'bytes32',
      },
      {
        indexed: false,
        name: 'payment',
        type: 'uint256',
      },
    ],
    name: 'ExecutionSuccess',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'RemovedOwner',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'module',
        type: 'address',
      },
      {
        indexed: false,
        name: 'to',
        type: 'address',
      },
      {
        indexed: false,
        name: 'value',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'data',
        type: 'bytes',
      },
      {
        indexed: false,
        name: 'operation',
        type: 'uint8',
      },
    ],
    name: 'SafeModuleTransaction',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'to',
        type: 'address',
      },
      {
        indexed: false,
        name: 'value',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'data',
        type: 'bytes',
      },
      {
        indexed: false,
        name: 'operation',
        type: 'uint8',
      },
      {
        indexed: false,
        name: 'safeTxGas',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'baseGas',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'gasPrice',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'gasToken',
        type: 'address',
      },
      {
        indexed: false,
        name: 'refundReceiver',
        type: 'address',
      },
      {
        indexed: false,
        name: 'signatures',
        type: 'bytes',
      },
      {
        indexed: false,
        name: 'additionalInfo',
        type: 'bytes',
      },
    ],
    name: 'SafeMultiSigTransaction',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'sender',
        type: 'address',
      },
      {
        indexed: false,
        name: 'value',
        type: 'uint256',
      },
    ],
    name: 'SafeReceived',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'initiator',
        type: 'address',
      },
      {
        indexed: false,
        name: 'owners',
        type: 'address[]',
      },
      {
        indexed: false,
        name: 'threshold',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'initializer',
        type: 'address',
      },
      {
        indexed: false,
        name: 'fallbackHandler',
        type: 'address',
      },
    ],
    name: 'SafeSetup',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'msgHash',
        type: 'bytes32',
      },
    ],
    name: 'SignMsg',
    type: 'event',
  },
] as const

/** Safe events of 1.4.1 and 1.5.0 with their +L2 builds (from safe-deployments v1.5.0/safe_l2.json; 1.5.0 adds ChangedModuleGuard): addresses are indexed here, unlike 1.3.0. */
export const safeEvents141Abi = [
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'AddedOwner',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'approvedHash',
        type: 'bytes32',
      },
      {
        indexed: true,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'ApproveHash',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'handler',
        type: 'address',
      },
    ],
    name: 'ChangedFallbackHandler',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'guard',
        type: 'address',
      },
    ],
    name: 'ChangedGuard',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'moduleGuard',
        type: 'address',
      },
    ],
    name: 'ChangedModuleGuard',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'threshold',
        type: 'uint256',
      },
    ],
    name: 'ChangedThreshold',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'DisabledModule',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'EnabledModule',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'txHash',
        type: 'bytes32',
      },
      {
        indexed: false,
        name: 'payment',
        type: 'uint256',
      },
    ],
    name: 'ExecutionFailure',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'ExecutionFromModuleFailure',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'module',
        type: 'address',
      },
    ],
    name: 'ExecutionFromModuleSuccess',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'txHash',
        type: 'bytes32',
      },
      {
        indexed: false,
        name: 'payment',
        type: 'uint256',
      },
    ],
    name: 'ExecutionSuccess',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'RemovedOwner',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'module',
        type: 'address',
      },
      {
        indexed: false,
        name: 'to',
        type: 'address',
      },
      {
        indexed: false,
        name: 'value',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'data',
        type: 'bytes',
      },
      {
        indexed: false,
        name: 'operation',
        type: 'uint8',
      },
    ],
    name: 'SafeModuleTransaction',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        name: 'to',
        type: 'address',
      },
      {
        indexed: false,
        name: 'value',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'data',
        type: 'bytes',
      },
      {
        indexed: false,
        name: 'operation',
        type: 'uint8',
      },
      {
        indexed: false,
        name: 'safeTxGas',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'baseGas',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'gasPrice',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'gasToken',
        type: 'address',
      },
      {
        indexed: false,
        name: 'refundReceiver',
        type: 'address',
      },
      {
        indexed: false,
        name: 'signatures',
        type: 'bytes',
      },
      {
        indexed: false,
        name: 'additionalInfo',
        type: 'bytes',
      },
    ],
    name: 'SafeMultiSigTransaction',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'sender',
        type: 'address',
      },
      {
        indexed: false,
        name: 'value',
        type: 'uint256',
      },
    ],
    name: 'SafeReceived',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'initiator',
        type: 'address',
      },
      {
        indexed: false,
        name: 'owners',
        type: 'address[]',
      },
      {
        indexed: false,
        name: 'threshold',
        type: 'uint256',
      },
      {
        indexed: false,
        name: 'initializer',
        type: 'address',
      },
      {
        indexed: false,
        name: 'fallbackHandler',
        type: 'address',
      },
    ],
    name: 'SafeSetup',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        name: 'msgHash',
        type: 'bytes32',
      },
    ],
    name: 'SignMsg',
    type: 'event',
  },
] as const
