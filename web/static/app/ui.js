// The pieces every screen is made of: htm bound to Preact, the page frame, form fields, notices
// and a hook that loads something from the API. Markup is semantic HTML with visible labels, so
// it works with the keyboard and a screen reader alone.
import htm from "htm";
import { h } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

import { ApiError, Offline } from "app/api.js";
import { onBackOnline } from "app/connection.js";

export const html = htm.bind(h);

/** A screen: sets the document title and puts its heading where focus lands after navigation. */
export function Page({ title, children, className = "" }) {
  const heading = useRef(null);
  useEffect(() => {
    document.title = `${title} · Tandem`;
    if (document.body.dataset.navigated) heading.current?.focus({ preventScroll: true });
    document.body.dataset.navigated = "1";
  }, [title]);
  return html`<section class=${`page ${className}`}>
    <h1 tabindex="-1" ref=${heading}>${title}</h1>
    ${children}
  </section>`;
}

/** The shell's one polite live region (shell.html): every status message is said through it. */
let saying = null;
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region || !text) return;
  // Emptied, then filled a moment later: the same words said twice in a row are said again.
  region.textContent = "";
  clearTimeout(saying);
  saying = setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** Says what `box` shows whenever its words change, unless the focus is in it (which reads it). */
function useSaid(box) {
  const said = useRef("");
  useEffect(() => {
    const text = box.current?.textContent.trim() || "";
    if (text && text !== said.current && !box.current.contains(document.activeElement)) announce(text);
    said.current = text;
  });
}

/** What the server says in the shell's `<meta name>` (web/views.py), as JSON. */
function saidByServer(name) {
  try {
    return JSON.parse(document.querySelector(`meta[name="${name}"]`)?.content || "{}");
  } catch (error) {
    return {};
  }
}

/** The lengths the API accepts for what people write (`note`, `display_name`), and the most a
 * schedule takes (`interval_days`, `window_hours`), as the server says them: the one source, so no
 * limit is copied here. */
export const TEXT_LIMITS = saidByServer("tandem-text-limits");
export const SCHEDULE_LIMITS = saidByServer("tandem-schedule-limits");

const COUNT = new Intl.NumberFormat();

/** How much of `limit` is used, or how far over it: "12 of 2,000 characters". */
export function countText(value, limit) {
  const used = [...(value || "")].length;
  const over = used - limit;
  return `${COUNT.format(used)} of ${COUNT.format(limit)} characters${over > 0 ? `: ${COUNT.format(over)} too many` : ""}`;
}

function tooLong(value, limit) {
  return Boolean(limit) && [...(value || "")].length > limit;
}

/** A form control's id, and the ids of its hint, counter and error for its aria-describedby. */
export function fieldIds(name, hint, error, limit) {
  const id = `field-${name}`;
  const described = [hint ? `${id}-hint` : null, limit ? `${id}-count` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return { id, described: described || undefined };
}

/** The label, hint, counter (when the text has a `limit`) and error around the control `children`. */
export function FieldFrame({ id, label, hint, error, limit, value, children }) {
  const over = tooLong(value, limit);
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
    ${children}
    ${limit ? html`<p class=${`counter${over ? " counter-over" : ""}`} id=${`${id}-count`}>${countText(value, limit)}</p>` : null}
    ${error ? html`<p class="field-error" id=${`${id}-error`}>${error}</p>` : null}
  </div>`;
}

/** A labelled input. `error` is the server's words about this field, shown and announced;
 * `limit`, the most characters the server accepts, shown as a counter (never cut short). */
export function Field({ label, name, error, hint, limit, type = "text", ...input }) {
  const { id, described } = fieldIds(name, hint, error, limit);
  return html`<${FieldFrame} id=${id} label=${label} hint=${hint} error=${error} limit=${limit} value=${input.value}>
    <input id=${id} name=${name} type=${type} aria-invalid=${error ? "true" : undefined} aria-describedby=${described} ...${input} />
  <//>`;
}

/** A labelled multi-line text box for what people write: its direction follows the text. */
export function TextArea({ label, name, error, hint, limit, ...input }) {
  const { id, described } = fieldIds(name, hint, error, limit);
  return html`<${FieldFrame} id=${id} label=${label} hint=${hint} error=${error} limit=${limit} value=${input.value}>
    <textarea id=${id} name=${name} dir="auto" aria-invalid=${error ? "true" : undefined} aria-describedby=${described} ...${input}></textarea>
  <//>`;
}

/** A labelled select; `options` are `[value, text]` pairs. */
export function Select({ label, name, error, hint, options, value, onInput }) {
  const { id, described } = fieldIds(name, hint, error);
  return html`<${FieldFrame} id=${id} label=${label} hint=${hint} error=${error}>
    <select id=${id} name=${name} value=${value} onInput=${onInput} onChange=${onInput}
      aria-invalid=${error ? "true" : undefined} aria-describedby=${described}>
      ${options.map(([optionValue, text]) => html`<option value=${optionValue}>${text}</option>`)}
    </select>
  <//>`;
}

/** The IANA time zones this browser knows, `current` among them. */
export function timeZones(current) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf?.("timeZone") || [];
  } catch (error) {
    zones = [];
  }
  return zones.includes(current) ? zones : [current, ...zones].filter(Boolean);
}

