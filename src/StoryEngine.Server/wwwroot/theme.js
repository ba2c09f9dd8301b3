// The header's Theme choice, applied as it is made: <html data-theme> changes at once and the choice is posted in
// the background, so the server writes the same theme into the next page (the form alone works without this).
const form = document.getElementById("theme-form");
if (form) {
  document.documentElement.classList.add("js");
  const apply = async (event) => {
    event?.preventDefault();
    const choice = form.elements.theme.value;
    if (choice === "light" || choice === "dark") document.documentElement.dataset.theme = choice;
    else delete document.documentElement.dataset.theme;
    try {
      await fetch(form.action, { method: "POST", body: new FormData(form), headers: { "X-Requested-With": "fetch" } });
    } catch {
      // offline: the page has the theme now; the next one will follow the last choice the server heard
    }
  };
  form.addEventListener("change", () => apply());
  form.addEventListener("submit", apply);
}
