// Answers made while offline, kept on this device only until they are sent: one per round (the
// latest), under localStorage "tandem.outbox" as [{roundId, userId, body, savedAt}]. One outbox per
// device: every tab reads it from storage (and hears the others change it, the `storage` event), and
// sending takes the device's lock (Web Locks, `navigator.locks`), re-reading the outbox inside it, so
// an answer is sent once, by one tab, and an answer made later in another tab replaces it before it
// goes. They are sent when the server answers again (and once at start); what became of them is told
// through `outbox.notices`, which the check-in screen shows. Sign-out calls `outboxClear`. Each answer
// carries when it was made (`made_at`, see `answerMade`): of two sent for one round from two devices,
// the server keeps the one made later, whichever arrives last, and answers the other with it.
import { ApiError, Offline, api } from "app/api.js";
import { onBackOnline } from "app/connection.js";
import { createStore } from "app/store.js";
import { when } from "app/ui.js";

const KEY = "tandem.outbox";

function read() {
  try {
    const kept = JSON.parse(localStorage.getItem(KEY) || "[]");
    const valid = (entry) => entry && Number.isInteger(entry.roundId) && Number.isInteger(entry.userId) && entry.body;
    return Array.isArray(kept) ? kept.filter(valid) : [];
  } catch (error) {
    return [];
  }
}

function write(entries) {
  try {
    if (entries.length) localStorage.setItem(KEY, JSON.stringify(entries));
    else localStorage.removeItem(KEY);
  } catch (error) {
    // Storage refused (a private window, say): the answer lives on in this tab's memory.
  }
  outbox.set({ entries });
}

// entries: what waits to be sent. notices: [{id, kind: "sent" | "refused", roundId, text}], what
// happened to answers sent in the background, until a screen has shown them.
export const outbox = createStore({ entries: read(), notices: [] });
let noticeCount = 0;

function tell(kind, entry, text) {
  noticeCount += 1;
  // Only the latest news of a round: an older notice about it would now be misleading.
  const others = outbox.get().notices.filter((notice) => notice.roundId !== entry.roundId);
  outbox.set({ notices: [...others, { id: noticeCount, kind, roundId: entry.roundId, text }] });
}

/** `body`, the answer the person has just made, stamped with when: sent now or kept to send later,
 * it is compared by this with any other answer of theirs to the round. */
export function answerMade(body) {
  return { ...body, made_at: new Date().toISOString() };
}

const ANSWER_FIELDS = ["connection", "independence", "note", "private_note"];

/** Whether `kept`, the answer the server keeps, says something else than `sent`: an answer made later
 * (in another tab, or on another device) stayed instead. */
export function keptAnother(sent, kept) {
  return ANSWER_FIELDS.some((field) => String(sent[field] ?? "").trim() !== String(kept[field] ?? "").trim());
}

/** The answer `userId` left waiting for `roundId`, or null: never another person's. */
export function outboxEntry(roundId, userId) {
  return outbox.get().entries.find((entry) => entry.roundId === Number(roundId) && entry.userId === userId) || null;
}

/** Forgets every answer on this device that is not `userId`'s: someone else signed in here. */
export function outboxKeepOnlyFor(userId) {
  const entries = read();
  if (entries.some((entry) => entry.userId !== userId)) write(entries.filter((entry) => entry.userId === userId));
}

/** Keeps `body` to send later for `roundId`, replacing whatever waited for that round, unless
 * what waits was made later (in another tab). */
export function outboxKeep({ roundId, userId, body }) {
  const entry = { roundId: Number(roundId), userId, body, savedAt: body.made_at || new Date().toISOString() };
  const entries = read();
  const waiting = entries.find((kept) => kept.roundId === entry.roundId);
  if (waiting && waiting.userId === userId && waiting.savedAt > entry.savedAt) return waiting;
  write([...entries.filter((kept) => kept.roundId !== entry.roundId), entry]);
  return entry;
}