/** A message about the whole form or screen, said through the shell's live region. An error can
 * take the focus (after a refused submit), so it is read where it stands. */
export function Notice({ kind = "info", children }) {
  const box = useRef(null);
  useSaid(box);
  if (!children) return null;
  return html`<div ref=${box} class=${`notice notice-${kind}`} tabindex=${kind === "error" ? "-1" : undefined}>${children}</div>`;
}

/** A status line that takes no room when empty, said through the shell's live region. */
export function Status({ className = "", children }) {
  const box = useRef(null);
  useSaid(box);
  return html`<p ref=${box} class=${`status ${className}`}>${children || ""}</p>`;
}

export function Button({ kind = "primary", busy = false, children, onClick, ...rest }) {
  // Busy is said, and taps wait, but the button is not disabled: a disabled button lets the
  // focus fall to the page's body, where a screen reader loses its place.
  const click = (event) => {
    if (busy) event.preventDefault();
    else onClick?.(event);
  };
  return html`<button class=${`button button-${kind}`} aria-busy=${busy ? "true" : undefined}
    aria-disabled=${busy ? "true" : undefined} onClick=${click} ...${rest}>${children}</button>`;
}

/**
 * Loads something once, again on `reload()`, and again when the server answers after a load
 * failed offline: `{ data, error, loading, reload }`. `load` is an async function; `deps`
 * restart it (say, a round id from the path).
 */
