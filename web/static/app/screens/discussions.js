// Talks: what a check-in flagged as worth talking about, each with a prompt that invites the
// conversation, a few shared notes, and a way to say it has been talked through.
import { useState } from "preact/hooks";

import { ApiError, api } from "app/api.js";
import { useResource, useTopics } from "app/data.js";
import { Link, navigate } from "app/router.js";
import { Button, Loading, MorePages, Notice, Page, TEXT_LIMITS, TextArea, day, html, useForm, usePages, when } from "app/ui.js";

const FILTERS = [
  ["open", "Open"],
  ["resolved", "Resolved"],
];

function DiscussionItem({ discussion, itemRef }) {
  const notes = discussion.notes?.length || 0;
  const meta = discussion.status === "resolved"
    ? `Resolved on ${day(discussion.resolved_at)}`
    : `Since ${day(discussion.created_at)}`;
  return html`<li ref=${itemRef}>
    <${Link} class="talk-link" href=${`/discussions/${discussion.id}`}>
      <span class="talk-summary">${discussion.summary}</span>${" "}
      <span class="talk-meta">${meta}${notes ? ` · ${notes === 1 ? "1 note" : `${notes} notes`}` : ""}</span>
    <//>
  </li>`;
}

function DiscussionList({ status }) {
  const pages = usePages((page) => api("/discussions", { query: { status, page } }), [status]);
  useTopics(["talks", "couple"], pages.first.reload);
  if (!pages.first.data) return html`<${Loading} error=${pages.first.error} retry=${pages.first.reload} />`;
  if (!pages.items.length) {
    return html`<p class="card calm">${status === "resolved" ? "Nothing resolved yet." : "Nothing to talk about right now."}</p>`;
  }
  return html`<ul class="talk-list">
      ${pages.items.map((discussion) => html`<${DiscussionItem} key=${discussion.id} discussion=${discussion}
        itemRef=${pages.itemRef(discussion)} />`)}
    </ul>
    <${MorePages} pages=${pages} />`;
}

export function Discussions({ query }) {
  const status = query?.get("status") === "resolved" ? "resolved" : "open";
  const show = (value) => navigate(value === "open" ? "/discussions" : `/discussions?status=${value}`, { replace: true });
  return html`<${Page} title="Talks" className="talks">
    <p class="muted">Things a check-in showed that may be worth talking about, when it suits you both.</p>
    <div class="filter" role="group" aria-label="Show talks">
      ${FILTERS.map(([value, label]) => html`<button type="button" key=${value} class="filter-button"
        aria-pressed=${status === value ? "true" : "false"} onClick=${() => show(value)}>${label}</button>`)}
    </div>
    <${DiscussionList} key=${status} status=${status} />
  <//>`;
}

function NoteForm({ id, onAdded }) {
  const form = useForm({ text: "" }, { limits: { text: TEXT_LIMITS.note } });
  const [added, setAdded] = useState(false);
  const add = async ({ text }) => {
    setAdded(false);
    if (!text.trim()) throw new ApiError(400, { text: ["Write something first, then add it."] });
    await api(`/discussions/${id}/notes`, { method: "POST", body: { text } });
    form.setValues({ text: "" });
    setAdded(true);
    onAdded();
  };
  return html`<form class="stack note-form" onSubmit=${form.submit(add)} novalidate>
    <${Notice} kind="error">${form.general}<//>
    <${TextArea} label="Add a note" hint="Both of you can read the notes here." ...${form.bind("text")} />
    ${added && !form.busy ? html`<${Notice}>Note added.<//>` : null}
    <${Button} type="submit" busy=${form.busy}>Add note<//>
  </form>`;
}

function Resolve({ id, onResolved }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const resolve = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api(`/discussions/${id}/resolve`, { method: "POST" });
      onResolved();
    } catch (error) {
      setProblem(error.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="resolve">
    <p class="muted">Talked it through, or it no longer feels important? You can put it to rest.</p>
    <${Notice} kind="error">${problem}<//>
    <${Button} kind="secondary" busy=${busy} onClick=${resolve}>Mark as resolved<//>
  </div>`;
}

/** One Talk: its summary is its first point's (the leading flag); the other points beneath it. */
export function DiscussionScreen({ id }) {
  const discussion = useResource(`discussion:${id}`, () => api(`/discussions/${id}`), ["talks", "couple"], { marksSeen: true });
  const data = discussion.data;
  if (!data) {
    return html`<${Page} title="Talk">
      <${Loading} error=${discussion.error} retry=${discussion.reload} />
      ${discussion.error ? html`<p class="tap"><${Link} href="/discussions">All talks<//></p>` : null}
    <//>`;
  }
  return html`<${Page} title="Talk" className="talks">
    <p class="lead">${data.summary}</p>
    ${data.points.length > 1
      ? html`<section class="points" aria-labelledby="points-heading">
          <h2 id="points-heading">Also came up</h2>
          <ul class="point-list">
            ${data.points.slice(1).map((point, index) => html`<li key=${index}>${point.summary}</li>`)}
          </ul>
        </section>`
      : null}
    ${data.status === "resolved" ? html`<p class="resolved-on">Resolved on ${day(data.resolved_at)}</p>` : null}
    <div class="prompt">
      <p class="prompt-label">Something to talk about together</p>
      <p class="prompt-text">${data.prompt}</p>
    </div>
    <p class="tap"><${Link} href=${`/checkins/${data.checkin_id}`}>See the check-in<//></p>
    <section aria-labelledby="notes-heading">
      <h2 id="notes-heading">Notes</h2>
      ${data.notes.length
        ? html`<ul class="note-list">
            ${data.notes.map((note) => html`<li key=${note.id} class="card">
              <p class="note-meta"><bdi class="note-author">${note.author?.display_name || "Someone no longer here"}</bdi>
                ${" · "}<time datetime=${note.created_at}>${when(note.created_at)}</time></p>
              <p class="note-text" dir="auto">${note.text}</p>
            </li>`)}
          </ul>`
        : html`<p class="muted">No notes yet. Talking is what matters; a note can help you remember.</p>`}
      ${data.read_only
        ? html`<p class="muted">Your couple has ended, so this talk stays here to read, as it was.</p>`
        : html`<${NoteForm} id=${data.id} onAdded=${discussion.reload} />`}
    </section>
    ${data.status === "open" && !data.read_only ? html`<${Resolve} id=${data.id} onResolved=${discussion.reload} />` : null}
    <p class="tap back"><${Link} href="/discussions">All talks<//></p>
  <//>`;
}
