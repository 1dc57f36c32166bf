// The payments module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { AlipayGateway } from './alipay-gateway.ts';
export { GatewayRouter, unconfiguredRail } from './gateway-router.ts';
export {
  type PaymentGateway,
  type ProviderRefund,
  type QueryOutcome,
  recordsSendTime,
  type RefundCall,
  TransientGatewayError,
} from './payment-gateway.ts';
export {
  NoticeRejected,
  PAYMENT_ALERT_TOPIC,
  type PaymentAlert,
  type Provider,
  PROVIDER_METHOD,
  type ProviderNotice,
} from './payment-notices.ts';
export { railGate, type RailGate } from './rail-limits.ts';
export { DEFAULT_RETRY, type PayoutResult, refundWithRetries, type RetryOptions } from './refund-with-retries.ts';
export { SandboxGateway } from './sandbox-gateway.ts';
export { humanDuration, settlementOf } from './settlement-times.ts';
export { StripeGateway } from './stripe-gateway.ts';
export { signedHeadersOf } from './wechat-pay/wechat-pay-crypto.ts';
export { type WechatPayConfig, WechatPayGateway } from './wechat-pay/wechat-pay-gateway.ts';
export { readWechatNotification } from './wechat-pay/wechat-pay-notification.ts';
