// Placeholder: being written.
import { Page, html } from "app/ui.js";
export function Settings() { return html`<${Page} title="Settings"><p>Coming soon.</p><//>`; }
