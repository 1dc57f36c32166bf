// Prometheus metrics, one registry per desk instance (tests run several in one process).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  eventsReceived: Counter<'type' | 'result'>;
  riskSignals: Counter<'kind' | 'action'>;
  riskAlerts: Counter<'kind'>;
  refundsAvoided: Counter;
  paymentAlerts: Counter<'provider' | 'kind'>;
  jobsDead: Counter<'job'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'refund_desk_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'refund_desk_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    eventsReceived: new Counter({
      name: 'refund_desk_platform_events_total',
      help: 'Platform events received, by type and result (applied, duplicate, rejected)',
      labelNames: ['type', 'result'],
      registers: [registry],
    }),
    riskSignals: new Counter({
      name: 'refund_desk_risk_signals_total',
      help: 'Risk signals raised on refund requests, by kind and action',
      labelNames: ['kind', 'action'],
      registers: [registry],
    }),
    refundsAvoided: new Counter({
      name: 'refund_desk_refunds_avoided_total',
      help: 'Troubleshooting guides that solved the problem, so no refund was made (M23, M30)',
      registers: [registry],
    }),
    riskAlerts: new Counter({
      name: 'refund_desk_risk_alerts_total',
      help: 'Refund spike alerts raised per product or merchant',
      labelNames: ['kind'],
      registers: [registry],
    }),
    jobsDead: new Counter({
      name: 'refund_desk_jobs_dead_total',
      help: 'Job ticks that failed every attempt and went to the dead-letter list, by job',
      labelNames: ['job'],
      registers: [registry],
    }),
    paymentAlerts: new Counter({
      name: 'refund_desk_payment_alerts_total',
      help: 'Refunds a provider reports that the desk has no record of, or that do not match its own',
      labelNames: ['provider', 'kind'],
      registers: [registry],
    }),
  };
}
