// Regenerates src/safe/abi.ts: `node src/safe/abi.generate.mjs` from the repository root.

import fs from 'node:fs'
import { parseAbi } from 'viem'

const dep = (v, f) =>
  JSON.parse(
    fs.readFileSync(`node_modules/@safe-global/safe-deployments/dist/assets/${v}/${f}.json`),
  ).abi
const groups = {
  safeAbi: {
    doc: 'Safe functions present with these signatures from 1.0.0 (1.1.0 for fallback handler, 1.3.0 for guard) to 1.5.0. Selectors do not depend on parameter names, so they also match 0.1.0 (`dataGas`).',
    sigs: [
      'function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool success)',
      'function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes32)',
      'function encodeTransactionData(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes)',
      'function domainSeparator() view returns (bytes32)',
      'function nonce() view returns (uint256)',
      'function VERSION() view returns (string)',
      'function getOwners() view returns (address[])',
      'function getThreshold() view returns (uint256)',
      'function isOwner(address owner) view returns (bool)',
      'function approveHash(bytes32 hashToApprove)',
      'function approvedHashes(address, bytes32) view returns (uint256)',
      'function signedMessages(bytes32) view returns (uint256)',
      'function checkSignatures(bytes32 dataHash, bytes data, bytes signatures) view',
      'function addOwnerWithThreshold(address owner, uint256 _threshold)',
      'function removeOwner(address prevOwner, address owner, uint256 _threshold)',
      'function swapOwner(address prevOwner, address oldOwner, address newOwner)',
      'function changeThreshold(uint256 _threshold)',
      'function enableModule(address module)',
      'function disableModule(address prevModule, address module)',
      'function isModuleEnabled(address module) view returns (bool)',
      'function getModulesPaginated(address start, uint256 pageSize) view returns (address[] array, address next)',
      'function execTransactionFromModule(address to, uint256 value, bytes data, uint8 operation) returns (bool success)',
      'function execTransactionFromModuleReturnData(address to, uint256 value, bytes data, uint8 operation) returns (bool success, bytes returnData)',
      'function setFallbackHandler(address handler)',
      'function setGuard(address guard)',
      'function setModuleGuard(address moduleGuard)',
      'function setup(address[] _owners, uint256 _threshold, address to, bytes data, address fallbackHandler, address paymentToken, uint256 payment, address paymentReceiver)',
      'function getStorageAt(uint256 offset, uint256 length) view returns (bytes)',
      'function simulateAndRevert(address targetContract, bytes calldataPayload)',
    ],
  },
  safeLegacyAbi: {
    doc: 'Safe functions that exist only before 1.3.0: the singleton could replace itself, modules were listed without paging, 1.0.0 had no fallback handler in setup, and messages were signed on the Safe itself.',
    sigs: [
      'function changeMasterCopy(address _masterCopy)',
      'function getModules() view returns (address[])',
      'function setup(address[] _owners, uint256 _threshold, address to, bytes data, address paymentToken, uint256 payment, address paymentReceiver)',
      'function signMessage(bytes _data)',
      'function getMessageHash(bytes message) view returns (bytes32)',
      'function isValidSignature(bytes _data, bytes _signature) view returns (bytes4)',
    ],
  },
  safeTxHashV0Abi: {
    doc: '`getTransactionHash` and `execTransaction` of Safe 0.1.0, whose gas field is named `dataGas` (same selectors as the 1.0.0+ shapes).',
    sigs: [
      'function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 dataGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes32)',
      'function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 dataGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) returns (bool success)',
    ],
  },
  safeProxyAbi: {
    doc: 'SafeProxy (1.1.0+) answers `masterCopy()` itself, without reaching the singleton.',
    sigs: ['function masterCopy() view returns (address)'],
  },
  multiSendAbi: {
    doc: 'MultiSend and MultiSendCallOnly: packed (uint8 operation, address to, uint256 value, uint256 dataLength, bytes data) entries.',
    sigs: ['function multiSend(bytes transactions) payable'],
  },
  signMessageLibAbi: {
    doc: 'SignMessageLib (1.3.0+), delegatecalled by a Safe to mark a message as signed.',
    sigs: [
      'function signMessage(bytes _data)',
      'function getMessageHash(bytes message) view returns (bytes32)',
    ],
  },
  compatibilityFallbackHandlerAbi: {
    doc: 'CompatibilityFallbackHandler (1.3.0+): EIP-1271 and message hashing for a Safe.',
    sigs: [
      'function getMessageHash(bytes message) view returns (bytes32)',
      'function getMessageHashForSafe(address safe, bytes message) view returns (bytes32)',
      'function isValidSignature(bytes32 _dataHash, bytes _signature) view returns (bytes4)',
      'function isValidSignature(bytes _data, bytes _signature) view returns (bytes4)',
    ],
  },
  safeMigrationAbi: {
    doc: 'SafeMigration (1.4.1+), delegatecalled to move a Safe to another singleton.',
    sigs: [
      'function migrateSingleton()',
      'function migrateWithFallbackHandler()',
      'function migrateL2Singleton()',
      'function migrateL2WithFallbackHandler()',
    ],
  },
  safeProxyFactoryAbi: {
    doc: 'SafeProxyFactory: how a Safe is created (1.1.1+ signatures).',
    sigs: [
      'function createProxyWithNonce(address _singleton, bytes initializer, uint256 saltNonce) returns (address proxy)',
      'event ProxyCreation(address proxy, address singleton)',
    ],
  },
}
const events = {
  safeEventsLegacyAbi: [
    "Safe events of 1.0.0 to 1.2.0 (from the 1.1.1 ABI, plus 1.0.0's ExecutionFailed); owner and module events carry no indexed topic.",
    dep('v1.1.1', 'gnosis_safe')
      .filter((i) => i.type === 'event')
      .concat([
        {
          type: 'event',
          name: 'ExecutionFailed',
          anonymous: false,
          inputs: [{ name: 'txHash', type: 'bytes32', indexed: false }],
        },
      ]),
  ],
  safeEvents130Abi: [
    'Safe events of 1.3.0 and 1.3.0+L2 (from safe-deployments v1.3.0/gnosis_safe_l2.json).',
    dep('v1.3.0', 'gnosis_safe_l2').filter((i) => i.type === 'event'),
  ],
  safeEvents141Abi: [
    'Safe events of 1.4.1 and 1.5.0 with their +L2 builds (from safe-deployments v1.5.0/safe_l2.json; 1.5.0 adds ChangedModuleGuard): addresses are indexed here, unlike 1.3.0.',
    dep('v1.5.0', 'safe_l2').filter((i) => i.type === 'event'),
  ],
}
const strip = (i) => JSON.parse(JSON.stringify(i, (k, v) => (k === 'internalType' ? undefined : v)))
let out = `// Generated from human-readable signatures (viem parseAbi) and, for events, from the ABIs in
// @safe-global/safe-deployments 1.37.63; abi.test.ts checks every entry against those ABIs.
`
for (const [name, g] of Object.entries(groups))
  out += `\n/** ${g.doc} */\nexport const ${name} = ${JSON.stringify(parseAbi(g.sigs).map(strip), null, 2)} as const\n`
for (const [name, [doc, abi]] of Object.entries(events))
  out += `\n/** ${doc} */\nexport const ${name} = ${JSON.stringify(
    abi.map(strip).sort((a, b) => a.name.localeCompare(b.name)),
    null,
    2,
  )} as const\n`
fs.writeFileSync('src/safe/abi.ts', out)
