export {
  buildDashboard,
  DASHBOARD_PATH,
  DASHBOARD_TITLE,
  DASHBOARD_UID,
  renderDashboardJson,
  THRESHOLDS,
} from './dashboard.js';
export { type Feature, featuresOf, LABEL, METRIC, RECORDED, SELECTOR, VAR } from './metrics.js';
export {
  type DashboardQuery,
  dashboardQueries,
  escapeRegexValue,
  formatMultiValue,
  type QueryVariables,
  substituteVariables,
} from './queries.js';