/** Forgets what waited for `roundId` (it was sent some other way). */
export function outboxDrop(roundId) {
  const entries = read();
  if (entries.some((entry) => entry.roundId === Number(roundId))) {
    write(entries.filter((entry) => entry.roundId !== Number(roundId)));
  }
}

/** Removes notices a screen has shown. */
export function outboxDismiss(ids) {
  const shown = new Set(ids);
  if (!outbox.get().notices.some((notice) => shown.has(notice.id))) return;
  outbox.set({ notices: outbox.get().notices.filter((notice) => !shown.has(notice.id)) });
}

/** Forgets every answer waiting on this device. */
export function outboxClear() {
  write([]);
  outbox.set({ notices: [] });
}

const same = (a, b) => a.roundId === b.roundId && a.userId === b.userId && a.savedAt === b.savedAt;

// Removes `entry` unless a newer answer for its round replaced it while it was on its way.
function settle(entry) {
  write(read().filter((kept) => !same(kept, entry)));
}

async function sendOne(entry) {
  try {
    // An answer kept before answers carried made_at counts as made when it was kept.
    const body = { made_at: entry.savedAt, ...entry.body };
    const kept = await api(`/checkins/${entry.roundId}/response`, { method: "PUT", body });
    settle(entry);
    tell("sent", entry, keptAnother(body, kept)
      ? `Your answer from ${when(entry.savedAt)} was not used: you changed it later, so the later answer is kept. It is shown here.`
      : `Your answer from ${when(entry.savedAt)} has been sent.`);
    return "sent";
  } catch (error) {
    if (error instanceof Offline) return "offline";
    if (!(error instanceof ApiError)) return "kept";
    if (error.status === 401 || error.status === 403) return "signed-out";
    if (error.status >= 500 || error.status === 429) return "kept";
    settle(entry);
    const why = error.status === 409
      ? "that check-in closed in the meantime."
      : error.status === 404
        ? "that check-in is no longer there."
        : error.message;
    tell("refused", entry, `Your answer from ${when(entry.savedAt)} could not be sent: ${why}`);
    return "refused";
  }
}

async function flushNow() {
  const tried = new Set();
  for (;;) {
    // An answer goes out only as the person who gave it: a device another person has since signed
    // in on must never send it as theirs (a partner above all).
    const waiting = read().filter((entry) => ![...tried].some((done) => same(done, entry)));
    if (!waiting.length) return;
    let me;
    try {
      me = await api("/me");
    } catch (error) {
      return; // Offline or signed out: the answers wait for the next chance.
    }
    outboxKeepOnlyFor(me.id);
    for (const entry of waiting) {
      if (entry.userId !== me.id) continue;
      tried.add(entry);
      const outcome = await sendOne(entry);
      if (outcome === "offline" || outcome === "signed-out") return;
    }
    // Loop: an answer kept while these were on their way is sent too.
  }
}

// One tab of the device sends at a time; the next one to hold the lock finds what the first sent
// gone from storage. Without Web Locks (an old browser), each tab sends alone, and the server's
// made_at keeps the later answer still.
function underDeviceLock(work) {
  if (navigator.locks?.request) return navigator.locks.request("tandem.outbox", work);
  return work();
}

let flushing = null;

/** Sends what waits, one at a time; a flush already under way is joined, never doubled. */
export function outboxFlush() {
  if (!flushing) {
    flushing = underDeviceLock(flushNow).finally(() => {
      flushing = null;
    });
  }
  return flushing;
}

/** Resolves once no flush is under way (so a direct answer never races a queued one). */
export async function outboxSettled() {
  while (flushing) await flushing;
}

// Another tab kept, sent or cleared an answer: this one shows the outbox as it now is.
addEventListener("storage", (event) => {
  if (event.key === KEY || event.key === null) outbox.set({ entries: read() });
});
onBackOnline(outboxFlush);
if (outbox.get().entries.length) setTimeout(outboxFlush, 0);
