// The signals between check-ins, on Home: the partner's live space, told reassuringly; one's own,
// with the way to end it early; the three one-tap signals; and the last few days' signals, with
// the answers an invitation takes. The words are signal-words.js's; the data is data.js's.
import { useEffect, useState } from "preact/hooks";

import { ApiError, api } from "app/api.js";
import { useResource } from "app/data.js";
import * as words from "app/signal-words.js";
import { Button, Field, Notice, TEXT_LIMITS, announce, html, useForm } from "app/ui.js";

// What Home shows of the signals list: the last few days (the rest is the couple's history).
const RECENT_MS = 3 * 24 * 60 * 60 * 1000;
const TOPICS = ["signals", "couple"];

function Message({ text }) {
  return text ? html`<p class="signal-message"><q dir="auto">${text}</q></p>` : null;
}

function ReplyButtons({ signal, done }) {
  const [busy, setBusy] = useState(null);
  const [problem, setProblem] = useState(null);
  const answer = async (reply) => {
    setBusy(reply);
    setProblem(null);
    try {
      await api(`/signals/${signal.id}/reply`, { method: "POST", body: { reply } });
    } catch (error) {
      // 409: answered already (on another device, say); reading it again shows that answer.
      if (!(error instanceof ApiError && error.status === 409)) setProblem(error.message);
    } finally {
      setBusy(null);
    }
    await done();
  };
  return html`<div class="actions signal-replies">
      ${words.REPLY_BUTTONS[signal.kind].map(
        ([reply, label], index) =>
          html`<${Button} kind=${index === 0 ? "primary" : "secondary"} type="button" busy=${busy === reply}
            onClick=${() => answer(reply)}>${label}<//>`,
      )}
    </div>
    <${Notice} kind="error">${problem}<//>`;
}

function PartnerSpace({ signal, partner, done }) {
  return html`<div class="card calm signal-space" data-signal=${signal.id}>
    <p><strong>${words.PARTNER_SPACE(partner, signal.until)}</strong></p>
    <${Message} text=${signal.message} />
    ${signal.reply ? html`<p>${words.replyText(signal, partner)}</p>` : html`<${ReplyButtons} signal=${signal} done=${done} />`}
  </div>`;
}

function MySpace({ signal, partner, done }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const end = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api(`/signals/${signal.id}`, { method: "DELETE" });
      announce(words.SPACE_ENDED);
    } catch (error) {
      setProblem(error.message);
    } finally {
      setBusy(false);
    }
    await done();
  };
  return html`<div class="card calm signal-space" data-signal=${signal.id}>
    <p><strong>${words.MY_SPACE(signal.until)}</strong></p>
    <${Message} text=${signal.message} />
    ${signal.reply ? html`<p>${words.replyText(signal, partner)}</p>` : null}
    <${Notice} kind="error">${problem}<//>
    <${Button} kind="secondary" type="button" busy=${busy} onClick=${end}>${words.END_MY_SPACE}<//>
  </div>`;
}

function SendSignals({ partner, done }) {
  const form = useForm({ message: "", until: "" }, { limits: { message: TEXT_LIMITS.signal_message } });
  const [sending, setSending] = useState(null);
  const send = (kind) =>
    form.submit(async ({ message, until }) => {
      setSending(kind);
      try {
        const body = { kind, message: message.trim() };
        if (kind === "space" && until) {
          const [hours, minutes] = until.split(":").map(Number);
          const end = new Date();
          end.setHours(hours, minutes, 0, 0);
          body.until = end.toISOString();
        }
        await api("/signals", { method: "POST", body });
        form.setValues({ message: "", until: "" });
        announce(words.SENT[kind]);
      } finally {
        setSending(null);
      }
      await done();
    });
  // A limit reached says so in the server's own words (when another can be sent).
  const general = form.error instanceof ApiError && form.error.status === 429 ? form.error.body.detail : form.general;
  return html`<form class="card signal-send" onSubmit=${(event) => event.preventDefault()} aria-labelledby="signals-send-heading">
    <h2 id="signals-send-heading">${words.SEND_HEADING}</h2>
    <p class="muted">${words.SEND_INTRO(partner)}</p>
    <${Field} label=${words.MESSAGE_LABEL} ...${form.bind("message")} />
    <${Field} label=${words.UNTIL_LABEL} hint=${words.UNTIL_HINT} type="time" ...${form.bind("until")} />
    <${Notice} kind="error">${general}<//>
    <div class="signal-buttons">
      ${Object.entries(words.SEND).map(
        ([kind, label]) =>
          html`<${Button} kind="secondary" type="button" busy=${form.busy && sending === kind} onClick=${send(kind)}>${label}<//>`,
      )}
    </div>
  </form>`;
}

function Recent({ signals, partner, done }) {
  if (!signals.length) return null;
  return html`<section class="card signal-recent" aria-labelledby="signals-recent-heading">
    <h2 id="signals-recent-heading">Lately between you</h2>
    <ul class="signal-list">
      ${signals.map(
        (signal) => html`<li key=${signal.id} data-signal=${signal.id}>
          <p>${words.signalText(signal, partner)}</p>
          <${Message} text=${signal.message} />
          ${signal.reply ? html`<p class="signal-reply">${words.replyText(signal, partner)}</p>` : null}
          <${Message} text=${signal.reply_message} />
          ${signal.from === "partner" && signal.kind === "invite" && !signal.reply
            ? html`<${ReplyButtons} signal=${signal} done=${done} />`
            : null}
        </li>`,
      )}
    </ul>
  </section>`;
}

/** Home's signals for a couple whose partner is `couple.partner`. */
export function Signals({ couple }) {
  const partner = couple.partner.display_name;
  // Reading them marks what the inbox says about them read (the server's rule).
  const spaces = useResource("signals:current", () => api("/signals/current"), TOPICS, { marksSeen: true });
  const list = useResource("signals:list", () => api("/signals"), TOPICS, { marksSeen: true });
  // A space ends by itself at `until`: read again then, so that it no longer shows.
  const ends = [spaces.data?.me?.until, spaces.data?.partner?.until].filter(Boolean).map((iso) => new Date(iso) - Date.now());
  useEffect(() => {
    const soonest = Math.min(...ends.filter((ms) => ms > 0));
    if (!Number.isFinite(soonest) || soonest > 2 ** 31 - 1) return undefined;
    const timer = setTimeout(() => spaces.reload(), soonest + 1000);
    return () => clearTimeout(timer);
  }, [ends.join()]);
  const done = () => Promise.all([spaces.reload(), list.reload()]);
  const live = new Set([spaces.data?.me?.id, spaces.data?.partner?.id].filter(Boolean));
  const recent = (list.data?.results || []).filter(
    (signal) => !live.has(signal.id) && Date.now() - new Date(signal.created_at) < RECENT_MS,
  );
  return html`
    ${spaces.data?.partner ? html`<${PartnerSpace} signal=${spaces.data.partner} partner=${partner} done=${done} />` : null}
    ${spaces.data?.me ? html`<${MySpace} signal=${spaces.data.me} partner=${partner} done=${done} />` : null}
    <${SendSignals} partner=${partner} done=${done} />
    <${Recent} signals=${recent} partner=${partner} done=${done} />
  `;
}
