// Settings: how Tandem reaches you (push on this device, email, whether a signal's message shows in
// its notification, quiet hours), a pause when you need some space, your couple, your passkeys, the
// devices you are signed in on, and your account (sign out, export, delete).
import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError, api } from "app/api.js";
import { useResource } from "app/data.js";
import { passkeyAdd, passkeysSupported } from "app/passkeys.js";
import { pushState, pushSubscribe, pushUnsubscribe } from "app/push.js";
import { Link, navigate } from "app/router.js";
import { outbox } from "app/outbox.js";
import { EmailSettings, PasswordSettings } from "app/screens/account.js";
import { accountDeleted, clearCoupleFromDevice, refreshCouple, session, signOut } from "app/session.js";
import { useStore } from "app/store.js";
import {
  Button,
  Field,
  Loading,
  Notice,
  Page,
  Select,
  Status as SaidLine,
  TEXT_LIMITS,
  day,
  html,
  when,
  timeZones,
  useForm,
  useLoad,
} from "app/ui.js";

/** A checkbox with its visible label beside it; `hint` is read with it. */
function Toggle({ label, name, checked, onChange, hint, disabled }) {
  const id = `field-${name}`;
  return html`<div class="toggle">
    <input type="checkbox" id=${id} name=${name} checked=${checked} onChange=${onChange} disabled=${disabled}
      aria-describedby=${hint ? `${id}-hint` : undefined} />
    <label for=${id}>${label}</label>
    ${hint ? html`<p class="hint toggle-hint" id=${`${id}-hint`}>${hint}</p>` : null}
  </div>`;
}

/** A line said through the app's live region when it changes; empty takes no room. */
function Status({ children, kind = "ok" }) {
  return html`<${SaidLine} className=${`settings-status settings-status-${kind}`}>${children}<//>`;
}

function Section({ id, title, children }) {
  return html`<section class="card settings-section" aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    ${children}
  </section>`;
}

const PUSH_HINTS = {
  unsupported:
    "This browser cannot show notifications from Tandem, so email reminders are used instead. " +
    "(On an iPhone, add Tandem to your Home Screen first.)",
  denied:
    "Notifications are blocked for Tandem in this browser. To allow them, open the site settings (the icon " +
    "beside the address), set Notifications to Allow, then tick this again. Until then, email reminders are used.",
};

/** `device` is pushState()'s answer (null until known), kept by NotificationSettings. */
function PushToggle({ preferences, onSaved, device, setDevice }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState({ kind: "ok", text: "" });
  const working = useRef(false);

  useEffect(() => {
    pushState().then(setDevice, () => setDevice({ supported: false, permission: "unsupported", subscribed: false }));
  }, []);

  const change = async (event) => {
    const wanted = event.currentTarget.checked;
    if (working.current) return;
    working.current = true;
    setBusy(true);
    setMessage({ kind: "ok", text: wanted ? "Turning on notifications…" : "" });
    try {
      // pushSubscribe asks for permission first thing, while the browser still sees this tap.
      if (wanted) onSaved(await pushSubscribe());
      else await pushUnsubscribe();
      setDevice(await pushState());
      setMessage({ kind: "ok", text: wanted ? "Notifications are on for this device." : "Notifications are off for this device." });
    } catch (error) {
      setDevice(await pushState().catch(() => device));
      setMessage({ kind: "problem", text: error.message });
    } finally {
      working.current = false;
      setBusy(false);
    }
  };

  if (!device) return html`<p class="loading">Checking this device…</p>`;
  const checked = device.subscribed && preferences.push;
  // The denied explanation is said once: in the status line right after a tap, else as the hint.
  const deniedHint = device.permission === "denied" && !checked && !message.text;
  // A server without push is known before any tap, so the browser never asks for a permission
  // that could not be used.
  const cannot = !device.supported || Boolean(device.unavailable);
  const hint = !device.supported
    ? PUSH_HINTS.unsupported
    : device.unavailable
      ? device.unavailable
      : deniedHint
        ? PUSH_HINTS.denied
        : "A reminder on this phone or computer when a check-in opens.";
  return html`<div class="settings-push" aria-busy=${busy ? "true" : undefined}>
    <${Toggle} label="Push notifications on this device" name="push" checked=${checked} onChange=${change}
      disabled=${cannot && !checked} hint=${hint} />
    <${Status} kind=${message.kind}>${message.text}<//>
  </div>`;
}

