// Read aloud in the play view (issue 25): a play button on each narration and an "auto read" switch (kept in this
// browser) that reads each new narration as it arrives. Audio comes from /play/{id}/turns/{turnId}/audio: a POST asks
// for it (ready, or being voiced: ask again shortly), a GET plays it.
const panel = document.getElementById("read-aloud");
const player = document.getElementById("read-aloud-player");
const auto = document.getElementById("auto-read");
const token = () => document.querySelector("input[name='__RequestVerificationToken']")?.value;

function turnAddress(article) {
  const link = article.querySelector("a[href*='/turns/'][href$='/context']");
  return link ? link.getAttribute("href").replace(/\/context$/, "/audio") : null;
}

async function voiced(address) {
  for (let attempt = 0; attempt < 120; attempt++) {
    const body = new FormData();
    if (token()) body.append("__RequestVerificationToken", token());
    const response = await fetch(address, { method: "POST", body, headers: { "X-Requested-With": "fetch" } });
    if (response.status === 200) return (await response.json()).url;
    if (response.status !== 202) return null;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

async function play(article, button) {
  const address = turnAddress(article);
  if (!address) return;
  button.disabled = true;
  button.textContent = "Preparing…";
  const url = await voiced(address);
  button.disabled = false;
  button.textContent = "▶ Play";
  if (!url) return;
  player.src = url;
  await player.play();
}

function decorate(article) {
  if (article.querySelector(".play-narration") || !turnAddress(article)) return false;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "play-narration";
  button.textContent = "▶ Play";
  button.setAttribute("aria-label", "Read aloud");
  button.addEventListener("click", () => play(article, button));
  article.querySelector(".turn-h")?.after(button);
  return true;
}

if (panel && player && auto) {
  panel.hidden = false;
  auto.checked = localStorage.getItem("auto-read") === "on";
  auto.addEventListener("change", () => localStorage.setItem("auto-read", auto.checked ? "on" : "off"));
  for (const article of document.querySelectorAll("article.turn")) decorate(article);
  new MutationObserver(() => {
    for (const article of document.querySelectorAll("article.turn")) {
      if (decorate(article) && auto.checked) play(article, article.querySelector(".play-narration"));
    }
  }).observe(document.body, { childList: true, subtree: true });
}
