using System.Text;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Stories;
using StoryEngine.Formats.Chats;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Formats.Chats;

/// <summary>The chat parser on the fixtures and on hand-made files, and the mapping of its messages to turns.</summary>
public sealed class ChatFileTests
{
    public static TheoryData<string> Chats() => new(SharedFixtures.In("chats"));

    [Theory]
    [MemberData(nameof(Chats))]
    public void every_fixture_reads_as_one_greeting_of_its_character(string fixture)
    {
        var chat = ChatFile.Read(SharedFixtures.Read(fixture));
        Assert.True(ChatFile.LooksLikeChat(SharedFixtures.Read(fixture)));
        var greeting = Assert.Single(chat.Messages);
        var name = fixture.Contains("Aqua", StringComparison.Ordinal) ? "Aqua" : "Megumin";
        Assert.Equal(name, chat.CharacterName);
        Assert.Equal(name, greeting.Name);
        Assert.False(greeting.IsUser);
        Assert.StartsWith("*", greeting.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", greeting.Text, StringComparison.Ordinal);
        Assert.Equal(
            fixture.EndsWith(".json", StringComparison.Ordinal) ? ChatFile.TavernAi : ChatFile.SillyTavern,
            chat.Format
        );
    }

    [Fact]
    public void the_legacy_header_gives_the_names_and_the_date()
    {
        var chat = ChatFile.Read(SharedFixtures.Read("chats/st_legacy_Aqua_1673181146000.jsonl"));
        Assert.Equal("You", chat.UserName);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1674559896839), chat.CreatedAt);
    }

    [Fact]
    public void tavernai_strings_tell_the_player_from_the_character_by_name()
    {
        var chat = Read("""["Megumin: Explosion!\n", "You: Please don't.", "Megumin: Too late."]""");
        Assert.Equal([false, true, false], chat.Messages.Select(m => m.IsUser));
        Assert.Equal(["Explosion!", "Please don't.", "Too late."], chat.Messages.Select(m => m.Text));
        Assert.Equal("Megumin", chat.CharacterName);
    }

    [Fact]
    public void the_shown_text_wins_over_its_swipe_and_no_swipe_is_lost()
    {
        var chat = Read(
            """
            {"user_name":"U","character_name":"C"}
            {"name":"C","mes":"edited","swipes":["a","b"],"swipe_id":1}
            {"name":"C","mes":"new","swipes":["a","b"],"swipe_id":7}
            {"name":"C","mes":"plain"}
            """
        );
        Assert.Equal(["a", "edited"], chat.Messages[0].Alternatives);
        Assert.Equal(1, chat.Messages[0].Chosen);
        Assert.Equal(["a", "b", "new"], chat.Messages[1].Alternatives);
        Assert.Equal(2, chat.Messages[1].Chosen);
        Assert.Equal(["plain"], chat.Messages[2].Alternatives);
    }

    [Theory]
    [InlineData("{\"user_name\":\"U\"}\n{\"mes\":\"a\"}\n{\"mes\":", 3, "Line 3 is not valid JSON")]
    [InlineData("{\"user_name\":\"U\"}\n[1]\n", 2, "Line 2 is an array, not a JSON object")]
    [InlineData(
        "{\"user_name\":\"U\"}\n{\"mes\":\"a\",\"is_user\":\"yes\"}\n",
        2,
        "Line 2: 'is_user' must be true or false"
    )]
    [InlineData(
        "{\"user_name\":\"U\"}\n{\"mes\":\"a\",\"swipe_id\":1.5}\n",
        2,
        "Line 2: 'swipe_id' must be a whole number"
    )]
    [InlineData("{\"spec\":\"chara_card_v2\"}\n", 1, "Line 1 is neither a chat header")]
    [InlineData("[\"C: a\", {\"name\":\"U\"}]", 2, "Element 2 has no 'mes'")]
    public void a_broken_file_is_refused_with_its_line(string file, int line, string message)
    {
        var e = Assert.Throws<InvalidFileException>(() => Read(file));
        Assert.Equal("invalid_chat", e.Code);
        Assert.Equal(line, e.Line);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void hidden_system_messages_are_counted_and_left_out()
    {
        var chat = Read(
            """
            {"user_name":"U","character_name":"C"}
            {"name":"C","mes":"hi"}
            {"name":"U","is_user":true,"is_system":true,"mes":"hidden"}
            """
        );
        Assert.Single(chat.Messages);
        Assert.Equal(1, chat.SkippedMessages);
        var e = Assert.Throws<InvalidFileException>(() =>
            Read("{\"user_name\":\"U\"}\n{\"mes\":\"x\",\"is_system\":true}")
        );
        Assert.Contains("all 1 are hidden system messages", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void more_messages_than_an_import_takes_is_too_long()
    {
        var file = string.Concat(Enumerable.Repeat("{\"mes\":\"a\"}\n", ImportedChat.MaxMessages + 1));
        var e = Assert.Throws<ChatTooLongException>(() => Read(file));
        Assert.Equal("chat_too_long", e.Code);
        Assert.Contains($"line {ImportedChat.MaxMessages + 1}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void messages_map_to_an_opening_turns_and_continues_that_replay_the_same()
    {
        var chat = Read(
            """
            {"user_name":"U","character_name":"C"}
            {"name":"C","mes":"g2","swipes":["g1","g2"],"swipe_id":1}
            {"name":"U","is_user":true,"mes":"hello"}
            {"name":"U","is_user":true,"mes":"*waves*"}
            {"name":"C","mes":"r"}
            {"name":"C","mes":"more","swipes":["more","other"],"swipe_id":0}
            {"name":"U","is_user":true,"mes":"bye"}
            """
        );
        var payloads = ChatImport.Turns(chat, "fallback");
        var events = payloads
            .Select((p, i) => StoryEvent.Create("a", i + 1, p, "owner", DateTimeOffset.UnixEpoch))
            .ToArray();
        var turns = StoryProjection.Replay(events);

        Assert.Equal(["opening", "do", "continue", "say"], turns.Select(t => t.Kind));
        Assert.Equal([0, 1, 2, 3], turns.Select(t => t.Number));
        Assert.Equal(["g1", "g2"], turns[0].Alternatives.Select(a => a.Text));
        Assert.Equal(1, turns[0].Chosen);
        Assert.Equal("hello\n\n*waves*", turns[1].PlayerText);
        Assert.Equal("r", turns[1].ChosenNarration.Text);
        Assert.Equal(["more", "other"], turns[2].Alternatives.Select(a => a.Text));
        Assert.Equal(0, turns[2].Chosen);
        Assert.Equal("", turns[3].ChosenNarration.Text); // the chat ended on the player: a retry narrates it
        Assert.All(turns, t => Assert.All(t.Alternatives, a => Assert.Equal(NarrationRecord.Completed, a.Status)));

        // Replay of the same events (as a fork or a rebuilt projection reads them) gives the same turns.
        Assert.Equal(
            turns.Select(t => (t.TurnId, t.Chosen, t.PlayerText, string.Join("|", t.Alternatives.Select(a => a.Text)))),
            StoryProjection
                .Replay(events.ToList())
                .Select(t => (t.TurnId, t.Chosen, t.PlayerText, string.Join("|", t.Alternatives.Select(a => a.Text))))
        );
    }

    [Fact]
    public void a_chat_that_starts_with_the_player_opens_with_the_world_and_a_group_chat_names_its_speakers()
    {
        var chat = Read(
            """
            {"name":"U","is_user":true,"mes":"hi all"}
            {"name":"Ann","mes":"hello"}
            {"name":"Bob","mes":"yo"}
            """
        );
        var turns = StoryProjection.Replay(
            ChatImport
                .Turns(chat, "The harbour.")
                .Select((p, i) => StoryEvent.Create("a", i + 1, p, "owner", DateTimeOffset.UnixEpoch))
        );
        Assert.Equal("The harbour.", turns[0].ChosenNarration.Text);
        Assert.Equal("Ann: hello", turns[1].ChosenNarration.Text);
        Assert.Equal("Bob: yo", turns[2].ChosenNarration.Text);
        Assert.Equal("continue", turns[2].Kind);
    }

    [Theory]
    [InlineData("Hello there", "say")]
    [InlineData("*waves* Hello", "do")]
    [InlineData("\"Hi,\" I say.", "do")]
    [InlineData("  ", "continue")]
    public void the_kind_of_a_players_message_follows_its_marks(string text, string kind) =>
        Assert.Equal(kind, ChatImport.KindOf(text));

    private static ImportedChat Read(string file) => ChatFile.Read(Encoding.UTF8.GetBytes(file));
}
