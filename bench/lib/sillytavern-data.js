// Writes the chats that bench/sillytavern.sh seeds into both servers, in SillyTavern's JSONL chat format
// (a header line {user_name, character_name, create_date, chat_metadata}, then one message a line, as in
// ../shared/fixtures/chats). Usage: node sillytavern-data.js CHARACTER MESSAGES OUT.jsonl [SAVE_BODY.json]
// The messages alternate: the character's reply first (the greeting), then the player's, and so on; a reply is
// about 600 characters and a player's message about 110, each numbered so no two are the same.
// With SAVE_BODY, also writes the body of SillyTavern's POST /api/chats/save for that chat (the whole chat, the
// header first, which is what their client sends after every message).
'use strict';
const fs = require('fs');
const [character, count, out, saveBody] = process.argv.slice(2);
const n = Number(count);
const start = Date.UTC(2026, 0, 1);
const reply = (i) =>
  `*${character} turns the lantern toward the trees, and the light finds the path again (${i}).* ` +
  'The forest is older than the roads that cross it, and it remembers every traveller who kept to the moss. ' +
  'Stay close, and step where I step: the roots here move when they are not watched, and the river beyond ' +
  'the ridge runs faster after dark. *She waits for you to catch up, listening to the wind in the high ' +
  'branches.* We can rest at the shrine if you are tired, or press on and reach the glade before the moon ' +
  'rises. Which will it be?';
const player = (i) => `*I follow the light and keep to the moss.* Let us press on to the glade, then (${i}).`;
const header = { user_name: 'You', character_name: character, create_date: start, chat_metadata: {} };
const chat = [header];
for (let i = 0; i < n; i++) {
  const isUser = i % 2 === 1;
  chat.push({
    name: isUser ? 'You' : character,
    is_user: isUser,
    is_name: true,
    send_date: start + i * 60000,
    mes: isUser ? player(i) : reply(i),
    extra: {},
  });
}
fs.writeFileSync(out, chat.map((m) => JSON.stringify(m)).join('\n'));
if (saveBody) {
  const file = require('path').basename(out, '.jsonl');
  fs.writeFileSync(saveBody, JSON.stringify({ ch_name: character, file_name: file, chat, avatar_url: `${character}.png` }));
}
