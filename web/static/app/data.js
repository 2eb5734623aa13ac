// The server's data for the screens, in one place. Who is signed in, the couple and the unread count
// live in `session` (session.js); the check-in being answered lives in `current` here; whatever else
// a screen reads comes through `useResource`. Everything is fetched here, kept in memory (a screen
// opened again shows what it had at once and reads it again), and read again when it may have
// changed: `refresh(topics)`, on the live channel's `tandem:changed` events (live.js asks when the
// app comes back into view or online) and when the server answers again after being out of reach.
// The least that starting offline needs is kept on the device (`tandem.device`), tagged with its
// person: who they are, the partner's name, the open round's id and window. This copy holds no
// answer (the partner's above all) and no note: the person's own unsent answers wait in outbox.js.
// Signing out wipes it with everything else (session.js, clearDevice).
import { ApiError, Offline, api } from "app/api.js";
import { onBackOnline } from "app/connection.js";
import { outbox, outboxEntry } from "app/outbox.js";
import { refreshCouple, refreshSession, refreshUnread, session } from "app/session.js";
import { createStore, useStore } from "app/store.js";
import { useEffect } from "preact/hooks";

/** What `tandem:changed` names, as the server names it (couples/live.py, Topic): the couple
 * (paired, the partner left), its schedule, the round (opened, answered, revealed, analysed,
 * closed), the Talks, the inbox (a notification filed) and the signals (sent, replied, ended). */
export const TOPICS = ["couple", "schedule", "round", "talks", "inbox", "signals"];
// A topic's other name that a `tandem:changed` event may use (the server uses only TOPICS).
const ALIASES = { notifications: "inbox" };
const DEVICE_COPY = "tandem.device";

// round: the check-in the check-in screen shows, undefined while unknown, null when none is open;
// once it is revealed or closes while the app runs, it stays here so that screen shows how it
// ended. roundError: why it could not be read. fromDevice: the round is the device's copy, not yet
// read from the server. inviteShowing: an invite code is on screen, waiting for the partner to join.
// homeShowing: a couple's Home is on screen, where a partner's signal shows as it comes.
export const current = createStore({ round: undefined, roundError: null, inviteShowing: false, homeShowing: false });

/** Whether this person now waits on their partner: they have answered an open round that is not
 * revealed yet (sent, or waiting on this device to be sent), they show an invite code and are
 * not paired yet, or they look at Home, where a signal or its answer may come at any moment. The
 * live channel asks the server while it is true. */
export function waitingOnPartner() {
  const { status, couple, me } = session.get();
  if (status !== "signed-in") return false;
  const { round, inviteShowing, homeShowing } = current.get();
  if (couple === null) return inviteShowing;
  if (homeShowing) return true;
  if (round?.status !== "open") return false;
  return Boolean(round.me.answered || outboxEntry(round.id, me?.id));
}

/** Calls `listener(waiting)` whenever `waitingOnPartner()` turns; returns the way to stop. */
export function onWaitingChange(listener) {
  let last = waitingOnPartner();
  const check = () => {
    const now = waitingOnPartner();
    if (now !== last) {
      last = now;
      listener(now);
    }
  };
  const stops = [session.subscribe(check), current.subscribe(check), outbox.subscribe(check)];
  return () => stops.forEach((stop) => stop());
}

/** A couple's Home is shown (true) or no longer (false). */
export function homeShown(showing) {
  if (current.get().homeShowing !== showing) current.set({ homeShowing: showing });
}

/** An invite code is shown (true) or no longer (false). */
export function inviteShown(showing) {
  if (current.get().inviteShowing !== showing) current.set({ inviteShowing: showing });
}

let roundReads = 0;
let roundReading = null;
let roundAgain = null;

/** Reads the check-in again: the open one; when none is open any more, how the one shown ended.
 * Asked while a read is under way, one more read follows it (for all who asked meanwhile): the
 * one under way may have started before what they know happened. */
export function refreshRound() {
  if (!roundReading) {
    roundReading = readCurrent().finally(() => {
      roundReading = null;
    });
    return roundReading;
  }
  if (!roundAgain) {
    roundAgain = roundReading.then(() => {
      roundAgain = null;
      return refreshRound();
    });
  }
  return roundAgain;
}

