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

/** A form control's id, and the ids of its hint and error for its aria-describedby. */
export function fieldIds(name, hint, error) {
  const id = `field-${name}`;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return { id, described: described || undefined };
}

/** The label, hint and error around the control `children` (whose ids come from fieldIds). */
export function FieldFrame({ id, label, hint, error, children }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
    ${children}
    ${error ? html`<p class="field-error" id=${`${id}-error`}>${error}</p>` : null}
  </div>`;
}

/** A labelled input. `error` is the server's words about this field, shown and announced. */
export function Field({ label, name, error, hint, type = "text", ...input }) {
  const { id, described } = fieldIds(name, hint, error);
  return html`<${FieldFrame} id=${id} label=${label} hint=${hint} error=${error}>
    <input id=${id} name=${name} type=${type} aria-invalid=${error ? "true" : undefined} aria-describedby=${described} ...${input} />
  <//>`;
}

/** A labelled multi-line text box. */
export function TextArea({ label, name, error, hint, ...input }) {
  const { id, described } = fieldIds(name, hint, error);
  return html`<${FieldFrame} id=${id} label=${label} hint=${hint} error=${error}>
    <textarea id=${id} name=${name} aria-invalid=${error ? "true" : undefined} aria-describedby=${described} ...${input}></textarea>
  <//>`;
}

/** A message about the whole form or screen; `role=alert` for problems so they are announced. */
export function Notice({ kind = "info", children }) {
  if (!children) return null;
  return html`<div class=${`notice notice-${kind}`} role=${kind === "error" ? "alert" : "status"}>${children}</div>`;
}

export function Button({ kind = "primary", busy = false, children, ...rest }) {
  return html`<button class=${`button button-${kind}`} aria-busy=${busy ? "true" : undefined}
    disabled=${busy || rest.disabled} ...${rest}>${children}</button>`;
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

/**
 * A form's values, its busy state and the server's words about it: `bind(name)` gives a Field
 * its value, input handler and error; `general` is the message no field claims.
 */
export function useForm(initial) {
  const [values, setValues] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const bind = (name) => ({
    name,
    value: values[name],
    onInput: (event) => setValues((previous) => ({ ...previous, [name]: event.currentTarget.value })),
    error: error instanceof ApiError ? error.field(name) : null,
  });
  const submit = (action) => async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action(values);
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };
  const general = error && !(error instanceof ApiError && Object.keys(error.body).some((key) => key in initial))
    ? error.message
    : null;
  return { values, setValues, bind, submit, busy, error, general };
}

