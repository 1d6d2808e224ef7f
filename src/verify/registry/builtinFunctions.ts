/**
 * The functions heistguard decodes without any network: token transfers and approvals, WETH,
 * proxy and access-control administration, Permit2. Safe's own functions (owners, modules,
 * guards, MultiSend) come from `src/safe/abi.ts`, the one source of truth for Safe ABIs.
 *
 * Kept as human-readable signatures in a TS const so that the bundle carries them and no file is
 * read at run time. `kind` is what the rules act on; two signatures with one selector (ERC-20
 * and ERC-721 `transferFrom`/`approve`) are one entry, because the bytes cannot tell them apart.
 */
export const BUILTIN_FUNCTIONS = [
  // ERC-20 (and ERC-721 where the selector is shared)
  { kind: 'token-transfer', signature: 'function transfer(address to, uint256 amount)' },
  {
    kind: 'token-transferFrom',
    signature: 'function transferFrom(address from, address to, uint256 amount)',
  },
  { kind: 'token-approve', signature: 'function approve(address spender, uint256 amount)' },
  {
    kind: 'token-increaseAllowance',
    signature: 'function increaseAllowance(address spender, uint256 addedValue)',
  },
  {
    kind: 'token-decreaseAllowance',
    signature: 'function decreaseAllowance(address spender, uint256 subtractedValue)',
  },
  {
    kind: 'token-permit',
    signature:
      'function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)',
  },
  // ERC-721
  {
    kind: 'nft-safeTransferFrom',
    signature: 'function safeTransferFrom(address from, address to, uint256 tokenId)',
  },
  {
    kind: 'nft-safeTransferFrom',
    signature: 'function safeTransferFrom(address from, address to, uint256 tokenId, bytes data)',
  },
  {
    kind: 'token-setApprovalForAll',
    signature: 'function setApprovalForAll(address operator, bool approved)',
  },
  // ERC-1155
  {
    kind: 'erc1155-safeTransferFrom',
    signature:
      'function safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data)',
  },
  {
    kind: 'erc1155-safeBatchTransferFrom',
    signature:
      'function safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] amounts, bytes data)',
  },
  // WETH
  { kind: 'weth-deposit', signature: 'function deposit()' },
  { kind: 'weth-withdraw', signature: 'function withdraw(uint256 wad)' },
  // Proxies (EIP-1967 / UUPS / OpenZeppelin ProxyAdmin / TransparentUpgradeableProxy)
  { kind: 'proxy-upgrade', signature: 'function upgradeTo(address newImplementation)' },
  {
    kind: 'proxy-upgrade',
    signature: 'function upgradeToAndCall(address newImplementation, bytes data)',
  },
  {
    kind: 'proxyadmin-upgrade',
    signature: 'function upgrade(address proxy, address implementation)',
  },
  {
    kind: 'proxyadmin-upgrade',
    signature: 'function upgradeAndCall(address proxy, address implementation, bytes data)',
  },
  { kind: 'proxy-changeAdmin', signature: 'function changeAdmin(address newAdmin)' },
  {
    kind: 'proxyadmin-changeProxyAdmin',
    signature: 'function changeProxyAdmin(address proxy, address newAdmin)',
  },
  // Ownable, Ownable2Step, AccessControl
  { kind: 'ownership-transfer', signature: 'function transferOwnership(address newOwner)' },
  { kind: 'ownership-renounce', signature: 'function renounceOwnership()' },
  { kind: 'ownership-accept', signature: 'function acceptOwnership()' },
  { kind: 'role-grant', signature: 'function grantRole(bytes32 role, address account)' },
  { kind: 'role-revoke', signature: 'function revokeRole(bytes32 role, address account)' },
  { kind: 'role-renounce', signature: 'function renounceRole(bytes32 role, address account)' },
  // Permit2 (0x000000000022D473030F116dDEE9F6B43aC78BA3 on every chain)
  {
    kind: 'permit2-approve',
    signature:
      'function approve(address token, address spender, uint160 amount, uint48 expiration)',
  },
  {
    kind: 'permit2-permit',
    signature:
      'function permit(address owner, ((address token, uint160 amount, uint48 expiration, uint48 nonce) details, address spender, uint256 sigDeadline) permitSingle, bytes signature)',
  },
  {
    kind: 'permit2-permit',
    signature:
      'function permit(address owner, ((address token, uint160 amount, uint48 expiration, uint48 nonce)[] details, address spender, uint256 sigDeadline) permitBatch, bytes signature)',
  },
  {
    kind: 'permit2-permitTransferFrom',
    signature:
      'function permitTransferFrom(((address token, uint256 amount) permitted, uint256 nonce, uint256 deadline) permit, (address to, uint256 requestedAmount) transferDetails, address owner, bytes signature)',
  },
  {
    kind: 'permit2-transferFrom',
    signature: 'function transferFrom(address from, address to, uint160 amount, address token)',
  },
  {
    kind: 'permit2-lockdown',
    signature: 'function lockdown((address token, address spender)[] approvals)',
  },
  {
    kind: 'permit2-invalidateNonces',
    signature: 'function invalidateNonces(address token, address spender, uint48 newNonce)',
  },
] as const

export type BuiltinKind = (typeof BUILTIN_FUNCTIONS)[number]['kind']
