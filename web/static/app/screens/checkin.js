// The check-in: the open round's one-thumb form (two ratings and two notes), kept on the device
// and sent later when offline; and a round's reveal, both answers side by side with what stands
// out. The partner's answer is shown only when the API gives it (after both have answered).
import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError, Offline, api, isSignedOut } from "app/api.js";
import { current, refreshRound, showRound, useResource } from "app/data.js";
import {
  answerMade, keptAnother, outbox, outboxDismiss, outboxDrop, outboxEntry, outboxFlush, outboxKeep, outboxSettled,
} from "app/outbox.js";
import { Link } from "app/router.js";
import { session } from "app/session.js";
import { useStore } from "app/store.js";
import { Button, Loading, Notice, Page, TEXT_LIMITS, TextArea, announce, day, html, useForm, when } from "app/ui.js";

export const RATINGS = [
  [1, "Not at all"],
  [2, "A little"],
  [3, "Somewhat"],
  [4, "Mostly"],
  [5, "Fully"],
];
const RATING_WORDS = Object.fromEntries(RATINGS);

export const QUESTIONS = {
  connection: "Am I getting enough connection (closeness, time, attention) from us?",
  independence: "Am I getting enough independence (space, time and choices of my own)?",
};

// Patterns in plain, blame-free words, after "You" or the partner's name (checkin/patterns.py
// says what each one is).
const PATTERN_SENTENCES = {
  integrated: { you: "feel close and free.", partner: "feels close and free." },
  engulfed: { you: "feel close, and would like more room of your own.", partner: "feels close, and would like more room of their own." },
  isolated: {
    you: "have room of your own, and would like more closeness.",
    partner: "has room of their own, and would like more closeness.",
  },
  adrift: { you: "would like more closeness and more room of your own.", partner: "would like more closeness and more room of their own." },
};

/** A pattern in a few words, for lists: "close and free". */
export const PATTERN_SHORT = {
  integrated: "close and free",
  engulfed: "close, would like more room",
  isolated: "free, would like more closeness",
  adrift: "would like more closeness and room",
};

const OFFLINE_KEPT = "You are offline. Your answer is kept on this device and will be sent when the connection is back.";
const CLOSED = "This check-in has closed, so your answer could not be saved. There will be another one soon.";
const LATER_KEPT = "You changed your answer later in another tab or on another device, so that answer is kept. It is shown here.";
const ALREADY_REVEALED = "You have both answered already, so this change could not be saved. Here are your answers side by side.";
const EXPIRED = "This check-in closed before you both answered. That's okay — there will be another one.";

export function ratingText(value) {
  return `${value} ${RATING_WORDS[value] || ""}`.trim();
}

function partnerNameOf(state) {
  return state.couple?.partner?.display_name || "your partner";
}

/** Who the partner of this round was (its couple may have ended since); else the current one's. */
export function partnerOfRound(round, state) {
  return round?.partner?.display_name || partnerNameOf(state);
}

/** What stands where a side's answer was: "Removed" once they took their answers along. */
function missing(side) {
  return side.removed ? html`<span class="removed">Removed</span>` : "—";
}

function LockMark() {
  return html`<svg class="lock" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
    <rect x="3" y="7" width="10" height="8" rx="1.5" fill="currentColor" />
    <path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.8" />
  </svg>`;
}

function RatingGroup({ name, value, onChange, error }) {
  const errorId = `rating-${name}-error`;
  return html`<fieldset class="rating-group" aria-describedby=${error ? errorId : undefined}>
    <legend>${QUESTIONS[name]}</legend>
    <div class="scale">
      ${RATINGS.map(([number, words]) => {
        const id = `rating-${name}-${number}`;
        return html`<div class="choice" key=${id}>
          <input type="radio" id=${id} name=${name} value=${number} checked=${value === number}
            aria-invalid=${error ? "true" : undefined} onChange=${() => onChange(number)} />
          <label for=${id}><span class="choice-number">${number}</span>${" "}<span class="choice-words">${words}</span></label>
        </div>`;
      })}
    </div>
    ${error ? html`<p class="field-error" id=${errorId}>${error}</p>` : null}
  </fieldset>`;
}