/** A switch of one preference, saved as it is tapped; `said` is what the status line says of it on
 * and off. */
function PreferenceToggle({ preferences, onSaved, name, label, hint, said }) {
  const [message, setMessage] = useState({ kind: "ok", text: "" });
  const latest = useRef(0);
  const change = async (event) => {
    const wanted = event.currentTarget.checked;
    const tap = ++latest.current; // quick taps: only the last one's answer is shown
    setMessage({ kind: "ok", text: "" });
    try {
      const saved = await api("/notifications/preferences", { method: "PATCH", body: { [name]: wanted } });
      if (tap !== latest.current) return;
      onSaved(saved);
      setMessage({ kind: "ok", text: wanted ? said.on : said.off });
    } catch (error) {
      if (tap !== latest.current) return;
      onSaved({ ...preferences });
      setMessage({ kind: "problem", text: error.message });
    }
  };
  return html`<div>
    <${Toggle} label=${label} name=${name} checked=${preferences[name]} onChange=${change} hint=${hint} />
    <${Status} kind=${message.kind}>${message.text}<//>
  </div>`;
}

function EmailToggle({ preferences, onSaved }) {
  return html`<${PreferenceToggle} preferences=${preferences} onSaved=${onSaved} name="email" label="Email reminders"
    hint="A short email when a check-in opens. It never includes anyone's answers."
    said=${{ on: "Email reminders are on.", off: "Email reminders are off." }} />`;
}

// Off by default: a notification of a signal says only who sent it ("Mia sent you a signal").
function SignalTextToggle({ preferences, onSaved }) {
  return html`<${PreferenceToggle} preferences=${preferences} onSaved=${onSaved} name="signal_text"
    label="Show what a signal says on the lock screen"
    hint="A signal's message, and a reply's, then shows in its notification and email. Anyone who sees your phone may read it there."
    said=${{
      on: "Notifications of a signal now show its message.",
      off: "Notifications of a signal now say only who sent it.",
    }} />`;
}

function QuietHours({ preferences, onSaved }) {
  const form = useForm({
    quiet_hours_start: preferences.quiet_hours_start || "",
    quiet_hours_end: preferences.quiet_hours_end || "",
  });
  const [status, setStatus] = useState("");
  const save = async (values) => {
    setStatus("");
    const body = {
      quiet_hours_start: values.quiet_hours_start || null,
      quiet_hours_end: values.quiet_hours_end || null,
    };
    if (!body.quiet_hours_start && !body.quiet_hours_end) {
      throw new ApiError(400, { quiet_hours_start: ["Choose when quiet hours start, or use Clear quiet hours."] });
    }
    const saved = await api("/notifications/preferences", { method: "PATCH", body });
    onSaved(saved);
    setStatus(`Saved. Reminders wait between ${saved.quiet_hours_start} and ${saved.quiet_hours_end}.`);
  };
  const clear = async () => {
    setStatus("");
    const saved = await api("/notifications/preferences", {
      method: "PATCH",
      body: { quiet_hours_start: null, quiet_hours_end: null },
    });
    onSaved(saved);
    form.setValues({ quiet_hours_start: "", quiet_hours_end: "" });
    setStatus("Quiet hours cleared.");
  };
  const set = preferences.quiet_hours_start && preferences.quiet_hours_end;
  return html`<form class="quiet-hours" onSubmit=${form.submit(save)} novalidate>
    <h3>Quiet hours</h3>
    <p class="hint">${set
      ? `Now: nothing reaches you between ${preferences.quiet_hours_start} and ${preferences.quiet_hours_end}; it waits until after.`
      : "No quiet hours set. Reminders can arrive at any time of day."}</p>
    <${Notice} kind="error">${form.general}<//>
    <div class="quiet-hours-times">
      <${Field} label="Quiet from" type="time" ...${form.bind("quiet_hours_start")} />
      <${Field} label="Quiet until" type="time" ...${form.bind("quiet_hours_end")} />
    </div>
    <div class="actions">
      <${Button} type="submit" busy=${form.busy}>Save quiet hours<//>
      <${Button} kind="secondary" type="button" busy=${form.busy} onClick=${form.submit(clear)}>Clear quiet hours<//>
    </div>
    <${Status}>${status}<//>
  </form>`;
}

