// The live parts of the play view. Without this module every form posts and the page comes back with the
// finished narration; with it, a move is posted in the background and the narration streams into the live
// region as it is written (Server-Sent Events; the browser re-attaches after a dropped connection and the
// server resumes after the last token it saw, from the Last-Event-ID header). Older turns load as you scroll up.
// The world-state panel is read again while a turn is still being read for changes (a background job).
// Streamed text is shown in the story-text Markdown subset, as the server shows it once stored (story-text.js).

import { render } from "./story-text.js";

const root = () => document.getElementById("play");
const adventure = root()?.dataset.adventure;
let source = null;
let stateWatch = 0; // bumped to stop an older polling loop when a newer one starts
let earlyCloses = 0; // streams that ended while the page still showed the turn being written
const refreshButton = () => document.querySelector("#state-refresh button");

if (adventure) {
  document.addEventListener("submit", onSubmit);
  document.addEventListener("keydown", (event) => {
    if (event.target.id === "text" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      document.getElementById("action")?.requestSubmit();
    }
  });
  watchOlder();
  watchState();
  keepDraft();
  if (!location.hash && !new URLSearchParams(location.search).has("before")) {
    scrollToAction();
  }
  if (root().dataset.streaming === "true") {
    stream();
  }
}

async function onSubmit(event) {
  const form = event.target;
  if (form.id === "state-refresh") return onStateRefresh(event);
  const posted = form.hasAttribute("data-live");
  const stop = form.id === "stop";
  if (!posted && !stop) return; // every other form posts normally
  event.preventDefault();
  const data = new FormData(form);
  let response;
  try {
    response = await fetch(form.action, { method: "POST", body: data, headers: { "X-Requested-With": "fetch" } });
  } catch {
    showProblem("The server could not be reached.", "Check your connection, then send again. Your text is still in the box.");
    return;
  }
  if (stop) {
    if (!response.ok) await showProblemFrom(response);
    return; // the stream ends with the stopped narration
  }
  if (response.status !== 202) {
    await showProblemFrom(response);
    return;
  }
  clearProblem();
  if (form.id === "action") forgetDraft(); // accepted: the move is stored now, so the draft has done its job
  const text = data.get("text");
  const live = document.getElementById("live");
  live.replaceChildren();
  if (form.id === "action" && (text || data.get("kind") === "continue")) {
    const mine = document.createElement("div");
    mine.className = "player";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = text ? "You:" : "Continue";
    mine.append(who, " ", render(text ?? ""));
    live.append(mine);
  }
  stream();
}

function stream() {
  const live = document.getElementById("live");
  const writing = document.createElement("div");
  writing.className = "writing prose";
  live.append(writing);
  let text = "";
  let drawing = false;
  const draw = () => {
    drawing = false;
    writing.replaceChildren(render(text));
  };
  setBusy(true);
  source?.close();
  source = new EventSource(`/play/${encodeURIComponent(adventure)}/stream`);
  source.addEventListener("token", (event) => {
    text += JSON.parse(event.data).text;
    if (!drawing) {
      drawing = true; // one rendering a frame, however many tokens arrived in it
      requestAnimationFrame(draw);
    }
  });
  const finish = () => {
    source?.close();
    source = null;
    refresh();
  };
  source.addEventListener("token", () => (earlyCloses = 0), { once: true });
  source.addEventListener("turn.completed", finish);
  source.addEventListener("turn.failed", finish);
  // A closed source (the narration ended while we were away: 204) means the transcript has the text now;
  // while the state is CONNECTING the browser is re-attaching by itself.
  source.addEventListener("error", () => {
    if (source && source.readyState === EventSource.CLOSED) finish();
  });
}

function scrollToAction() {
  (document.getElementById("action") ?? document.getElementById("latest"))?.scrollIntoView({ block: "end" });
}

function setBusy(busy) {
  const send = document.getElementById("send");
  if (send) send.disabled = busy;
  const stop = document.getElementById("stop");
  if (stop) stop.hidden = !busy;
  document.getElementById("live")?.setAttribute("aria-busy", busy ? "true" : "false");
}