/** Whether the partner has answered, said neutrally: never a nudge. */
function PartnerState({ round, partnerName }) {
  return html`<span class="partner-state">${round.partner.answered ? `${partnerName} has answered.` : `${partnerName} has not answered yet.`}</span>`;
}

function answerOf(round, userId) {
  const pending = outboxEntry(round.id, userId);
  return fieldsOf(pending?.body || round.me.response);
}

function fieldsOf(source) {
  return {
    connection: source?.connection ?? null,
    independence: source?.independence ?? null,
    note: source?.note ?? "",
    private_note: source?.private_note ?? "",
  };
}

function AnswerForm({ round, userId, partnerName, onSend, onCancel }) {
  const form = useForm(answerOf(round, userId), { limits: { note: TEXT_LIMITS.note, private_note: TEXT_LIMITS.note } });
  const formRef = useRef(null);
  useStore(outbox); // re-rendered when what waits on this device changes
  const pending = outboxEntry(round.id, userId);
  const choose = (name) => (number) => form.setValues((previous) => ({ ...previous, [name]: number }));

  const send = async (values) => {
    const missing = {};
    if (!values.connection) missing.connection = ["Choose how much connection you are getting, from 1 (not at all) to 5 (fully)."];
    if (!values.independence) missing.independence = ["Choose how much independence you have, from 1 (not at all) to 5 (fully)."];
    if (Object.keys(missing).length) throw new ApiError(400, missing);
    await onSend(answerMade({
      connection: values.connection,
      independence: values.independence,
      note: values.note,
      private_note: values.private_note,
    }));
  };

  // Once nothing waits on this device, the form shows what the server keeps: after an answer from
  // the outbox was sent, or when the round read again holds another answer.
  const onServer = round.me.response;
  useEffect(() => {
    if (!pending) form.setValues(answerOf(round, userId));
  }, [onServer?.made_at, Boolean(pending)]);

  // Opened to change an answer (the button that opened it is gone): the focus goes to the first
  // question's choice, never to the page's body.
  useEffect(() => {
    const form = formRef.current;
    if (onCancel) (form?.querySelector("input[type=radio]:checked") || form?.querySelector("input[type=radio]"))?.focus();
  }, []);

  // After a refused answer, focus goes to the first thing to fix.
  useEffect(() => {
    if (!form.error) return;
    const invalid = formRef.current?.querySelector("[aria-invalid='true']:checked, [aria-invalid='true']");
    (invalid || formRef.current?.querySelector(".notice-holder"))?.focus();
  }, [form.error]);

  return html`<form class="answer-form" ref=${formRef} onSubmit=${form.submit(send)} novalidate>
    <p class="round-status">Open until ${when(round.closes_at)}.${" "}<${PartnerState} round=${round} partnerName=${partnerName} /></p>
    ${pending
      ? html`<${Notice} kind="kind">Your answer from ${when(pending.savedAt)} is kept on this device and waiting to
          be sent. It goes as soon as the connection is back.<//>`
      : null}
    <${RatingGroup} name="connection" value=${form.values.connection} onChange=${choose("connection")}
      error=${form.error instanceof ApiError ? form.error.field("connection") : null} />
    <${RatingGroup} name="independence" value=${form.values.independence} onChange=${choose("independence")}
      error=${form.error instanceof ApiError ? form.error.field("independence") : null} />
    <${TextArea} label="A note to share (optional)" hint=${`Shown to ${partnerName} when you have both answered.`}
      ...${form.bind("note")} />
    <div class="private-note">
      <p class="private-marker"><${LockMark} /> Only you see this</p>
      <${TextArea} label="Private note (only you see this)" hint=${`Never shown to ${partnerName}.`}
        ...${form.bind("private_note")} />
    </div>
    <p class="hint">You can change this until you have both answered.</p>
    ${form.general ? html`<div tabindex="-1" class="notice-holder"><${Notice} kind="error">${form.general}<//></div>` : null}
    <${Button} type="submit" busy=${form.busy} class="button button-primary wide">
      ${round.me.answered || pending ? "Save changes" : "Send my answer"}
    <//>
    ${onCancel ? html`<button class="button button-secondary wide" type="button" onClick=${onCancel}>Keep my answer as it was</button>` : null}
  </form>`;
}

function Rating({ value }) {
  return html`<span class="rating">
    <span class="rating-number">${value}</span>${" "}<span class="rating-words">${RATING_WORDS[value]}</span>
    <span class="pips" aria-hidden="true">${RATINGS.map(([n]) => html`<span class=${n <= value ? "pip on" : "pip"}></span>`)}</span>
  </span>`;
}

function SharedNote({ text }) {
  return text ? html`<span class="shared-note" dir="auto">${text}</span>` : html`<span class="muted">No note</span>`;
}

// How often, and how many times, a revealed round is read again while its answers are compared.
const ANALYSIS_POLL_SECONDS = 3;
const ANALYSIS_POLLS = 40;

/** A revealed round whose answers have not been compared yet is read again every few seconds
 * until they have (the worker usually takes a moment), so its flags appear without a reload. */
function useRefreshUntilAnalysed(round, reload) {
  const waiting = round?.status === "revealed" && !round.analysed_at;
  useEffect(() => {
    if (!waiting) return undefined;
    let polls = 0;
    const timer = setInterval(() => {
      polls += 1;
      if (polls > ANALYSIS_POLLS) clearInterval(timer);
      else reload();
    }, ANALYSIS_POLL_SECONDS * 1000);
    return () => clearInterval(timer);
  }, [waiting, round?.id]);
}

/** What the check-in showed worth talking about: one card, led by the most important flag (the
 * server sends them most important first, and the first leads the check-in's one Talk), the
 * others listed beneath as points of the same conversation. */
function Flags({ flags, analysed }) {
  const [lead, ...others] = flags;
  // Once the answers are compared while the reveal is open, the shell's live region says so.
  const waited = useRef(!analysed);
  useEffect(() => {
    if (analysed && waited.current) announce(flags.length ? "Something worth talking about is shown below." : "Nothing stands out this time.");
    waited.current = !analysed;
  }, [analysed]);
  return html`<section class="flags" aria-labelledby="flags-heading">
    <h2 id="flags-heading">Worth talking about</h2>
    ${!analysed
      ? html`<p class="muted">Looking at your answers together. Anything worth talking about will show here in a moment.</p>`
      : lead
      ? html`<div class="card flag-card">
          <p id="flag-lead" class="flag-lead">${lead.summary}</p>
          ${others.length
            ? html`<ul class="flag-points" aria-label="Also this time">
                ${others.map((flag, index) => html`<li key=${index}>${flag.summary}</li>`)}
              </ul>`
            : null}
          ${lead.discussion_id !== null
            ? html`<${Link} class="button button-secondary" href=${`/discussions/${lead.discussion_id}`}
                aria-describedby="flag-lead">Talk about this<//>`
            : null}
        </div>`
      : html`<p>Nothing stands out this time.</p>`}
  </section>`;
}

