// Placeholder: being written.
import { Page, html } from "app/ui.js";
export function Inbox() { return html`<${Page} title="Inbox"><p>Coming soon.</p><//>`; }
export function OpenNotification() { return html`<${Page} title="OpenNotification"><p>Coming soon.</p><//>`; }