function NotificationSettings({ preferences, onSaved }) {
  const [device, setDevice] = useState(null);
  const pushHere = Boolean(device?.subscribed && preferences.push);
  return html`<${Section} id="settings-notifications" title="Notifications">
    <${PushToggle} preferences=${preferences} onSaved=${onSaved} device=${device} setDevice=${setDevice} />
    <${EmailToggle} preferences=${preferences} onSaved=${onSaved} />
    ${device && !pushHere && !preferences.email
      ? html`<p class="hint">With both off, Tandem will not remind you on this device or by email. Check-ins are still
          here whenever you open the app.</p>`
      : null}
    <${SignalTextToggle} preferences=${preferences} onSaved=${onSaved} />
    <${QuietHours} preferences=${preferences} onSaved=${onSaved} />
  <//>`;
}

function localDateText(date) {
  const pad = (number) => String(number).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The last moment of a local calendar day ("2026-12-24"), as an ISO instant. */
function endOfLocalDay(text) {
  const [year, month, date] = text.split("-").map(Number);
  return new Date(year, month - 1, date, 23, 59, 59, 999).toISOString();
}

function Space({ preferences, onSaved }) {
  const form = useForm({ paused_until: "" });
  const [status, setStatus] = useState("");
  const today = localDateText(new Date());
  const paused = preferences.paused_until && new Date(preferences.paused_until) > new Date();
  const pause = async ({ paused_until: chosen }) => {
    setStatus("");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(chosen)) {
      throw new ApiError(400, { paused_until: ["Choose the last day of your pause."] });
    }
    if (chosen < today) throw new ApiError(400, { paused_until: ["Choose today or a day after it."] });
    const saved = await api("/notifications/preferences", { method: "PATCH", body: { paused_until: endOfLocalDay(chosen) } });
    onSaved(saved);
    form.setValues({ paused_until: "" });
    setStatus("Reminders are paused.");
  };
  const resume = async () => {
    setStatus("");
    onSaved(await api("/notifications/preferences", { method: "PATCH", body: { paused_until: null } }));
    setStatus("Reminders are back on.");
  };
  return html`<${Section} id="settings-space" title="I need some space">
    <p>Pausing stops reminders and check-in invitations for you until the day you choose. No questions asked,
    and you can resume whenever you like.</p>
    <${Notice} kind="error">${form.general}<//>
    ${paused
      ? html`<p class="paused-until">Paused until ${day(preferences.paused_until)}</p>
        <${Button} kind="secondary" type="button" busy=${form.busy} onClick=${form.submit(resume)}>Resume now<//>`
      : html`<form class="stack" onSubmit=${form.submit(pause)} novalidate>
          <${Field} label="Pause until" type="date" min=${today} hint="Reminders start again the day after." ...${form.bind("paused_until")} />
          <${Button} type="submit" busy=${form.busy}>Pause reminders<//>
        </form>`}
    <${Status}>${status}<//>
  <//>`;
}

