// The bedtime reading view (issue 25): dark or sepia, the sentence being read highlighted while a chapter plays, the
// next chapter started when one ends, and, while the story is still being written or voiced, the page looked at again
// until it is ready.
const story = document.getElementById("story");

function chooseLook(look) {
  story.dataset.look = look;
  localStorage.setItem("bedtime-look", look);
  for (const button of story.querySelectorAll("[data-look-choice]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lookChoice === look));
  }
}

function follow(audio) {
  const sentences = [...audio.closest(".chapter").querySelectorAll(".sentence")];
  const mark = () => {
    const ms = audio.currentTime * 1000;
    for (const sentence of sentences) {
      const now = ms >= Number(sentence.dataset.start) && ms < Number(sentence.dataset.end) + 350;
      sentence.classList.toggle("now", now && !audio.paused);
      if (now && !audio.paused) sentence.setAttribute("aria-current", "true");
      else sentence.removeAttribute("aria-current");
    }
  };
  audio.addEventListener("timeupdate", mark);
  audio.addEventListener("pause", mark);
  audio.addEventListener("ended", () => {
    mark();
    const players = [...story.querySelectorAll("audio[data-chapter]")];
    const next = players[players.indexOf(audio) + 1];
    if (next) next.play();
  });
}

async function refresh() {
  const playing = [...story.querySelectorAll("audio")].some((a) => !a.paused);
  if (playing) return; // never swap the page under a playing chapter; look again later
  const response = await fetch(location.pathname, { headers: { "X-Requested-With": "fetch" } });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("story");
  if (!fresh) return;
  fresh.dataset.look = story.dataset.look;
  story.replaceChildren(...fresh.childNodes);
  story.dataset.status = fresh.dataset.status;
  start();
}

function start() {
  for (const button of story.querySelectorAll("[data-look-choice]")) {
    button.addEventListener("click", () => chooseLook(button.dataset.lookChoice));
  }
  chooseLook(story.dataset.look);
  for (const audio of story.querySelectorAll("audio[data-chapter]")) follow(audio);
  const play = document.getElementById("play-story");
  if (play) {
    play.hidden = false;
    play.addEventListener("click", () => {
      const players = [...story.querySelectorAll("audio[data-chapter]")];
      const playing = players.find((a) => !a.paused);
      if (playing) {
        playing.pause();
        return;
      }
      (players.find((a) => a.currentTime > 0 && !a.ended) || players[0])?.play();
    });
  }
}

if (story) {
  story.dataset.look = localStorage.getItem("bedtime-look") || "sepia";
  start();
  const timer = setInterval(() => {
    if (story.dataset.status === "ready" || story.dataset.status === "failed") clearInterval(timer);
    else refresh();
  }, 1500);
}
