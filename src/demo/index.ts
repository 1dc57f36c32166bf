// The demo module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { renderDemoPage } from './demo-page.ts';
export { DEMO } from './demo-shop.ts';
export { addFreshScenarioOrders, seedDemoShop } from './seed-demo.ts';