function LeaveCouple({ couple }) {
  const dialog = useRef(null);
  const opener = useRef(null);
  const cancel = useRef(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const [takeMine, setTakeMine] = useState(false);

  const open = () => {
    setProblem(null);
    setTakeMine(false);
    dialog.current.showModal();
    cancel.current?.focus();
  };
  const close = () => {
    if (dialog.current?.open) dialog.current.close();
  };
  const leave = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api("/couple/leave", { method: "POST", body: { remove_my_answers: takeMine } });
      close();
      await clearCoupleFromDevice();
      await refreshCouple();
      navigate("/");
    } catch (error) {
      setProblem(error.message);
    } finally {
      setBusy(false);
    }
  };
  const name = couple.partner.display_name;
  return html`
    <button class="button button-secondary" type="button" ref=${opener} onClick=${open}>Leave the couple</button>
    <dialog ref=${dialog} class="confirm" aria-labelledby="leave-title" aria-describedby="leave-text"
      onClose=${() => opener.current?.focus()}>
      <h2 id="leave-title">Leave the couple?</h2>
      <div id="leave-text">
        <p>Leaving happens straight away. Reminders and check-ins stop for both of you, and ${name} is told.</p>
        <p>You both keep the check-ins and talks you shared, to read in History and Talks.</p>
        <p>You can both pair again later, with each other or with someone new.</p>
      </div>
      <${Toggle} label="Take my answers and notes with me" name="remove_my_answers" checked=${takeMine}
        onChange=${(event) => setTakeMine(event.currentTarget.checked)}
        hint=${`${name} then sees that your answers were removed; their own answers stay with them.`} />
      <${Notice} kind="error">${problem}<//>
      <div class="actions">
        <${Button} kind="danger" type="button" busy=${busy} onClick=${leave}>Yes, leave<//>
        <button class="button button-secondary" type="button" ref=${cancel} onClick=${close}>Cancel</button>
      </div>
    </dialog>`;
}

function Couple({ couple }) {
  return html`<${Section} id="settings-couple" title="Your couple">
    ${couple === undefined
      ? html`<${Loading} />`
      : couple
        ? html`
          <p>Paired with <bdi>${couple.partner.display_name}</bdi> since ${day(couple.paired_at)}.</p>
          <p><${Link} class="settings-link" href="/schedule">Change when you check in<//></p>
          <${LeaveCouple} couple=${couple} />`
        : html`<p>You are not paired right now.</p>
          <${Link} class="button button-primary" href="/pair">Pair with your partner<//>`}
  <//>`;
}

/** One passkey in the list, and its removal, confirmed first as leaving the couple is. */
function PasskeyItem({ passkey, onRemoved }) {
  const dialog = useRef(null);
  const opener = useRef(null);
  const cancel = useRef(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const titleId = `passkey-${passkey.id}-title`;
  const textId = `passkey-${passkey.id}-text`;
  const open = () => {
    setProblem(null);
    dialog.current.showModal();
    cancel.current?.focus();
  };
  const close = () => {
    if (dialog.current?.open) dialog.current.close();
  };
  const remove = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api(`/me/passkeys/${passkey.id}`, { method: "DELETE" });
      close();
      await onRemoved(passkey);
    } catch (error) {
      setProblem(error.message);
      setBusy(false);
    }
  };
  return html`<li class="passkey">
    <div class="passkey-facts">
      <bdi class="passkey-name">${passkey.name}</bdi>
      <span class="hint">Added ${day(passkey.created_at)} ·
        ${passkey.last_used_at ? ` Last used ${when(passkey.last_used_at)}` : " Not used yet"}</span>
    </div>
    <button class="button button-secondary" type="button" ref=${opener} onClick=${open}
      aria-label=${`Remove ${passkey.name}`}>Remove</button>
    <dialog ref=${dialog} class="confirm" aria-labelledby=${titleId} aria-describedby=${textId}
      onClose=${() => opener.current?.focus()}>
      <h2 id=${titleId}>Remove this passkey?</h2>
      <div id=${textId}>
        <p><bdi>${passkey.name}</bdi> will no longer sign you in to Tandem. Your password and your other passkeys
        still do.</p>
        <p>The device keeps its half until you delete it there too, in its passwords or passkeys settings.</p>
      </div>
      <${Notice} kind="error">${problem}<//>
      <div class="actions">
        <${Button} kind="danger" type="button" busy=${busy} onClick=${remove}>Yes, remove it<//>
        <button class="button button-secondary" type="button" ref=${cancel} onClick=${close}>Cancel</button>
      </div>
    </dialog>
  </li>`;
}

