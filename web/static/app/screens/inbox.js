// The inbox: what Tandem has told you, newest first; opening one marks it read and takes you to
// what it is about (push notifications and emails link to /notifications/<id> too).
import { useEffect, useState } from "preact/hooks";

import { ApiError, api } from "app/api.js";
import { useTopics } from "app/data.js";
import { Link, navigate } from "app/router.js";
import { refreshCouple, refreshUnread } from "app/session.js";
import { Button, Loading, MorePages, Notice, Page, Status, day, html, usePages } from "app/ui.js";

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const STEPS = [
  ["minute", 60],
  ["hour", 60 * 60],
  ["day", 24 * 60 * 60],
];

/** "5 minutes ago", "yesterday"; a date once it is more than a week old. */
export function ago(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Math.abs(seconds) < 60) return "just now";
  if (Math.abs(seconds) >= 7 * 24 * 60 * 60) return day(iso);
  let unit = STEPS[0];
  for (const step of STEPS) if (Math.abs(seconds) >= step[1]) unit = step;
  return RELATIVE.format(Math.round(seconds / unit[1]), unit[0]);
}

function Item({ notification, itemRef }) {
  const unread = !notification.read_at;
  return html`<li ref=${itemRef}>
    <${Link} class=${`inbox-item${unread ? " inbox-item-unread" : ""}`} href=${`/notifications/${notification.id}`}>
      <span class="inbox-title">
        ${unread ? html`<span class="inbox-dot" aria-hidden="true"></span><span class="visually-hidden">Unread: </span>` : null}
        ${notification.title}
      </span>
      <span class="inbox-body">${notification.body}</span>
      <time class="inbox-time" datetime=${notification.created_at}>${ago(notification.created_at)}</time>
    <//>
  </li>`;
}

export function Inbox() {
  const pages = usePages((page) => api("/notifications", { query: { page } }), []);
  useTopics(["inbox"], pages.first.reload);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const [status, setStatus] = useState("");

  const markAllRead = async () => {
    setBusy(true);
    setProblem(null);
    setStatus("");
    try {
      await api("/notifications/read-all", { method: "POST" });
      await refreshUnread();
      pages.first.reload();
      setStatus("All marked as read.");
    } catch (error) {
      setProblem(error.message);
    } finally {
      setBusy(false);
    }
  };

  if (!pages.first.data) return html`<${Page} title="Inbox"><${Loading} error=${pages.first.error} retry=${pages.first.reload} /><//>`;
  return html`<${Page} title="Inbox" className="inbox">
    <${Notice} kind="error">${problem}<//>
    <${Status} className="inbox-status">${status}<//>
    ${pages.items.length === 0
      ? html`<p class="inbox-empty">Nothing here yet.</p>`
      : html`
        <div class="actions">
          <${Button} kind="secondary" type="button" busy=${busy} onClick=${markAllRead}>Mark all as read<//>
        </div>
        <ul class="inbox-list">
          ${pages.items.map((notification) => html`<${Item} key=${notification.id} notification=${notification}
            itemRef=${pages.itemRef(notification)} />`)}
        </ul>
        <${MorePages} pages=${pages} />`}
  <//>`;
}

export function OpenNotification({ id }) {
  const [failure, setFailure] = useState(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    (async () => {
      setFailure(null);
      try {
        const notification = await api(`/notifications/${id}`);
        try {
          await api(`/notifications/${id}/read`, { method: "POST" });
        } catch (error) {
          // Still worth opening; it stays unread until the next time.
        }
        await refreshUnread();
        if (["invite_accepted", "partner_left"].includes(notification.kind)) await refreshCouple();
        if (current) navigate(notification.path, { replace: true });
      } catch (error) {
        if (current) setFailure(error);
      }
    })();
    return () => {
      current = false;
    };
  }, [id, attempt]);

  if (failure instanceof ApiError && failure.status === 404) {
    return html`<${Page} title="Notification">
      <p>This notification is no longer here.</p>
      <p><${Link} href="/inbox">Go to your inbox<//></p>
    <//>`;
  }
  return html`<${Page} title="Notification">
    <${Loading} error=${failure} retry=${() => setAttempt((count) => count + 1)} />
  <//>`;
}
