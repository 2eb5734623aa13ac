// A small hand-written SVG chart of both partners' ratings over time: one panel per question,
// two lines (solid with dots for "you", dashed with squares for the partner, so colour is never
// the only difference) and the gap between them shaded. Its text alternative is a data table.
import { html } from "app/ui.js";

const WIDTH = 320;
const PANEL = 132; // one panel's height, title and date labels included
const GAP = 14;
const LEFT = 24;
const RIGHT = 10;
const TOP = 24;
const BOTTOM = 22;
const SHORT_DATE = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });

export function shortDate(iso) {
  return iso ? SHORT_DATE.format(new Date(iso)) : "";
}

/**
 * `points`: [{round_id, revealed_at, me: {connection, independence}, partner: {...}}], oldest
 * first. `dimensions`: [[key, title], ...], one panel each.
 */
export function RatingsChart({ points, dimensions, label, describedBy }) {
  const height = dimensions.length * PANEL + (dimensions.length - 1) * GAP;
  return html`<svg class="ratings-chart" viewBox=${`0 0 ${WIDTH} ${height}`} role="img" aria-label=${label}
    aria-describedby=${describedBy} focusable="false">
    ${dimensions.map(([key, title], index) => html`<${Panel} key=${key} points=${points} dimension=${key}
      title=${title} offset=${index * (PANEL + GAP)} />`)}
  </svg>`;
}

function Panel({ points, dimension, title, offset }) {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = PANEL - TOP - BOTTOM;
  const x = (index) => LEFT + (points.length === 1 ? plotWidth / 2 : (index * plotWidth) / (points.length - 1));
  const y = (rating) => offset + TOP + ((5 - rating) * plotHeight) / 4;
  const mine = points.map((point, index) => [x(index), y(point.me[dimension])]);
  const theirs = points.map((point, index) => [x(index), y(point.partner[dimension])]);
  const line = (coordinates) => coordinates.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ");
  // The area between the two lines: along mine, then back along theirs.
  const gap = line([...mine, ...[...theirs].reverse()]);
  const labelled = points.length <= 2 ? points.map((_, index) => index) : [0, Math.floor((points.length - 1) / 2), points.length - 1];
  return html`<g>
    <text class="chart-title" x="0" y=${offset + 14}>${title}</text>
    ${[1, 2, 3, 4, 5].map((rating) => html`<g key=${rating}>
      <line class=${rating === 3 ? "chart-grid chart-grid-met" : "chart-grid"} x1=${LEFT} x2=${WIDTH - RIGHT}
        y1=${y(rating)} y2=${y(rating)} />
      <text class="chart-axis" x=${LEFT - 8} y=${y(rating) + 4} text-anchor="end">${rating}</text>
    </g>`)}
    ${[...new Set(labelled)].map((index) => html`<text key=${index} class="chart-axis" x=${x(index)}
      y=${offset + PANEL - 4} text-anchor=${points.length > 1 && index === 0 ? "start" : points.length > 1 && index === points.length - 1 ? "end" : "middle"}>
      ${shortDate(points[index].revealed_at)}</text>`)}
    ${points.length > 1 ? html`<polygon class="chart-gap" points=${gap} />` : null}
    ${points.length > 1 ? html`<polyline class="chart-line chart-partner" points=${line(theirs)} />` : null}
    ${points.length > 1 ? html`<polyline class="chart-line chart-me" points=${line(mine)} />` : null}
    ${theirs.map(([px, py], index) => html`<rect key=${`p${index}`} class="chart-mark chart-partner-mark"
      x=${px - 4.5} y=${py - 4.5} width="9" height="9" />`)}
    ${mine.map(([px, py], index) => html`<circle key=${`m${index}`} class="chart-mark chart-me-mark" cx=${px} cy=${py} r="3.6" />`)}
  </g>`;
}

/** The legend's small samples of each line, so it reads the same as the chart. */
export function LegendSample({ who }) {
  if (who === "gap") {
    return html`<svg class="legend-sample" viewBox="0 0 28 14" width="28" height="14" aria-hidden="true" focusable="false">
      <rect class="chart-gap" x="1" y="2" width="26" height="10" /></svg>`;
  }
  const mark = who === "me"
    ? html`<circle class="chart-mark chart-me-mark" cx="14" cy="7" r="3.6" />`
    : html`<rect class="chart-mark chart-partner-mark" x="9.5" y="2.5" width="9" height="9" />`;
  return html`<svg class="legend-sample" viewBox="0 0 28 14" width="28" height="14" aria-hidden="true" focusable="false">
    <line class=${`chart-line ${who === "me" ? "chart-me" : "chart-partner"}`} x1="0" x2="28" y1="7" y2="7" />${mark}</svg>`;
}