function Passkeys() {
  const passkeys = useResource("passkeys", () => api("/me/passkeys"));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState({ kind: "ok", text: "" });
  const add = async () => {
    setBusy(true);
    setMessage({ kind: "ok", text: "" });
    try {
      const added = await passkeyAdd();
      await passkeys.reload();
      setMessage({ kind: "ok", text: `Passkey added as “${added.name}”. Next time, sign in with it.` });
    } catch (error) {
      setMessage({ kind: "problem", text: error.message });
    } finally {
      setBusy(false);
    }
  };
  const removed = async (passkey) => {
    await passkeys.reload();
    setMessage({ kind: "ok", text: `“${passkey.name}” was removed.` });
    // Its row went with it, the focus too: it goes on to the button beside the list.
    document.getElementById("passkey-add")?.focus();
  };
  const list = passkeys.data;
  return html`<${Section} id="settings-passkeys" title="Passkeys">
    <p>Sign in with this device's fingerprint, face or screen lock instead of typing your password.</p>
    ${list === undefined
      ? html`<${Loading} error=${passkeys.error} retry=${passkeys.reload} />`
      : list.length
        ? html`<ul class="passkeys">${list.map((passkey) => html`<${PasskeyItem} key=${passkey.id} passkey=${passkey} onRemoved=${removed} />`)}</ul>`
        : html`<p class="hint">You have no passkeys yet.</p>`}
    ${passkeysSupported()
      ? html`<${Button} kind="secondary" type="button" id="passkey-add" busy=${busy} onClick=${add}>Add a passkey<//>`
      : html`<p class="hint">This browser cannot make passkeys. Your password still signs you in.</p>`}
    <${Status} kind=${message.kind}>${message.text}<//>
  <//>`;
}

const KIND_WORDS = { browser: "Browser", token: "App or API client" };
const BROWSERS = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/SamsungBrowser\//, "Samsung Internet"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrome\/|CriOS\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/CrOS/, "ChromeOS"],
  [/Macintosh|Mac OS X/, "Mac"],
  [/Linux/, "Linux"],
];

/** A device's user agent in a few words: "Firefox on Linux", "Safari on iPhone"; for another
 * client its first product ("tandem-cli 1.0"); null when it said nothing. */
export function deviceName(userAgent) {
  const agent = (userAgent || "").trim();
  if (!agent) return null;
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && agent.startsWith("Mozilla/")) return system ? `${browser} on ${system}` : browser;
  if (system && agent.startsWith("Mozilla/")) return `A browser on ${system}`;
  const product = agent.split(/\s+/)[0].replace("/", " ");
  return product.length > 40 ? `${product.slice(0, 39)}…` : product;
}

/** What a device is, in words: "This browser", "Browser", "App or API client". */
function kindWords(device) {
  return device.current && device.kind === "browser" ? "This browser" : KIND_WORDS[device.kind] || device.kind;
}

