// The key sets of the foundation SDK's types that the dashboard JSON uses. Each map is checked
// by the TypeScript compiler (`pnpm --filter @llm-otel/grafana typecheck`) to list exactly the
// keys of the SDK type, so when the SDK changes a type, the typecheck fails; the tests then check
// that every object in the JSON uses only keys of its SDK type.
import type * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

type Keys<T> = Record<keyof T, true>;

export const DASHBOARD_KEYS = {
  id: true,
  uid: true,
  title: true,
  description: true,
  revision: true,
  gnetId: true,
  tags: true,
  timezone: true,
  editable: true,
  graphTooltip: true,
  time: true,
  timepicker: true,
  fiscalYearStartMonth: true,
  liveNow: true,
  weekStart: true,
  refresh: true,
  schemaVersion: true,
  version: true,
  panels: true,
  templating: true,
  annotations: true,
  links: true,
  snapshot: true,
  preload: true,
} satisfies Keys<dashboard.Dashboard>;

export const PANEL_KEYS = {
  type: true,
  id: true,
  pluginVersion: true,
  targets: true,
  title: true,
  description: true,
  transparent: true,
  datasource: true,
  gridPos: true,
  links: true,
  repeat: true,
  repeatDirection: true,
  maxPerRow: true,
  maxDataPoints: true,
  transformations: true,
  interval: true,
  timeFrom: true,
  timeShift: true,
  hideTimeOverride: true,
  timeCompare: true,
  libraryPanel: true,
  cacheTimeout: true,
  queryCachingTTL: true,
  options: true,
  fieldConfig: true,
} satisfies Keys<dashboard.Panel>;

export const ROW_KEYS = {
  type: true,
  collapsed: true,
  title: true,
  datasource: true,
  gridPos: true,
  id: true,
  panels: true,
  repeat: true,
} satisfies Keys<dashboard.RowPanel>;

export const GRID_POS_KEYS = { h: true, w: true, x: true, y: true, static: true } satisfies Keys<dashboard.GridPos>;

export const DATASOURCE_REF_KEYS = { type: true, uid: true } satisfies Keys<common.DataSourceRef>;

export const VARIABLE_KEYS = {
  type: true,
  name: true,
  label: true,
  hide: true,
  skipUrlSync: true,
  description: true,
  query: true,
  datasource: true,
  current: true,
  multi: true,
  allowCustomValue: true,
  options: true,
  refresh: true,
  sort: true,
  includeAll: true,
  allValue: true,
  regex: true,
  staticOptions: true,
  staticOptionsOrder: true,
  auto: true,
  auto_min: true,
  auto_count: true,
  definition: true,
} satisfies Keys<dashboard.VariableModel>;

export const ANNOTATION_KEYS = {
  name: true,
  datasource: true,
  enable: true,
  hide: true,
  iconColor: true,
  filter: true,
  target: true,
  type: true,
  builtIn: true,
  placement: true,
  expr: true,
  textFormat: true,
  titleFormat: true,
  tagKeys: true,
  step: true,
  useValueForTime: true,
  mappings: true,
} satisfies Keys<dashboard.AnnotationQuery>;

export const PROMETHEUS_QUERY_KEYS = {
  adhocFilters: true,
  datasource: true,
  editorMode: true,
  exemplar: true,
  expr: true,
  format: true,
  groupByKeys: true,
  hide: true,
  instant: true,
  intervalFactor: true,
  intervalMs: true,
  legendFormat: true,
  maxDataPoints: true,
  queryType: true,
  range: true,
  refId: true,
  resultAssertions: true,
  scopes: true,
  timeRange: true,
  interval: true,
} satisfies Keys<Omit<prometheus.Dataquery, '_implementsDataqueryVariant'>>;

export const FIELD_CONFIG_SOURCE_KEYS = { defaults: true, overrides: true } satisfies Keys<dashboard.FieldConfigSource>;

export const FIELD_CONFIG_KEYS = {
  displayName: true,
  displayNameFromDS: true,
  description: true,
  path: true,
  writeable: true,
  filterable: true,
  unit: true,
  decimals: true,
  min: true,
  max: true,
  mappings: true,
  thresholds: true,
  color: true,
  links: true,
  actions: true,
  noValue: true,
  custom: true,
  fieldMinMax: true,
} satisfies Keys<dashboard.FieldConfig>;

