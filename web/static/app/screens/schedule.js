// When the couple checks in: the schedule in plain words, and the form that changes it (either
// partner may; the other is told).
import { useEffect, useState } from "preact/hooks";

import { ApiError, api } from "app/api.js";
import { Link } from "app/router.js";
import { refreshCouple, session } from "app/session.js";
import { useStore } from "app/store.js";
import {
  Button, Field, Loading, Notice, Page, SCHEDULE_LIMITS, Select as Choice, Status, html, timeZones, useForm, when,
} from "app/ui.js";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MAX_INTERVAL_DAYS = SCHEDULE_LIMITS.interval_days;
const MAX_WINDOW_HOURS = SCHEDULE_LIMITS.window_hours;

/** "Europe/Berlin" → "Berlin"; "America/Argentina/Buenos_Aires" → "Buenos Aires". */
export function zoneCity(zone) {
  return String(zone || "UTC").split("/").pop().replace(/_/g, " ");
}

function hours(count) {
  return `${count} hour${Number(count) === 1 ? "" : "s"}`;
}

/** "Sundays at 19:00, Berlin time; you have 48 hours to answer." */
export function describeSchedule(schedule) {
  const at = `at ${schedule.time}, ${zoneCity(schedule.timezone)} time`;
  const window = `you have ${hours(schedule.window_hours)} to answer`;
  if (schedule.cadence === "every_n_days") {
    const every = Number(schedule.interval_days) === 1 ? "Every day" : `Every ${schedule.interval_days} days`;
    return `${every} ${at}; ${window}.`;
  }
  return `${WEEKDAYS[schedule.weekday] ?? "Sunday"}s ${at}; ${window}.`;
}

function wholeNumber(text) {
  return /^\s*\d+\s*$/.test(String(text)) ? Number(text) : null;
}

/** What the form changes, as the PATCH body; problems the server would refuse are found here first. */
function changesFrom(values, schedule) {
  const problems = {};
  const changes = {};
  if (values.cadence !== schedule.cadence) changes.cadence = values.cadence;
  if (values.cadence === "weekly") {
    const weekday = Number(values.weekday);
    if (weekday !== schedule.weekday) changes.weekday = weekday;
  } else {
    const days = wholeNumber(values.interval_days);
    if (days === null || days < 1 || days > MAX_INTERVAL_DAYS) {
      problems.interval_days = [`Enter a whole number of days, from 1 to ${MAX_INTERVAL_DAYS}.`];
    } else if (days !== schedule.interval_days) changes.interval_days = days;
  }
  if (!/^\d{2}:\d{2}$/.test(values.time)) problems.time = ["Choose a time, like 19:00."];
  else if (values.time !== schedule.time) changes.time = values.time;
  if (!values.timezone) problems.timezone = ["Choose a time zone."];
  else if (values.timezone !== schedule.timezone) changes.timezone = values.timezone;
  const window = wholeNumber(values.window_hours);
  if (window === null || window < 1 || window > MAX_WINDOW_HOURS) {
    problems.window_hours = [`Enter a whole number of hours, from 1 to ${MAX_WINDOW_HOURS}.`];
  } else if (window !== schedule.window_hours) changes.window_hours = window;
  if (Object.keys(problems).length) throw new ApiError(400, problems);
  return changes;
}

function ScheduleForm({ schedule }) {
  const form = useForm({
    cadence: schedule.cadence,
    weekday: String(schedule.weekday),
    interval_days: String(schedule.interval_days ?? 3),
    time: schedule.time,
    timezone: schedule.timezone,
    window_hours: String(schedule.window_hours),
  });
  const [status, setStatus] = useState("");
  const save = async (values) => {
    setStatus("");
    const changes = changesFrom(values, schedule);
    if (!Object.keys(changes).length) {
      setStatus("Nothing to save: that is already your schedule.");
      return;
    }
    await api("/couple/schedule", { method: "PATCH", body: changes });
    await refreshCouple();
    setStatus("Saved. Your partner has been told.");
  };
  const weekly = form.values.cadence === "weekly";
  return html`<form class="stack schedule-form" onSubmit=${form.submit(save)} novalidate>
    <h2>Change it</h2>
    <${Notice} kind="error">${form.general}<//>
    <${Choice} key="cadence" label="How often" options=${[["weekly", "Every week"], ["every_n_days", "Every few days"]]}
      ...${form.bind("cadence")} />
    ${weekly
      ? html`<${Choice} key="weekday" label="Day" options=${WEEKDAYS.map((name, index) => [String(index), name])} ...${form.bind("weekday")} />`
      : html`<${Field} key="interval_days" label="Every how many days" type="number" inputmode="numeric" min="1" max=${MAX_INTERVAL_DAYS}
          step="1" ...${form.bind("interval_days")} />`}
    <${Field} key="time" label="Time" type="time" hint="In the time zone below." ...${form.bind("time")} />
    <${Choice} key="timezone" label="Time zone" options=${timeZones(schedule.timezone).map((zone) => [zone, zone.replace(/_/g, " ")])}
      ...${form.bind("timezone")} />
    <${Field} key="window_hours" label="Hours to answer" type="number" inputmode="numeric" min="1" max=${MAX_WINDOW_HOURS} step="1"
      hint="How long each check-in stays open: up to a week, and no longer than the time between check-ins."
      ...${form.bind("window_hours")} />
    <${Button} type="submit" busy=${form.busy}>Save schedule<//>
    <${Status} className="schedule-status">${status}<//>
  </form>`;
}

export function Schedule() {
  const { couple } = useStore(session);
  useEffect(() => {
    refreshCouple();
  }, []);
  if (couple === undefined) return html`<${Page} title="When you check in"><${Loading} /><//>`;
  if (couple === null) {
    return html`<${Page} title="When you check in">
      <p>Once you are paired, the two of you can choose when you check in.</p>
      <${Link} class="button button-primary" href="/pair">Pair with your partner<//>
    <//>`;
  }
  const schedule = couple.schedule;
  return html`<${Page} title="When you check in" className="schedule">
    <div class="card">
      <p class="schedule-summary">${describeSchedule(schedule)}</p>
      ${schedule.next_checkin_at ? html`<p class="schedule-next">Next check-in: ${when(schedule.next_checkin_at)}</p>` : null}
      <p class="hint">Either of you can change this; the other is told.</p>
    </div>
    <${ScheduleForm} schedule=${schedule} />
  <//>`;
}
