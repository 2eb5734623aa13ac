// The app's screens by path (the server serves the same shell at each: web/urls.py), with History
// API navigation. The new screen's `Page` (ui.js) moves the focus to its heading for screen readers.
import { createStore } from "app/store.js";
import { html } from "app/ui.js";

function here() {
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

export const route = createStore(here());

export function navigate(to, { replace = false } = {}) {
  const target = new URL(to, location.origin);
  if (target.origin !== location.origin) return;
  const next = target.pathname + target.search;
  if (next !== location.pathname + location.search) {
    history[replace ? "replaceState" : "pushState"](null, "", next);
  }
  route.set(here());
  scrollTo(0, 0);
}

/** Takes `names` out of the address bar without a new history entry (say, a join code). */
export function dropQuery(...names) {
  const url = new URL(location.href);
  for (const name of names) url.searchParams.delete(name);
  history.replaceState(null, "", url.pathname + url.search);
  route.set(here());
}

addEventListener("popstate", () => route.set(here()));

/** `match("/checkins/:id", "/checkins/12")` is `{ id: "12" }`; null when it does not match. */
export function match(pattern, path) {
  const names = [];
  const source = pattern.replace(/:([a-z_]+)/g, (_, name) => {
    names.push(name);
    return "([0-9]+)";
  });
  const found = new RegExp(`^${source}$`).exec(path);
  if (!found) return null;
  return Object.fromEntries(names.map((name, index) => [name, found[index + 1]]));
}

export function Link({ href, children, ...rest }) {
  const follow = (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${follow} ...${rest}>${children}</a>`;
}
