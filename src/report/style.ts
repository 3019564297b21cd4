// The report's style sheet, inline so the file opens anywhere without a network: system fonts,
// cards on a light page, verdicts as large badges that say their result in words and symbols
// (not by colour alone), and the chart classes chart-frame.ts and the charts emit.
export const STYLE = `
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --page: #f4f6f8; --card: #fff;
  --pass: #1b7a3d; --pass-bg: #e5f4ea; --fail: #b3261e; --fail-bg: #fde9e7;
  --precopy: #f2cf63; --stopcopy: #7d4fa8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1480px; margin: 0 auto; padding: 0 20px 40px; }
h1 { font-size: 26px; margin: 0; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 22px 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
h4 { font-size: 15px; margin: 0; }
a { color: #0b62a3; }
.topbar { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,.94); border-bottom: 1px solid var(--line);
  backdrop-filter: blur(4px); }
.topbar .inner { max-width: 1480px; margin: 0 auto; padding: 8px 20px; display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
.topbar .brand { font-weight: 700; color: var(--muted); }
.topbar nav { display: flex; gap: 12px; flex-wrap: wrap; }
.topbar label { margin-left: auto; color: var(--muted); cursor: pointer; user-select: none; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-top: 18px;
  box-shadow: 0 1px 2px rgba(16,24,40,.04); }
.headline { display: flex; justify-content: space-between; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
.subtitle { color: var(--muted); margin-top: 4px; }
.kind { display: inline-block; font-size: 12px; font-weight: 600; color: var(--muted); border: 1px solid var(--line);
  border-radius: 4px; padding: 0 6px; margin-right: 8px; vertical-align: 4px; }
.verdicts { display: flex; gap: 12px; flex-wrap: wrap; }
.big-verdict { border-radius: 12px; padding: 10px 18px; min-width: 170px; border: 2px solid; }
.big-verdict .what { font-size: 13px; font-weight: 600; text-transform: uppercase; letter-spacing: .05em; }
.big-verdict .result { font-size: 26px; font-weight: 800; line-height: 1.15; }
.big-verdict .why { font-size: 12.5px; margin-top: 2px; max-width: 260px; }
.big-verdict.pass { background: var(--pass-bg); border-color: var(--pass); color: #0f4d26; }
.big-verdict.fail { background: var(--fail-bg); border-color: var(--fail); color: #7a1410; }
.big-verdict.none { background: #f0f2f5; border-color: #a0a8b3; color: var(--muted); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: 0 28px; margin: 16px 0 0; }
.facts > div { display: grid; grid-template-columns: 118px 1fr; gap: 8px; padding: 5px 0; border-top: 1px solid #eef0f3; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; }
.chip { background: #eef1f5; border-radius: 4px; padding: 0 6px; font-size: 12.5px; white-space: nowrap; }
.verdict { display: inline-block; border-radius: 999px; padding: 1px 9px; font-weight: 700; font-size: 12.5px; white-space: nowrap; }
.verdict.pass { background: var(--pass-bg); color: var(--pass); }
.verdict.fail { background: var(--fail-bg); color: var(--fail); }
.verdict.none { background: #eef0f3; color: var(--muted); }
.verdict.large { font-size: 15px; padding: 3px 12px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid #eceff3; text-align: left; vertical-align: middle; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); white-space: nowrap; }
thead th.group { text-align: center; border-bottom: 1px solid var(--line); }
tbody th { font-weight: 600; }
.num { text-align: right; }
td.over { color: var(--fail); font-weight: 700; background: #fdf1f0; }
td.under { color: #14532d; }
td.state.failed, td.state.cancelled { color: var(--fail); font-weight: 600; }
table.baseline td { white-space: nowrap; }
.table-scroll { overflow-x: auto; }
.empty { color: var(--muted); font-style: italic; }
.notice { border-left: 3px solid #d97706; padding: 4px 10px; background: rgba(217, 119, 6, 0.08); }
.run-head { display: flex; justify-content: space-between; align-items: center; gap: 16px; flex-wrap: wrap; }
.run-head .verdicts { gap: 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; margin: 8px 0 4px; color: var(--muted); font-size: 12.5px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.legend svg { flex: none; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; margin-top: 8px; }
figure { margin: 0; border: 1px solid #e6e9ee; border-radius: 8px; padding: 10px 10px 2px; background: #fff; }
figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 10px; flex-wrap: wrap; padding: 0 4px 2px; }
figcaption .stats { display: flex; gap: 6px; flex-wrap: wrap; font-size: 12.5px; }
figcaption .stat { border-radius: 4px; padding: 0 6px; background: #eef1f5; white-space: nowrap; }
figcaption .stat.over { background: var(--fail-bg); color: var(--fail); font-weight: 700; }
figcaption .stat.under { background: var(--pass-bg); color: var(--pass); }
figure.wide { margin-top: 8px; }
svg.chart { display: block; width: 100%; height: auto; font-size: 11px; }
svg.chart text { fill: #4b5563; }
.plot { fill: #fff; }
.ramp { fill: #eceef2; }
.preCopy, .migration { fill: var(--precopy); fill-opacity: .38; }
.stopAndCopy { fill: var(--stopcopy); fill-opacity: .55; }
.recovery rect { fill: #1f8a70; fill-opacity: .8; }
.recovery-end { stroke: #1f8a70; stroke-width: 2; }
.recovery.not-back rect { fill: none; stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 4 3; }
.grid { stroke: #e7eaee; stroke-width: 1; }
.axis { stroke: #8b95a3; }
.tick { stroke: #8b95a3; }
.x-tick, .stage-label { text-anchor: middle; }
.y-tick { text-anchor: end; }
.axis-title { text-anchor: middle; font-size: 11.5px; }
svg.chart .axis-title { fill: var(--muted); }
.stage.steady { fill: #3b4654; }
.stage.ramping { fill: #c5cad3; }
svg.chart .stage-label { font-size: 10.5px; fill: #3b4654; }
.migration-mark { fill: var(--stopcopy); }
svg.chart .migration-label { fill: var(--stopcopy); font-weight: 700; }
.per-second { fill: none; stroke-width: 1; stroke-opacity: .5; stroke-linejoin: round; }
.halo { fill: none; stroke: #fff; stroke-width: 5.5; stroke-opacity: .85; stroke-linejoin: round; }
.spread { fill-opacity: .16; stroke: none; }
.windowed { fill: none; stroke-width: 2.8; stroke-linejoin: round; stroke-linecap: round; }
.threshold { stroke: #111827; stroke-width: 1.6; stroke-dasharray: 7 4; }
svg.chart .threshold-label { fill: #111827; text-anchor: end; font-weight: 700; paint-order: stroke; stroke: #fff; stroke-width: 4px; }
svg.chart .threshold-label.start { text-anchor: start; }
.error-mark { fill: #c62828; }
svg.chart .peak-label { fill: #8a2a0a; font-weight: 700; paint-order: stroke; stroke: #fff; stroke-width: 4px; }
.ok-area { fill: #0072B2; fill-opacity: .14; }
.ok-line { fill: none; stroke: #0072B2; stroke-width: 1.3; }
.error-area { fill: #c62828; fill-opacity: .8; }
.hit { fill: transparent; pointer-events: all; cursor: crosshair; }
.guide { stroke: #111827; stroke-width: 1; stroke-dasharray: 3 3; pointer-events: none; }
.y-log { display: none; }
body:has(#log-scale:checked) .y-log { display: inline; }
body:has(#log-scale:checked) .y-lin { display: none; }
#tooltip { position: absolute; z-index: 10; pointer-events: none; background: rgba(17,24,39,.94); color: #fff; border-radius: 6px;
  padding: 7px 10px; font-size: 12px; line-height: 1.5; box-shadow: 0 4px 14px rgba(0,0,0,.2); white-space: nowrap; }
#tooltip .t { font-weight: 700; margin-bottom: 2px; }
#tooltip .row { display: flex; justify-content: space-between; gap: 14px; }
#tooltip .key::before { content: ""; display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 6px; background: var(--c, #fff); }
#tooltip .phase { color: #d8c3f0; margin-top: 2px; }
.level-table td, .level-table th { text-align: right; }
.level-table tr > :first-child, .level-table tr > :nth-child(2) { text-align: left; }
.level-table td .second { display: block; font-size: 11.5px; color: var(--muted); font-weight: 400; }
.level-table td.over .second { color: #9b2c24; }
.level-table tr.recommended > * { background: #e8f3ff; }
.level-table tr.recommended > *:first-child { box-shadow: inset 4px 0 0 #0b62a3; }
.grid-table td, .grid-table th { text-align: center; }
.grid-table td.under { color: #1e6b3a; }
.grid-table td.recommended { outline: 3px solid #0b62a3; outline-offset: -3px; font-weight: 700; }
.recommended-tag { display: inline-block; margin-left: 8px; background: #0b62a3; color: #fff; border-radius: 999px; padding: 0 8px;
  font-size: 11.5px; font-weight: 700; vertical-align: 1px; }
.recommendation { display: flex; gap: 18px; align-items: center; border-radius: 12px; padding: 14px 20px; background: #e8f3ff;
  border: 2px solid #0b62a3; color: #0a3d66; }
.recommendation .users { font-size: 34px; font-weight: 800; line-height: 1; }
.recommendation .users small { font-size: 15px; font-weight: 600; }
.recommendation.none { background: var(--fail-bg); border-color: var(--fail); color: #7a1410; }
svg.chart .recommended-tick { fill: #0b62a3; font-weight: 700; }
.recommended-band { fill: #0b62a3; fill-opacity: .08; }
.level-point.over { stroke: #b3261e; stroke-width: 2; }
.recommendation .what { font-weight: 700; text-transform: uppercase; font-size: 12.5px; letter-spacing: .05em; }
details.level > summary { cursor: pointer; font-weight: 600; padding: 6px 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; text-align: center; }
@media print { .topbar { position: static; } .hit { display: none; } }
`;
