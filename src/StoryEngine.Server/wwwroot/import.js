// Drag-and-drop for the card import form: a file dropped on the box becomes the file input's file and is
// previewed at once. Without this module the file input and its button do the same.
const form = document.getElementById("import-form");
const zone = document.getElementById("dropzone");
const input = document.getElementById("file");

if (form && zone && input) {
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
}