async function readCurrent() {
  if (!session.get().couple) {
    current.set({ round: session.get().couple === null ? null : current.get().round, roundError: null });
    return current.get().round;
  }
  const mine = ++roundReads;
  const known = current.get().round;
  try {
    let round;
    try {
      round = await api("/checkins/current");
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      // The round shown was open (or its answers were still being compared): read how it ended.
      const ended = known && (known.status === "open" || (known.status === "revealed" && !known.analysed_at));
      round = ended ? await readRound(known.id) : known && !current.get().fromDevice ? known : null;
    }
    if (mine !== roundReads || session.get().status !== "signed-in") return round;
    current.set({ round, roundError: null, fromDevice: false });
    seen();
    return round;
  } catch (error) {
    if (mine === roundReads) current.set({ roundError: error });
    return current.get().round;
  }
}

async function readRound(id) {
  try {
    return await api(`/checkins/${id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** Shows `round` (say, the one a PUT or a POST just told about) until it is read again. */
export function showRound(round) {
  current.set({ round, roundError: null, fromDevice: false });
}

// Reading a check-in or a Talk marks the notifications about it read (the server's rule), so the
// badge is read again after such a read, and only when it shows something.
function seen() {
  if (session.get().unread > 0) refreshUnread();
}

// ---- What any screen reads: fetched, kept in memory, read again on its topics.

const resources = new Map(); // key -> {store, load, topics, marksSeen, shown, generation}

async function reload(entry) {
  const mine = ++entry.generation;
  entry.store.set({ loading: true, error: null });
  try {
    const data = await entry.load();
    if (mine === entry.generation) entry.store.set({ data, error: null, loading: false });
    if (entry.marksSeen) seen();
  } catch (error) {
    if (mine === entry.generation) entry.store.set({ error, loading: false });
  }
}

/**
 * `useResource(`round:${id}`, () => api(`/checkins/${id}`), ["round"])`: `{ data, error, loading,
 * reload }`. Read on mount (what was kept from the last time shows meanwhile), and again whenever
 * one of `topics` changes while the screen shows it. `marksSeen`: reading it may mark notifications
 * read, so the badge is read again.
 */
export function useResource(key, load, topics = [], { marksSeen = false } = {}) {
  let entry = resources.get(key);
  if (!entry) {
    entry = { store: createStore({ data: undefined, error: null, loading: true }), generation: 0, shown: 0 };
    resources.set(key, entry);
  }
  Object.assign(entry, { load, topics, marksSeen });
  const state = useStore(entry.store);
  useEffect(() => {
    entry.shown += 1;
    reload(entry);
    return () => {
      entry.shown -= 1;
    };
  }, [key]);
  return { ...state, reload: () => reload(entry) };
}

/** Calls `listener(topics)` while the component shows, whenever one of `topics` changes (for a
 * screen that reads in its own way, a paginated list say). */
export function useTopics(topics, listener) {
  useEffect(() => {
    const heard = (changed) => {
      if (changed.some((topic) => topics.includes(topic))) listener(changed);
    };
    topicListeners.add(heard);
    return () => topicListeners.delete(heard);
  }, [topics.join(), listener]);
}
const topicListeners = new Set();

/** Reads again what `topics` name, and re-renders what shows it. */
export function refresh(topics = TOPICS) {
  return refreshNamed(topics);
}

// `read`: what was read already just now (the session, and with it the couple and the unread count;
// the round, when the couple changed), so it is not asked twice.
async function refreshNamed(topics, read = {}) {
  if (session.get().status !== "signed-in") return;
  const named = (topic) => topics.includes(topic);
  const work = [];
  if (named("couple") && !read.session) work.push(refreshCouple().then(() => refreshRound()));
  else if ((named("round") || named("couple")) && !read.round) work.push(refreshRound());
  if (named("schedule") && !named("couple") && !read.session) work.push(refreshCouple());
  if (named("inbox") && !read.session) work.push(refreshUnread());
  for (const entry of resources.values()) {
    if (entry.shown > 0 && entry.topics.some(named)) work.push(reload(entry));
  }
  for (const listener of topicListeners) listener(topics);
  await Promise.all(work);
}

// Everything again, once the server answers after being out of reach (the app may have started
// from the device's copy, or missed what happened meanwhile): the person first (they may have
// signed out elsewhere), then what they see. Coming back into view is the live channel's to ask
// (live.js: one cheap request that names what changed, rather than every screen read again).
async function refreshWhole() {
  const coupleBefore = knownCouple;
  await refreshSession();
  await refreshNamed(TOPICS, { session: true, round: knownCouple !== coupleBefore });
}

// ---- The device's copy, to start offline on the screen the person would see online.

function readCopy() {
  try {
    const copy = JSON.parse(localStorage.getItem(DEVICE_COPY) || "null");
    return copy && Number.isInteger(copy.userId) && copy.me?.id === copy.userId ? copy : null;
  } catch (error) {
    return null;
  }
}

function minimalCouple(couple) {
  if (!couple) return couple;
  return {
    id: couple.id,
    partner: { id: couple.partner.id, display_name: couple.partner.display_name },
    schedule: couple.schedule ? { next_checkin_at: couple.schedule.next_checkin_at } : null,
  };
}

function minimalRound(round) {
  if (round?.status !== "open") return null;
  return {
    id: round.id,
    status: round.status,
    opens_at: round.opens_at,
    closes_at: round.closes_at,
    me: { answered: Boolean(round.me.answered) },
    partner: { answered: Boolean(round.partner.answered), display_name: round.partner?.display_name },
  };
}

function keepCopy() {
  const { status, me, couple } = session.get();
  if (status !== "signed-in" || !me || session.get().fromDevice) return;
  const copy = {
    userId: me.id,
    me: { id: me.id, display_name: me.display_name },
    couple: minimalCouple(couple),
    round: current.get().fromDevice ? current.get().round : minimalRound(current.get().round),
  };
  try {
    localStorage.setItem(DEVICE_COPY, JSON.stringify(copy));
  } catch (error) {
    // Storage refused: the app starts online only.
  }
}

function forgetCopy() {
  try {
    localStorage.removeItem(DEVICE_COPY);
  } catch (error) {
    // Nothing was kept.
  }
}

let knownUser = null;
let knownCouple;
session.subscribe((state) => {
  if (state.status === "signed-out") {
    // Nobody is signed in: nothing of anyone's stays in memory or on the device.
    forgetCopy();
    resources.clear();
    knownUser = null;
    knownCouple = undefined;
    current.set({ round: undefined, roundError: null, inviteShowing: false, homeShowing: false, fromDevice: false });
    return;
  }
  if (state.status !== "signed-in") return;
  if (knownUser !== null && state.me && state.me.id !== knownUser) {
    resources.clear();
    current.set({ round: undefined, roundError: null, fromDevice: false });
  }
  knownUser = state.me?.id ?? null;
  keepCopy();
});
current.subscribe(keepCopy);

// The couple known (or changed): the check-in with it.
session.subscribe((state) => {
  if (state.status !== "signed-in" || state.couple === undefined || state.fromDevice) return;
  const id = state.couple?.id ?? null;
  if (id !== knownCouple) {
    // Another couple's check-in (before leaving, say) is not this one's.
    if (knownCouple !== undefined && !current.get().fromDevice) current.set({ round: undefined });
    knownCouple = id;
    refreshRound();
  }
});

// An answer another tab sent from this device's outbox: the check-in is read again.
let waiting = outbox.get().entries.length;
outbox.subscribe(({ entries }) => {
  if (entries.length < waiting && session.get().status === "signed-in" && !session.get().fromDevice) refreshRound();
  waiting = entries.length;
});

/** Starts the app: from the device's copy when there is one (so it opens offline on the screen it
 * would show online), then from the server. */
export async function start() {
  const copy = readCopy();
  if (copy) {
    session.set({ status: "signed-in", me: copy.me, couple: copy.couple, coupleProblem: null, fromDevice: true });
    current.set({ round: copy.round, roundError: null, fromDevice: true });
  }
  await refreshWhole();
}

addEventListener("tandem:changed", (event) => {
  const topics = (event.detail?.topics || []).map((topic) => ALIASES[topic] || topic).filter((topic) => TOPICS.includes(topic));
  if (topics.length) refresh(topics);
});
onBackOnline(refreshWhole);

/** Whether `error` is the server out of reach (the screen keeps what it has and says so). */
export function isOffline(error) {
  return error instanceof Offline;
}
