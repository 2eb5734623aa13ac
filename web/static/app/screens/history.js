// The history: how both partners' ratings have moved (a small chart with a table as its text
// alternative) and every past check-in, newest first, each opening its reveal. A couple that has
// ended keeps its check-ins here to read, each naming who it was with.
import { api } from "app/api.js";
import { LegendSample, RatingsChart, shortDate } from "app/chart.js";
import { useResource, useTopics } from "app/data.js";
import { Link } from "app/router.js";
import { PATTERN_SHORT } from "app/screens/checkin.js";
import { session } from "app/session.js";
import { useStore } from "app/store.js";
import { Loading, MorePages, Page, day, html, usePages } from "app/ui.js";

const CHART_ROUNDS = 12;
const DIMENSIONS = [
  ["connection", "Connection"],
  ["independence", "Independence"],
];

/** Both series, round by round, oldest first: only rounds both answered (revealed). */
function pointsOf(trends) {
  const theirs = new Map(trends.series.partner.map((point) => [point.round_id, point]));
  return trends.series.me
    .filter((point) => theirs.has(point.round_id))
    .map((point) => ({ round_id: point.round_id, revealed_at: point.revealed_at, me: point, partner: theirs.get(point.round_id) }))
    .sort((a, b) => new Date(a.revealed_at) - new Date(b.revealed_at));
}

function Trends({ partnerName }) {
  const trends = useResource("trends", () => api("/checkins/trends"), ["round", "couple"]);
  if (!trends.data) return html`<${Loading} error=${trends.error} retry=${trends.reload} />`;
  const all = pointsOf(trends.data);
  if (!all.length) {
    return html`<p class="card calm">Once you have both answered a check-in, how things move over time will show here.</p>`;
  }
  const points = all.slice(-CHART_ROUNDS);
  const latest = points[points.length - 1];
  const span = points.length === 1 ? "the last check-in" : `the last ${points.length} check-ins`;
  return html`<section class="trends" aria-labelledby="trends-heading">
    <h2 id="trends-heading">How things have moved</h2>
    <ul class="legend">
      <li><${LegendSample} who="me" /> You (solid line, dots)</li>
      <li><${LegendSample} who="partner" /> <bdi>${partnerName}</bdi> (dashed line, squares)</li>
      <li><${LegendSample} who="gap" /> The difference between you</li>
    </ul>
    <${RatingsChart} points=${points} dimensions=${DIMENSIONS} describedBy="trends-latest"
      label=${`Connection and independence ratings over ${span}, you and ${partnerName}, from 1 (not at all) to 5 (fully)`} />
    <p id="trends-latest" class="muted">${`Latest, ${day(latest.revealed_at)}: you ${latest.me.connection} for connection and ${latest.me.independence} for independence; ${partnerName} ${latest.partner.connection} and ${latest.partner.independence}. 3 and above means enough.`}</p>
    <details class="chart-table">
      <summary>The ratings as a table</summary>
      <div class="table-scroll" tabindex="0" role="region" aria-label="Ratings table">
        <table>
          <caption class="visually-hidden">Ratings over ${span}, 1 (not at all) to 5 (fully)</caption>
          <thead>
            <tr><td></td><th scope="colgroup" colspan="2">Connection</th><th scope="colgroup" colspan="2">Independence</th></tr>
            <tr><th scope="col">Date</th><th scope="col">You</th><th scope="col">${partnerName}</th>
              <th scope="col">You</th><th scope="col">${partnerName}</th></tr>
          </thead>
          <tbody>
            ${[...points].reverse().map((point) => html`<tr key=${point.round_id}>
              <th scope="row"><${Link} href=${`/checkins/${point.round_id}`}>${shortDate(point.revealed_at)}<//></th>
              <td>${point.me.connection}</td><td>${point.partner.connection}</td>
              <td>${point.me.independence}</td><td>${point.partner.independence}</td>
            </tr>`)}
          </tbody>
        </table>
      </div>
    </details>
  </section>`;
}

function roundWords(round, partnerName) {
  if (round.status === "open") return "Open now";
  if (round.status === "expired") return "Closed before you both answered";
  if (round.partner.removed) return `Both answered; ${partnerName}'s answers were removed`;
  if (round.me.removed) return "Both answered; you took your answers with you";
  if (!round.patterns) return "Both answered";
  return `You: ${PATTERN_SHORT[round.patterns.me]} · ${partnerName}: ${PATTERN_SHORT[round.patterns.partner]}`;
}

function RoundItem({ round, fallbackName, currentPartner, itemRef }) {
  const talk = round.flags?.length || 0;
  const partnerName = round.partner.display_name || fallbackName;
  // A round of a couple that has ended says who it was with.
  const former = partnerName !== currentPartner;
  return html`<li ref=${itemRef}>
    <${Link} class="round-link" href=${round.status === "open" ? "/checkin" : `/checkins/${round.id}`}>
      <span class="round-date">${day(round.opens_at)}</span>${" "}
      ${former ? html`<span class="round-with">with ${partnerName}</span>${" "}` : null}
      <span class=${`round-words round-${round.status}`}>${roundWords(round, partnerName)}</span>${" "}
      ${talk ? html`<span class="round-flags">${talk === 1 ? "1 thing" : `${talk} things`} worth talking about</span>` : null}
    <//>
  </li>`;
}

function Rounds({ pages, fallbackName, currentPartner }) {
  return html`<section aria-labelledby="rounds-heading">
    <h2 id="rounds-heading">Past check-ins</h2>
    ${pages.items.length
      ? html`<ul class="round-list">
          ${pages.items.map((round) => html`<${RoundItem} key=${round.id} round=${round} fallbackName=${fallbackName}
            currentPartner=${currentPartner} itemRef=${pages.itemRef(round)} />`)}
        </ul>`
      : html`<p class="card calm">No check-ins yet. Each one will be here once it opens.</p>`}
    <${MorePages} pages=${pages} />
  </section>`;
}

export function History() {
  const state = useStore(session);
  const pages = usePages((page) => api("/checkins", { query: { page } }), [state.couple?.id]);
  useTopics(["round", "couple"], pages.first.reload);
  if (state.couple === undefined || !pages.first.data) {
    return html`<${Page} title="History"><${Loading} error=${pages.first.error} retry=${pages.first.reload} /><//>`;
  }
  const paired = Boolean(state.couple);
  // Trends are of the latest couple, whose check-ins come first (newest first).
  const partnerName = state.couple?.partner?.display_name || pages.items[0]?.partner.display_name || "your partner";
  if (!paired && !pages.items.length) {
    return html`<${Page} title="History">
      <p>Check-ins are for two. <${Link} href="/pair">Pair with your partner<//> and your history will build up here.</p>
    <//>`;
  }
  return html`<${Page} title="History" className="history">
    ${paired
      ? null
      : html`<p class="card calm">Your couple has ended. The check-ins you shared stay here to read.${" "}
          <${Link} href="/pair">Pair with someone<//> to check in again.</p>`}
    <${Trends} partnerName=${partnerName} />
    <${Rounds} pages=${pages} fallbackName="your former partner" currentPartner=${state.couple?.partner?.display_name} />
  <//>`;
}