/** Both answers side by side, each pattern in words, and what is worth talking about. */
export function Reveal({ round, partnerName, headingRef }) {
  const mine = round.me.response;
  const theirs = round.partner.response;
  const patterns = round.patterns;
  return html`<section class="reveal" aria-labelledby="reveal-heading">
    <h2 id="reveal-heading" tabindex="-1" ref=${headingRef}>Your answers, side by side</h2>
    ${round.revealed_at ? html`<p class="muted">Both answered by ${when(round.revealed_at)}.</p>` : null}
    ${round.partner.removed ? html`<p class="muted"><bdi>${partnerName}</bdi> took their answers with them when they left.</p>` : null}
    ${round.me.removed ? html`<p class="muted">You took your answers with you when you left.</p>` : null}
    <table class="side-by-side">
      <caption class="visually-hidden">Your answers and ${partnerName}'s</caption>
      <thead><tr><td></td><th scope="col">You</th><th scope="col"><bdi>${partnerName}</bdi></th></tr></thead>
      <tbody>
        <tr><th scope="row">Connection</th>
          <td data-who="You">${mine ? html`<${Rating} value=${mine.connection} />` : missing(round.me)}</td>
          <td data-who=${partnerName}>${theirs ? html`<${Rating} value=${theirs.connection} />` : missing(round.partner)}</td></tr>
        <tr><th scope="row">Independence</th>
          <td data-who="You">${mine ? html`<${Rating} value=${mine.independence} />` : missing(round.me)}</td>
          <td data-who=${partnerName}>${theirs ? html`<${Rating} value=${theirs.independence} />` : missing(round.partner)}</td></tr>
        <tr><th scope="row">Shared note</th>
          <td data-who="You">${mine || !round.me.removed ? html`<${SharedNote} text=${mine?.note} />` : missing(round.me)}</td>
          <td data-who=${partnerName}>${theirs || !round.partner.removed ? html`<${SharedNote} text=${theirs?.note} />` : missing(round.partner)}</td></tr>
        ${mine?.private_note
          ? html`<tr class="private-row"><th scope="row">Private note</th>
              <td><span class="private-marker"><${LockMark} /> Only you see this</span>
                <span class="shared-note" dir="auto">${mine.private_note}</span></td>
              <td></td></tr>`
          : null}
      </tbody>
    </table>
    ${patterns
      ? html`<ul class="patterns">
          <li><span class="who who-me">You</span> ${PATTERN_SENTENCES[patterns.me].you}</li>
          <li><bdi class="who who-partner">${partnerName}</bdi> ${PATTERN_SENTENCES[patterns.partner].partner}</li>
        </ul>`
      : null}
    <${Flags} flags=${round.flags} analysed=${Boolean(round.analysed_at)} />
  </section>`;
}

