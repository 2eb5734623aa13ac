// Live: the partner's doings reach this open screen without a reload. While the app is in view and
// waits on the partner, it asks GET /api/v1/changes?since=<cursor> every 3 s, backing off to 8 s
// while nothing moves (a 204 the server answers from its cache, no database query); and once at
// once when the app comes back into view or back online, or the service worker says a push came.
// Topics that changed are told as a window event, "tandem:changed" {detail: {topics}}, which
// whoever holds the screens' data listens to. ARCHITECTURE.md ("Live") says why this and not
// server-sent events or a plain poll, with the bench's figures.
import { api } from "app/api.js";
import { onWaitingChange, waitingOnPartner } from "app/data.js";
import { session } from "app/session.js";

const FASTEST_MS = 3000;
// Never slower than this while someone waits: the partner's doings show within 10 s (API-next.md).
const SLOWEST_MS = 8000;

let cursor = null;
let delay = FASTEST_MS;
let timer = null;
let asking = null;

function inView() {
  return document.visibilityState === "visible";
}

function tell(topics) {
  if (topics.length) window.dispatchEvent(new CustomEvent("tandem:changed", { detail: { topics } }));
}

// One question at a time; a second caller shares the one in flight.
function ask() {
  asking ??= (async () => {
    try {
      if (cursor === null) {
        cursor = (await api("/changes")).cursor;
        return [];
      }
      const answer = await api("/changes", { query: { since: cursor } });
      if (answer === null) return [];
      cursor = answer.cursor;
      return answer.topics;
    } catch (error) {
      // Offline or signed out: the "online" event or a sign-in asks again. (A cursor that no longer
      // holds, expired or another sign-in's, is answered with a new one and every topic.)
      return [];
    } finally {
      asking = null;
    }
  })();
  return asking;
}

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (inView() && navigator.onLine && waitingOnPartner()) timer = setTimeout(askNow, delay);
}

/** Asks at once (the app came into view, back online, a push came), then goes on per the backoff. */
export async function askNow() {
  clearTimeout(timer);
  timer = null;
  if (session.get().status !== "signed-in") return;
  const first = cursor === null;
  const topics = await ask();
  delay = first || topics.length ? FASTEST_MS : Math.min(delay * 2, SLOWEST_MS);
  tell(topics);
  schedule();
}

/** Something the person did makes them wait on the partner now: ask again soon, and often. */
export function waitNow() {
  delay = FASTEST_MS;
  schedule();
}

export function startLive() {
  document.addEventListener("visibilitychange", () => (inView() ? askNow() : schedule()));
  window.addEventListener("online", askNow);
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "push") askNow();
  });
  // Signed in: a first cursor.
  let signedIn = session.get().status === "signed-in";
  session.subscribe((state) => {
    const now = state.status === "signed-in";
    if (now && !signedIn) askNow();
    if (!now) cursor = null;
    signedIn = now;
  });
  // Waiting on the partner now (an answer given, an invite code shown): ask soon, and often.
  onWaitingChange((waiting) => (waiting ? waitNow() : schedule()));
  if (signedIn) askNow();
}
