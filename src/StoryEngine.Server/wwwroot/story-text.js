// The story-text Markdown subset of Web/StoryText.cs (Markdig, HTML off), for a narration while it streams:
// paragraphs, line breaks, > quotes, * * * breaks, *emphasis*, **strong** and backslash escapes. It builds nodes and
// sets only textContent, never HTML, so nothing a model writes becomes markup. When the turn ends the page shows the
// server's rendering of the stored text (docs/adr/0037-story-text-as-a-markdown-subset.md).

export function render(text) {
  const out = document.createDocumentFragment();
  for (const block of text.replace(/\r\n/g, "\n").split(/\n[ \t]*\n/)) {
    if (!block.trim()) continue;
    if (/^ {0,3}([*_-])( *\1){2,} *$/.test(block)) {
      out.append(document.createElement("hr"));
    } else if (/^ {0,3}>/.test(block)) {
      const quote = document.createElement("blockquote");
      quote.append(render(block.replace(/^ {0,3}> ?/gm, "")));
      out.append(quote);
    } else {
      const p = document.createElement("p");
      block.trim().split("\n").forEach((line, i) => {
        if (i > 0) p.append(document.createElement("br"));
        inline(p, line.trim());
      });
      out.append(p);
    }
  }
  return out;
}

// **strong**, __strong__, *em*, _em_ (not inside a word, as CommonMark), and \* escapes.
const pattern = /(\*\*|__)(?=\S)([\s\S]*?\S)\1|\*(?=[^\s*])([\s\S]*?[^\s*])\*|(?<![\p{L}\p{N}])_(?=\S)([\s\S]*?\S)_(?![\p{L}\p{N}])|\\([!-/:-@[-`{-~])/u;

function inline(parent, text) {
  let rest = text;
  for (let m = pattern.exec(rest); m; m = pattern.exec(rest)) {
    parent.append(rest.slice(0, m.index));
    if (m[5] !== undefined) {
      parent.append(m[5]);
    } else {
      const node = document.createElement(m[1] ? "strong" : "em");
      inline(node, m[2] ?? m[3] ?? m[4]);
      parent.append(node);
    }
    rest = rest.slice(m.index + m[0].length);
  }
  parent.append(rest);
}