/** Every device signed in as me (GET /me/devices), each other one with its own Sign out. */
function Devices() {
  const devices = useResource("devices", () => api("/me/devices"));
  const dialog = useRef(null);
  const heading = useRef(null);
  const cancel = useRef(null);
  const [chosen, setChosen] = useState(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const [status, setStatus] = useState("");
  const opener = useRef(null);

  const ask = (device, event) => {
    opener.current = event.currentTarget;
    setChosen(device);
    setProblem(null);
    setStatus("");
    dialog.current.showModal();
    cancel.current?.focus();
  };
  const close = () => {
    if (dialog.current?.open) dialog.current.close();
  };
  const signOutChosen = async () => {
    setBusy(true);
    setProblem(null);
    try {
      try {
        await api(`/me/devices/${chosen.id}`, { method: "DELETE" });
      } catch (error) {
        // Signed out already (elsewhere, or it expired): what was asked is done.
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
      opener.current = null; // its row is gone: the focus goes to the list's heading
      close();
      setStatus(`${deviceName(chosen.user_agent) || KIND_WORDS[chosen.kind]} is signed out.`);
      await devices.reload();
    } catch (error) {
      setProblem(error.message);
    } finally {
      setBusy(false);
    }
  };
  const returnFocus = () => (opener.current?.isConnected ? opener.current : heading.current)?.focus();

  const list = devices.data;
  return html`<section class="card settings-section" aria-labelledby="settings-devices">
    <h2 id="settings-devices" ref=${heading} tabindex="-1">Your devices</h2>
    <p>Where you are signed in. Sign out any you no longer use or do not recognise; it will need your password
    to sign in again.</p>
    ${list === undefined
      ? html`<${Loading} error=${devices.error} retry=${devices.reload} />`
      : html`<ul class="devices">
          ${list.map((device) => {
            const name = deviceName(device.user_agent) || KIND_WORDS[device.kind] || device.kind;
            return html`<li class="device" key=${device.id}>
              <div class="device-about">
                <p class="device-name" id=${`device-${device.id}`}>
                  <bdi>${name}</bdi>${device.current ? html` <span class="device-here">This device</span>` : null}
                </p>
                <p class="hint">${kindWords(device)}, last used ${when(device.last_used_at)}</p>
              </div>
              ${device.current
                ? null
                : html`<button class="button button-secondary" type="button" aria-describedby=${`device-${device.id}`}
                    onClick=${(event) => ask(device, event)}>Sign out</button>`}
            </li>`;
          })}
        </ul>`}
    <${Status}>${status}<//>
    <dialog ref=${dialog} class="confirm" aria-labelledby="device-out-title" aria-describedby="device-out-text"
      onClose=${returnFocus}>
      <h2 id="device-out-title">Sign out this device?</h2>
      <p id="device-out-text">${chosen
        ? html`<bdi>${deviceName(chosen.user_agent) || KIND_WORDS[chosen.kind]}</bdi> (${KIND_WORDS[chosen.kind]}, last
          used ${when(chosen.last_used_at)}) is signed out straight away. Whoever uses it needs your password to sign in
          again.`
        : null}</p>
      <${Notice} kind="error">${problem}<//>
      <div class="actions">
        <${Button} kind="danger" type="button" busy=${busy} onClick=${signOutChosen}>Yes, sign out<//>
        <button class="button button-secondary" type="button" ref=${cancel} onClick=${close}>Cancel</button>
      </div>
    </dialog>
  </section>`;
}

function ExportData() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState({ kind: "ok", text: "" });
  const save = async () => {
    setBusy(true);
    setMessage({ kind: "ok", text: "" });
    try {
      const everything = await api("/me/export");
      const url = URL.createObjectURL(new Blob([JSON.stringify(everything, null, 2)], { type: "application/json" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = "tandem-export.json";
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      // The browser has the file by then; the object URL would otherwise hold the data in memory.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMessage({ kind: "ok", text: "Your data is saved as tandem-export.json in your downloads." });
    } catch (error) {
      setMessage({ kind: "problem", text: error.message });
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="settings-export">
    <p>Everything Tandem keeps about you, as one file.</p>
    <${Button} kind="secondary" type="button" busy=${busy} onClick=${save}>Export my data<//>
    <${Status} kind=${message.kind}>${message.text}<//>
  </div>`;
}

function DeleteAccount({ couple }) {
  const form = useForm({ password: "" });
  const remove = async ({ password }) => {
    if (!password) throw new ApiError(400, { password: ["Enter your password to confirm."] });
    await api("/me", { method: "DELETE", body: { password } });
    await accountDeleted();
    navigate("/");
  };
  return html`<form class="stack delete-account" onSubmit=${form.submit(remove)} novalidate>
    <h3>Delete my account</h3>
    <p class="warning">This deletes your account and everything in it straight away: your answers, your notes and
    your check-in history. It cannot be undone.${couple ? ` ${couple.partner.display_name} is told the couple has ended.` : ""}</p>
    <${Notice} kind="error">${form.general}<//>
    <${Field} label="Your password" type="password" autocomplete="current-password" ...${form.bind("password")} />
    <${Button} kind="danger" type="submit" busy=${form.busy}>Delete my account for good<//>
  </form>`;
}

/** The name a partner sees and the time zone Tandem speaks in (PATCH /me). */
function AboutMe({ me }) {
  const form = useForm(
    { display_name: me.display_name, timezone: me.timezone },
    { limits: { display_name: TEXT_LIMITS.display_name } },
  );
  const [status, setStatus] = useState("");
  const save = async (values) => {
    setStatus("");
    const changes = {};
    if (values.display_name !== me.display_name) changes.display_name = values.display_name;
    if (values.timezone !== me.timezone) changes.timezone = values.timezone;
    if (!Object.keys(changes).length) {
      setStatus("Nothing to save: that is already your name and time zone.");
      return;
    }
    const saved = await api("/me", { method: "PATCH", body: changes });
    session.set({ me: saved });
    form.setValues({ display_name: saved.display_name, timezone: saved.timezone });
    setStatus("Saved.");
  };
  return html`<form class="stack about-me" onSubmit=${form.submit(save)} novalidate>
    <${Notice} kind="error">${form.general}<//>
    <${Field} label="Your name" hint="What your partner sees." autocomplete="nickname" dir="auto" ...${form.bind("display_name")} />
    <${Select} label="Your time zone" options=${timeZones(me.timezone).map((zone) => [zone, zone.replace(/_/g, " ")])}
      ...${form.bind("timezone")} />
    <${Button} type="submit" busy=${form.busy}>Save name and time zone<//>
    <${Status}>${status}<//>
  </form>`;
}

function Account({ me, couple }) {
  const [busy, setBusy] = useState(false);
  const { entries } = useStore(outbox);
  const leave = async () => {
    setBusy(true);
    await signOut();
    navigate("/");
  };
  return html`<${Section} id="settings-account" title="Your account">
    <${AboutMe} me=${me} />
    <${EmailSettings} me=${me} />
    <${PasswordSettings} />
    ${entries.length
      ? html`<p class="warning" id="sign-out-warning">An answer you gave offline has not been sent yet. Signing out now
          removes it from this device; once you are back online it is sent by itself.</p>`
      : null}
    <${Button} kind="secondary" type="button" busy=${busy} onClick=${leave}
      aria-describedby=${entries.length ? "sign-out-warning" : undefined}>Sign out<//>
    <${ExportData} />
    <${DeleteAccount} couple=${couple} />
  <//>`;
}

/** Quiet, and private: read here, with no search or page elsewhere that would learn the question. */
function SupportResources() {
  return html`<details class="settings-support">
    <summary>Support resources</summary>
    <p>If things feel hard, you do not have to work it out alone. A couples counsellor or therapist can help you
    both talk about what your check-ins show; your doctor or a local family service can point you to one.</p>
    <p>If you ever feel unsafe at home, call your local emergency number, or a domestic abuse helpline where you live.
    Tandem is for two people who both feel safe to be honest.</p>
  </details>`;
}

export function Settings() {
  const { me, couple } = useStore(session);
  const loaded = useLoad(() => api("/notifications/preferences"));
  const [preferences, setPreferences] = useState(null);
  useEffect(() => {
    if (loaded.data) setPreferences(loaded.data);
  }, [loaded.data]);

  const waiting = html`<${Loading} error=${loaded.error} retry=${loaded.reload} />`;
  return html`<${Page} title="Settings" className="settings">
    ${preferences
      ? html`<${NotificationSettings} preferences=${preferences} onSaved=${setPreferences} />
        <${Space} preferences=${preferences} onSaved=${setPreferences} />`
      : html`<${Section} id="settings-notifications" title="Notifications">${waiting}<//>`}
    <${Couple} couple=${couple} />
    ${me ? html`<${Passkeys} />` : null}
    ${me ? html`<${Devices} />` : null}
    ${me ? html`<${Account} me=${me} couple=${couple} />` : null}
    <${SupportResources} />
  <//>`;
}
