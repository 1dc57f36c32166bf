// The commission module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { commissionAccount } from './commission-account.ts';
export { ledgerChange, type LedgerChange, NO_CHANGE } from './ledger-change.ts';
export { applyLedgerChange, beneficiaryLocales, ledgerChangeCtes, ledgerChangeShape, orderLedger } from './ledger-store.ts';
export { foldCommissions, freeze, type LedgerEntry, release, settleRefund } from './ledger.ts';
export { type CommissionNoticeContext, maskName } from './notices.ts';
