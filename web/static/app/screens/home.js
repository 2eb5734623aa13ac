// The start: a welcome for someone signed out; for a person without a partner, the way to pair;
// for a couple, the open check-in (or when the next one comes) in one glance, and the signals
// between check-ins (screens/signals.js).
import { useEffect, useState } from "preact/hooks";

import { ApiError, api } from "app/api.js";
import { Link, navigate } from "app/router.js";
import { current, homeShown, refreshRound, showRound } from "app/data.js";
import { ConfirmationNote } from "app/screens/account.js";
import { LatestReveal } from "app/screens/checkin.js";
import { Signals } from "app/screens/signals.js";
import { session } from "app/session.js";
import { useStore } from "app/store.js";
import { Button, Loading, Notice, Page, html, when } from "app/ui.js";

/** Two circles that overlap a little: close, and each still whole. Decoration only. */
function Mark() {
  return html`<svg class="welcome-mark" viewBox="0 0 120 80" aria-hidden="true" focusable="false">
    <circle cx="44" cy="40" r="30" fill="#f2a878" fill-opacity="0.92" />
    <circle cx="76" cy="40" r="30" fill="#a8d6c8" fill-opacity="0.85" />
  </svg>`;
}

function Welcome() {
  return html`<${Page} title="Closeness and space, in balance" className="welcome">
    <${Mark} />
    <p class="lead">A regular, gentle check-in for two: are you each getting enough closeness, and enough
    space of your own?</p>
    <p>You both answer privately. Your answers are shown side by side only once you have both answered,
    and differences are offered as something to talk about, never as a score.</p>
    <div class="actions">
      <${Link} class="button button-primary" href="/signup">Create an account<//>
      <${Link} class="button button-secondary" href="/signin">Sign in<//>
    </div>
  <//>`;
}

function OpenRound({ round, partnerName }) {
  return html`<div class="card">
    <h2>Your check-in is open</h2>
    <p>Open until ${when(round.closes_at)}.</p>
    <p>${round.me.answered ? "You have answered. You can change it until you have both answered." : "You have not answered yet."}</p>
    <p><bdi>${partnerName}</bdi> ${round.partner.answered ? "has answered." : "has not answered yet."}</p>
    <${Link} class="button button-primary" href="/checkin">${round.me.answered ? "See or change my answer" : "Answer now"}<//>
  </div>`;
}

function NoRound({ couple }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const next = couple.schedule?.next_checkin_at;
  const checkInNow = async () => {
    setBusy(true);
    setProblem(null);
    try {
      showRound(await api("/checkins", { method: "POST" }));
      navigate("/checkin");
    } catch (error) {
      // 409: one is open already (your partner just opened it), which is what you wanted.
      if (error instanceof ApiError && error.status === 409) {
        refreshRound();
        navigate("/checkin");
      } else setProblem(error.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="card">
    <h2>No check-in open right now</h2>
    ${next ? html`<p>The next one opens ${when(next)}. <${Link} href="/schedule">Change when<//></p>` : null}
    <${Notice} kind="error">${problem}<//>
    <${Button} kind="secondary" busy=${busy} onClick=${checkInNow}>Check in now<//>
  </div>
  <${LatestReveal} />`;
}

function CoupleHome({ couple }) {
  const { round, roundError } = useStore(current);
  // What the memory holds shows at once; the check-in is read again as the screen opens.
  useEffect(() => {
    refreshRound();
    // A signal may come at any moment: while Home shows, the app asks what changed (live.js).
    homeShown(true);
    return () => homeShown(false);
  }, []);
  const partnerName = couple.partner.display_name;
  return html`<${Page} title=${`You and ${partnerName}`}>
    <${ConfirmationNote} />
    ${round === undefined
      ? html`<${Loading} error=${roundError} retry=${refreshRound} />`
      : round?.status === "open"
        ? html`<${OpenRound} round=${round} partnerName=${partnerName} />`
        : html`<${NoRound} couple=${couple} />`}
    <${Signals} couple=${couple} />
    <p><${Link} href="/history">Past check-ins and how things have moved<//></p>
  <//>`;
}

export function Home() {
  const state = useStore(session);
  if (state.status !== "signed-in") return html`<${Welcome} />`;
  if (state.couple === undefined) return html`<${Page} title="Tandem"><${Loading} /><//>`;
  if (state.couple === null) {
    return html`<${Page} title=${`Welcome, ${state.me.display_name}`}>
      <${ConfirmationNote} />
      <p class="lead">Tandem is for two. Invite your partner, or enter the code they gave you.</p>
      <${Link} class="button button-primary" href="/pair">Pair with your partner<//>
    <//>`;
  }
  return html`<${CoupleHome} couple=${state.couple} />`;
}