export const THRESHOLDS_KEYS = { mode: true, steps: true } satisfies Keys<dashboard.ThresholdsConfig>;
export const THRESHOLD_KEYS = { value: true, color: true } satisfies Keys<dashboard.Threshold>;

const LEGEND_KEYS = {
  displayMode: true,
  placement: true,
  showLegend: true,
  asTable: true,
  isVisible: true,
  sortBy: true,
  sortDesc: true,
  width: true,
  calcs: true,
} satisfies Keys<common.VizLegendOptions>;

const TOOLTIP_KEYS = {
  mode: true,
  sort: true,
  maxWidth: true,
  maxHeight: true,
  hideZeros: true,
} satisfies Keys<common.VizTooltipOptions>;

/** Keys of each panel plugin's `options`, and of its `fieldConfig.defaults.custom`. */
export const PANEL_TYPES = {
  timeseries: {
    options: { timezone: true, legend: true, tooltip: true, orientation: true } satisfies Keys<timeseries.Options>,
    custom: {
      drawStyle: true,
      gradientMode: true,
      thresholdsStyle: true,
      transform: true,
      lineColor: true,
      lineWidth: true,
      lineInterpolation: true,
      lineStyle: true,
      fillColor: true,
      fillOpacity: true,
      showPoints: true,
      pointSize: true,
      pointColor: true,
      axisPlacement: true,
      axisColorMode: true,
      axisLabel: true,
      axisWidth: true,
      axisSoftMin: true,
      axisSoftMax: true,
      axisGridShow: true,
      scaleDistribution: true,
      axisCenteredZero: true,
      barAlignment: true,
      barWidthFactor: true,
      stacking: true,
      hideFrom: true,
      insertNulls: true,
      spanNulls: true,
      fillBelowTo: true,
      pointSymbol: true,
      axisBorderShow: true,
      barMaxWidth: true,
    } satisfies Keys<timeseries.FieldConfig>,
  },
  stat: {
    options: {
      graphMode: true,
      colorMode: true,
      justifyMode: true,
      textMode: true,
      wideLayout: true,
      showPercentChange: true,
      reduceOptions: true,
      text: true,
      percentChangeColorMode: true,
      orientation: true,
    } satisfies Keys<stat.Options>,
    custom: {} as Record<string, true>,
  },
  table: {
    options: {
      frameIndex: true,
      showHeader: true,
      showTypeIcons: true,
      sortBy: true,
      footer: true,
      cellHeight: true,
    } satisfies Keys<table.Options>,
    custom: {
      width: true,
      minWidth: true,
      align: true,
      displayMode: true,
      cellOptions: true,
      hidden: true,
      inspect: true,
      filterable: true,
      hideHeader: true,
    } satisfies Keys<table.FieldConfig>,
  },
  'state-timeline': {
    options: {
      showValue: true,
      rowHeight: true,
      mergeValues: true,
      alignValue: true,
      legend: true,
      tooltip: true,
      timezone: true,
      perPage: true,
    } satisfies Keys<statetimeline.Options>,
    custom: {
      lineWidth: true,
      axisPlacement: true,
      axisColorMode: true,
      axisLabel: true,
      axisWidth: true,
      axisSoftMin: true,
      axisSoftMax: true,
      axisGridShow: true,
      scaleDistribution: true,
      axisCenteredZero: true,
      hideFrom: true,
      fillOpacity: true,
      axisBorderShow: true,
      spanNulls: true,
      insertNulls: true,
    } satisfies Keys<statetimeline.FieldConfig>,
  },
} as const;

export const NESTED_OPTION_KEYS: Record<string, Record<string, true>> = {
  legend: LEGEND_KEYS,
  tooltip: TOOLTIP_KEYS,
  reduceOptions: { values: true, limit: true, calcs: true, fields: true } satisfies Keys<common.ReduceDataOptions>,
  thresholdsStyle: { mode: true } satisfies Keys<common.GraphThresholdsStyleConfig>,
  footer: {
    show: true,
    reducer: true,
    fields: true,
    enablePagination: true,
    countRows: true,
  } satisfies Keys<common.TableFooterOptions>,
};

/** Keys of `obj` that are not in `allowed`. */
export function unknownKeys(obj: object, allowed: Record<string, true>): string[] {
  return Object.keys(obj).filter((k) => !Object.hasOwn(allowed, k));
}
