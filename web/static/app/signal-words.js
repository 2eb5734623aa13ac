// What the signals between check-ins say, in one place, reviewed as the check-in's words are. They
// invite and never demand: nothing says whether a partner has opened or answered one, nothing
// counts them, nothing asks twice. A space reassures ("Back soon"), it does not alarm.

const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const DAY_TIME = new Intl.DateTimeFormat(undefined, { weekday: "long", hour: "2-digit", minute: "2-digit" });

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "18:00" today, "Friday 18:00" another day, in the device's time zone. */
export function untilText(iso) {
  const end = new Date(iso);
  return sameDay(end, new Date()) ? TIME.format(end) : DAY_TIME.format(end);
}

function today(iso) {
  return sameDay(new Date(iso), new Date());
}

export const SEND_HEADING = "Between check-ins";
export const SEND_INTRO = (partner) => `If you'd like, let ${partner} know with one tap. Always optional.`;
export const MESSAGE_LABEL = "A few words (optional)";
export const UNTIL_LABEL = "My space lasts until (optional)";
export const UNTIL_HINT = "Left empty, until the end of today.";

/** The three signals, as the buttons that send them say. */
export const SEND = {
  space: "I need a little space today",
  invite: "I'd love some time with you",
  thanks: "Thank you",
};
export const SENT = {
  space: "Sent. Take the time you need.",
  invite: "Sent.",
  thanks: "Sent.",
};

/** The replies, as their buttons say. */
export const REPLY_BUTTONS = {
  invite: [
    ["yes", "Yes"],
    ["later", "Later"],
    ["not_now", "Not now, thank you"],
  ],
  space: [["ok", "Of course, take your time"]],
};

/** A reply as the one who sent the signal reads it. */
const REPLY_HEARD = {
  yes: (partner) => `${partner} said yes.`,
  later: (partner) => `${partner} said later.`,
  not_now: (partner) => `${partner} said not now, thank you.`,
  ok: (partner) => `${partner} said: of course, take your time.`,
};
/** A reply as the one who gave it reads it. */
const REPLY_GIVEN = {
  yes: "You said yes.",
  later: "You said later.",
  not_now: "You said not now, thank you.",
  ok: "You said: of course, take your time.",
};

export const PARTNER_SPACE = (partner, until) =>
  today(until)
    ? `${partner} is taking some space today, until ${untilText(until)}. Back soon.`
    : `${partner} is taking some space, until ${untilText(until)}. Back soon.`;
export const MY_SPACE = (until) => `You are taking some space, until ${untilText(until)}.`;
export const END_MY_SPACE = "End my space now";
export const SPACE_ENDED = "Your space has ended.";

/** What a signal says on Home, from the reader's side (`from`: "me" or "partner"). */
export function signalText(signal, partner) {
  const mine = signal.from === "me";
  if (signal.kind === "space") {
    return mine ? "You took some space." : `${partner} took some space.`;
  }
  if (signal.kind === "invite") {
    return mine ? `You told ${partner} you'd love some time together.` : `${partner} would love some time with you. When suits you?`;
  }
  return mine ? `You thanked ${partner}.` : `${partner} says thank you.`;
}

/** The reply to a signal, from the reader's side, or null. */
export function replyText(signal, partner) {
  if (!signal.reply) return null;
  return signal.from === "me" ? REPLY_HEARD[signal.reply](partner) : REPLY_GIVEN[signal.reply];
}

export const REPLY_MESSAGE_LABEL = "A few words with your answer (optional)";