function Expired({ round }) {
  const mine = round.me.response;
  return html`<div class="card calm">
    <p>${EXPIRED}</p>
    ${mine
      ? html`<p class="muted">${`You had answered: connection ${ratingText(mine.connection)}, independence ${ratingText(mine.independence)}. Only you see this.`}</p>`
      : null}
  </div>`;
}

// Notices about answers sent from the outbox: shown here, then let go when the screen closes.
function useOutboxNotices(roundId, onSettled) {
  const { notices } = useStore(outbox);
  const shown = useRef(new Set());
  const handled = useRef(new Set());
  useEffect(() => {
    for (const notice of notices) {
      shown.current.add(notice.id);
      if (notice.roundId === roundId && !handled.current.has(notice.id)) {
        handled.current.add(notice.id);
        onSettled(notice);
      }
    }
  }, [notices, roundId]);
  useEffect(() => () => outboxDismiss([...shown.current]), []);
  // This round's news is told where the round is shown; the rest (older rounds) at the top.
  return notices.filter((notice) => notice.kind === "refused" && notice.roundId !== roundId);
}

// A reveal stays a tap away from the start for this long after it happened.
const LATEST_REVEAL_DAYS = 7;

async function latestReveal() {
  const page = await api("/checkins");
  const latest = page.results[0];
  const recent = latest?.revealed_at && Date.now() - Date.parse(latest.revealed_at) < LATEST_REVEAL_DAYS * 86400e3;
  return latest?.status === "revealed" && recent ? latest : null;
}

/** The latest check-in, when both answered it in the last week: once the round is no longer
 * open, this is where its answers side by side are found again. */
export function LatestReveal() {
  const latest = useResource("latest-reveal", latestReveal, ["round"]);
  if (!latest.data) return null;
  return html`<div class="card">
    <h2>Your latest check-in</h2>
    <p>You both answered on ${day(latest.data.revealed_at)}.</p>
    <${Link} class="button button-secondary" href=${`/checkins/${latest.data.id}`}>See your answers side by side<//>
  </div>`;
}

function NoRound({ couple }) {
  const next = couple?.schedule?.next_checkin_at;
  return html`<div class="card calm">
    <p>No check-in is open right now.</p>
    ${next ? html`<p>The next one opens ${when(next)}.</p>` : null}
    <p class="tap"><${Link} href="/">Go home<//> · <${Link} href="/history">See past check-ins<//></p>
  </div>
  <${LatestReveal} />`;
}