// The stored transcript replaces the streamed text, so what is shown is exactly what was saved.
async function refresh() {
  const hadFocus = document.activeElement?.id;
  const response = await fetch(location.pathname, { headers: { "X-Requested-With": "fetch" } });
  if (!response.ok) {
    location.reload();
    return;
  }
  const next = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("play");
  root().replaceWith(document.adoptNode(next));
  document.querySelector(".flash")?.remove(); // it spoke of the page as it was
  watchOlder();
  watchState();
  keepDraft();
  scrollToAction();
  (document.getElementById(hadFocus) ?? document.getElementById("text"))?.focus({ preventScroll: true });
  // The stream can close before the narration ends (a proxy's timeout, a server under load answering the re-attach
  // with an error): the page then still says the turn is being written, so follow it again, a few times at most.
  if (root().dataset.streaming === "true" && !source && earlyCloses++ < 5) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (!source) stream();
  }
}

async function showProblemFrom(response) {
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const problem = doc.getElementById("problem");
  if (problem) {
    placeProblem(document.adoptNode(problem));
  } else {
    showProblem(`The server answered ${response.status}.`, "Reload the page and try again.");
  }
}

function showProblem(message, advice) {
  const box = document.createElement("div");
  box.className = "problem";
  box.id = "problem";
  box.setAttribute("role", "alert");
  const first = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = `Problem: ${message}`;
  first.append(strong);
  const second = document.createElement("p");
  second.textContent = advice;
  box.append(first, second);
  placeProblem(box);
}

function placeProblem(box) {
  clearProblem();
  document.getElementById("action")?.before(box);
}

function clearProblem() {
  document.getElementById("problem")?.remove();
}

// "Older turns" is a plain link; when it scrolls into view we fetch that page and put its turns above ours.
function watchOlder() {
  const link = document.getElementById("older");
  if (!link || !("IntersectionObserver" in window)) return;
  const observer = new IntersectionObserver(async (entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    const response = await fetch(link.href, { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const transcript = document.getElementById("transcript");
    const before = document.documentElement.scrollHeight;
    transcript.prepend(...[...doc.getElementById("transcript").children].map((n) => document.adoptNode(n)));
    window.scrollBy(0, document.documentElement.scrollHeight - before);
    const older = doc.getElementById("older");
    if (older) {
      link.setAttribute("href", older.getAttribute("href"));
      watchOlder();
    } else {
      link.parentElement.remove();
    }
  });
  observer.observe(link);
}

// The panel's Refresh reloads the page without this module; with it, only the panel is fetched again.
async function onStateRefresh(event) {
  event.preventDefault();
  if (!(await replaceState())) {
    location.reload();
    return;
  }
  refreshButton()?.focus();
  watchState();
}

// While the panel says a turn is still being read, ask for it again every second or two, for up to a minute.
function watchState() {
  const watch = ++stateWatch;
  let tries = 0;
  const tick = async () => {
    if (watch !== stateWatch || document.getElementById("world-state")?.dataset.pending !== "true") return;
    if (++tries > 40) return; // the Refresh button is still there
    await new Promise((resolve) => setTimeout(resolve, 1500));
    if (watch !== stateWatch) return;
    const inside = document.getElementById("world-state")?.contains(document.activeElement);
    if (await replaceState() && inside) refreshButton()?.focus({ preventScroll: true });
    tick();
  };
  tick();
}

async function replaceState() {
  let response;
  try {
    response = await fetch(`/play/${encodeURIComponent(adventure)}?handler=StatePanel`, { headers: { "X-Requested-With": "fetch" } });
  } catch {
    return false;
  }
  if (!response.ok) return false;
  const next = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("world-state");
  const current = document.getElementById("world-state");
  if (!next || !current) return false;
  current.replaceWith(document.adoptNode(next));
  return true;
}

// What the player is typing survives a reload, a closed tab or a crash until the move is accepted (issue 18): kept in
// this browser only, per adventure. Storage that is full or switched off just means no draft.
function draftKey() {
  return `storyengine:draft:${adventure}`;
}

function keepDraft() {
  const box = document.getElementById("text");
  if (!box) return;
  try {
    if (!box.value) box.value = localStorage.getItem(draftKey()) ?? "";
  } catch {
    return;
  }
  box.addEventListener("input", () => {
    try {
      if (box.value) localStorage.setItem(draftKey(), box.value);
      else localStorage.removeItem(draftKey());
    } catch {
      // no draft then
    }
  });
}

function forgetDraft() {
  try {
    localStorage.removeItem(draftKey());
  } catch {
    // nothing was kept
  }
}
