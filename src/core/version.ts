/** heistguard's version, as printed by `--version` and written into verification receipts. */
export const VERSION = '0.1.0'