/** After an answer: sealed, it waits for the partner (or, kept on this device, for the network);
 * changing it is one tap away. */
function Sealed({ round, pending, partnerName, onChange, headingRef }) {
  const answer = pending?.body || round.me.response;
  return html`<section class="card sealed" aria-labelledby="sealed-heading">
    <h2 id="sealed-heading" tabindex="-1" ref=${headingRef}>
      ${pending ? "Your answer is waiting to be sent" : html`Waiting for <bdi>${partnerName}</bdi>`}
    </h2>
    <p>${pending
      ? `Your answer from ${when(pending.savedAt)} is kept on this device. It is sent as soon as the connection is back.`
      : "Your answer is in. You see each other's answers once you have both answered."}
      ${" "}You can change it until you have both answered.</p>
    <p class="round-status">Open until ${when(round.closes_at)}.${" "}<${PartnerState} round=${round} partnerName=${partnerName} /></p>
    ${answer
      ? html`<dl class="sealed-answer">
          <dt>Connection</dt><dd>${ratingText(answer.connection)}</dd>
          <dt>Independence</dt><dd>${ratingText(answer.independence)}</dd>
          ${answer.note ? html`<dt>Your note</dt><dd dir="auto">${answer.note}</dd>` : null}
          ${answer.private_note
            ? html`<dt><${LockMark} /> Private note (only you see this)</dt><dd dir="auto">${answer.private_note}</dd>`
            : null}
        </dl>`
      : null}
    <button class="button button-secondary" type="button" onClick=${onChange}>Change my answer</button>
  </section>`;
}

// What happened to the last answer sent from this screen, said above what the screen shows.
const SAID = {
  offline: { kind: "kind", text: OFFLINE_KEPT },
  closed: { kind: "kind", text: CLOSED },
  alreadyRevealed: { kind: "kind", text: ALREADY_REVEALED },
  laterKept: { kind: "info", text: LATER_KEPT },
  revealed: { kind: "info", text: "Sent. You have both answered, so here are your answers side by side." },
};

