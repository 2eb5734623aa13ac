// Placeholder: being written.
import { Page, html } from "app/ui.js";
export function Checkin() { return html`<${Page} title="Checkin"><p>Coming soon.</p><//>`; }
export function RoundScreen() { return html`<${Page} title="RoundScreen"><p>Coming soon.</p><//>`; }