export function useLoad(load, deps = []) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const generation = useRef(0);
  const run = useCallback(async () => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    try {
      const data = await load();
      if (mine === generation.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((previous) => ({ ...previous, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    run();
  }, [run]);
  const failedOffline = state.error instanceof Offline;
  useEffect(() => (failedOffline ? onBackOnline(run) : undefined), [failedOffline, run]);
  return { ...state, reload: run };
}

/** What a screen shows while loading, or when loading failed (offline, not found, …). */
export function Loading({ error, retry }) {
  if (error) {
    return html`<${Notice} kind="error">
      ${error.message} ${retry ? html`<button class="link-button" onClick=${retry}>Try again</button>` : null}
    <//>`;
  }
  return html`<p class="loading" aria-busy="true">Loading…</p>`;
}

/** The `page` number in a list's `next` link, or null. */
function pageNumber(next) {
  try {
    return new URL(next, location.origin).searchParams.get("page");
  } catch (error) {
    return null;
  }
}

/**
 * A paginated list of the API (`{count, next, previous, results}`): the first page, then one
 * more on each `loadMore()`, with the focus moving to the first item that came. `load(page)`
 * fetches one page (null: the first). Items are told apart by `id`; `itemRef(item)` is the ref
 * for an item's element, so the focus can find it.
 */
export function usePages(load, deps = []) {
  const first = useLoad(() => load(null), deps);
  const [later, setLater] = useState([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const firstNew = useRef(null);
  const focusNew = useRef(false);
  useEffect(() => setLater([]), [first.data]);
  useEffect(() => {
    if (focusNew.current) {
      focusNew.current = false;
      firstNew.current?.querySelector("a")?.focus();
    }
  }, [later]);
  const pages = first.data ? [first.data, ...later] : [];
  const next = pages.length ? pages[pages.length - 1].next : null;
  const seen = new Set();
  const items = pages.flatMap((page) => page.results).filter((item) => !seen.has(item.id) && seen.add(item.id));
  const firstNewId = later.length ? later[later.length - 1].results[0]?.id : undefined;
  const loadMore = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const page = await load(pageNumber(next));
      focusNew.current = true;
      setLater((previous) => [...previous, page]);
    } catch (error) {
      setProblem(error.message);
    } finally {
      setBusy(false);
    }
  };
  const itemRef = (item) => (item.id === firstNewId ? firstNew : undefined);
  return { first, items, next, busy, problem, loadMore, itemRef };
}

/** The end of a paginated list: why more could not come, and the button that brings more. */
export function MorePages({ pages }) {
  return html`<${Notice} kind="error">${pages.problem}<//>
    ${pages.next ? html`<${Button} kind="secondary" type="button" busy=${pages.busy} onClick=${pages.loadMore}>Load more<//>` : null}`;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const DATE = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

/** "Sun 7 Dec, 19:00" in the device's own time zone. */
export function when(iso) {
  return iso ? DATE_TIME.format(new Date(iso)) : "";
}

export function day(iso) {
  return iso ? DATE.format(new Date(iso)) : "";
}

/** After a submit: a refusal takes the focus to its first problem; a form that went away (the
 * screen changed) gives it to the screen's heading, so it never falls to the page's body. */
function focusAfterSubmit(form, refused) {
  setTimeout(() => {
    if (refused && form?.isConnected) {
      const problem = form.querySelector("[aria-invalid='true']:checked, [aria-invalid='true'], .notice-error");
      if (problem) {
        problem.focus();
        return;
      }
    }
    // A form that went away took the focus with it (to the body); where the person has put the
    // focus since (a submit may end after they opened another form), it stays.
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost) document.querySelector("main h1")?.focus();
  }, 0);
}

/**
 * A form's values, its busy state and the server's words about it: `bind(name)` gives a Field
 * its value, input handler, error and limit; `general` is the message no field claims. `limits`
 * (`{note: TEXT_LIMITS.note}`) are checked before sending, in the server's words' stead.
 */
export function useForm(initial, { limits = {} } = {}) {
  const [values, setValues] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const working = useRef(false);
  const bind = (name) => ({
    name,
    value: values[name],
    onInput: (event) => setValues((previous) => ({ ...previous, [name]: event.currentTarget.value })),
    error: error instanceof ApiError ? error.field(name) : null,
    limit: limits[name],
  });
  const submit = (action) => async (event) => {
    event.preventDefault();
    if (working.current) return;
    const form = event.currentTarget?.closest?.("form") || event.currentTarget?.form;
    working.current = true;
    setBusy(true);
    setError(null);
    let refused = false;
    try {
      const over = Object.entries(limits).filter(([name, limit]) => tooLong(values[name], limit));
      if (over.length) {
        throw new ApiError(
          400,
          Object.fromEntries(over.map(([name, limit]) => [name, [`This is longer than ${COUNT.format(limit)} characters. Please shorten it.`]])),
        );
      }
      await action(values);
    } catch (problem) {
      refused = true;
      setError(problem);
    } finally {
      working.current = false;
      setBusy(false);
    }
    focusAfterSubmit(form, refused);
  };
  const general = error && !(error instanceof ApiError && Object.keys(error.body).some((key) => key in initial))
    ? error.message
    : null;
  return { values, setValues, bind, submit, busy, error, general };
}