export function Checkin() {
  const state = useStore(session);
  const { round, roundError } = useStore(current);
  useStore(outbox); // re-rendered when what waits on this device changes, in any tab
  const partnerName = partnerOfRound(round, state);
  const userId = state.me?.id;
  const pending = round?.status === "open" ? outboxEntry(round.id, userId) : null;
  const [message, setMessage] = useState(null); // {kind, text, code}
  const [editing, setEditing] = useState(false);
  const revealHeading = useRef(null);
  const focusReveal = useRef(false); // an answer sent from the outbox revealed the round
  const sealedHeading = useRef(null);
  const focusSealed = useRef(false); // the change was let go: the focus returns to the sealed answer

  // What the memory holds shows at once; the check-in is read again as the screen opens.
  useEffect(() => {
    refreshRound();
  }, []);
  useEffect(() => {
    if (round?.status === "open") outboxFlush();
    setEditing(false);
  }, [round?.id]);
  useRefreshUntilAnalysed(round, refreshRound);
  useEffect(() => {
    if (focusReveal.current && round?.status === "revealed") {
      focusReveal.current = false;
      revealHeading.current?.focus();
    }
    if (focusSealed.current && sealedHeading.current) {
      focusSealed.current = false;
      sealedHeading.current.focus();
    }
  });

  // An answer from the outbox was sent or refused: said here, and the check-in read again.
  const notices = useOutboxNotices(round?.id, async (notice) => {
    setMessage({ kind: notice.kind === "sent" ? "info" : "kind", text: notice.text });
    setEditing(false);
    const fresh = await refreshRound();
    if (fresh?.status === "revealed") focusReveal.current = true;
  });

  const say = (code) => setMessage({ ...SAID[code], code });

  const send = async (body) => {
    setMessage(null);
    const roundId = round.id;
    await outboxSettled();
    let response;
    try {
      response = await api(`/checkins/${roundId}/response`, { method: "PUT", body });
    } catch (error) {
      if (error instanceof Offline) {
        outboxKeep({ roundId, userId, body });
        setEditing(false);
        say("offline");
        return;
      }
      // Signed out meanwhile (the session expired): kept for when this person signs in again.
      if (isSignedOut(error)) outboxKeep({ roundId, userId, body });
      if (error instanceof ApiError && error.status === 409) {
        outboxDrop(roundId);
        const fresh = await refreshRound();
        setEditing(false);
        say(fresh?.status === "revealed" ? "alreadyRevealed" : "closed");
        return;
      }
      throw error;
    }
    outboxDrop(roundId);
    showRound({ ...round, me: { ...round.me, answered: true, response } });
    setEditing(false);
    // The form is gone either way: the focus goes to the screen's heading (ui.js, useForm).
    const fresh = await refreshRound();
    if (fresh?.status === "revealed") say("revealed");
    else if (keptAnother(body, response)) say("laterKept");
    return response;
  };

  let body;
  if (state.couple === undefined) body = html`<${Loading} />`;
  else if (state.couple === null) {
    body = html`<p>Check-ins are for two. <${Link} href="/pair">Pair with your partner<//> first.</p>`;
  } else if (round === undefined) body = html`<${Loading} error=${roundError} retry=${refreshRound} />`;
  else if (round === null) body = html`<${NoRound} couple=${state.couple} />`;
  else if (round.status === "open" && (editing || !(pending || round.me.answered))) {
    body = html`<${AnswerForm} key=${round.id} round=${round} userId=${userId} partnerName=${partnerName} onSend=${send}
      onCancel=${editing
        ? () => {
            focusSealed.current = true;
            setEditing(false);
          }
        : null} />`;
  } else if (round.status === "open") {
    body = html`<${Sealed} round=${round} pending=${pending} partnerName=${partnerName} headingRef=${sealedHeading}
      onChange=${() => {
        setMessage(null);
        setEditing(true);
      }} />`;
  } else if (round.status === "revealed") {
    body = html`<${Reveal} round=${round} partnerName=${partnerName} headingRef=${revealHeading} />`;
  } else if (message?.code !== "closed") {
    body = html`<${Expired} round=${round} />`;
  }

  return html`<${Page} title="Your check-in" className="checkin">
    ${notices.map((notice) => html`<${Notice} key=${notice.id} kind="kind">${notice.text}<//>`)}
    ${message ? html`<${Notice} kind=${message.kind}>${message.text}<//>` : null}
    ${body}
  <//>`;
}

function OpenElsewhere({ round, partnerName }) {
  return html`<div class="card">
    <p>This check-in is open until ${when(round.closes_at)}.${" "}<${PartnerState} round=${round} partnerName=${partnerName} /></p>
    <${Link} class="button button-primary" href="/checkin">${round.me.answered ? "See or change my answer" : "Answer now"}<//>
  </div>`;
}

/** One round, from the history or a notification. */
export function RoundScreen({ id }) {
  const state = useStore(session);
  const round = useResource(`round:${id}`, () => api(`/checkins/${id}`), ["round"], { marksSeen: true });
  const data = round.data;
  const partnerName = partnerOfRound(data, state);
  useRefreshUntilAnalysed(data, round.reload);
  const title = data ? `Check-in of ${day(data.opens_at)}` : "Check-in";
  let body;
  if (!data) {
    body = html`<${Loading} error=${round.error} retry=${round.reload} />
      ${round.error ? html`<p class="tap"><${Link} href="/history">Back to the history<//></p>` : null}`;
  } else if (data.status === "open") body = html`<${OpenElsewhere} round=${data} partnerName=${partnerName} />`;
  else if (data.status === "revealed") body = html`<${Reveal} round=${data} partnerName=${partnerName} />`;
  else body = html`<${Expired} round=${data} />`;
  return html`<${Page} title=${title} className="checkin">
    ${body}
    ${data ? html`<p class="tap back"><${Link} href="/history">All check-ins<//></p>` : null}
  <//>`;
}
