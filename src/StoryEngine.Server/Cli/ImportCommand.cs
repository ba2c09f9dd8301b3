using System.CommandLine;
using System.Text.Json.Nodes;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Chats;
using StoryEngine.Formats.Png;
using StoryEngine.Formats.Transfer;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>storyengine import FILE --user NAME --world ID</c>: a character card, a lorebook or a chat (an adventure), told
/// apart by the file itself.
/// </summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file")
        {
            Description =
                "A card (.png, .charx, .json), a lorebook (World Info .json, .lorebook) "
                + "or a chat (SillyTavern .jsonl, TavernAI .json)",
        };
        var world = new Option<string>("--world")
        {
            Description = "The world to import into (its id)",
            Required = true,
        };
        var kind = new Option<string?>("--as")
        {
            Description = "character, lorebook or chat (default: decided from the file)",
        };
        kind.AcceptOnlyFromAmong("character", "lorebook", "chat");
        var character = new Option<string?>("--character") { Description = "A chat's character (its id in the world)" };
        var persona = new Option<string?>("--persona") { Description = "A chat's persona, who the player is (its id)" };
        var title = new Option<string?>("--title")
        {
            Description = "A chat's adventure title (default: the character and the date)",
        };
        var about = "Import a character card or a lorebook into a world, or a chat as a new adventure";
        var command = new Command("import", about)
        {
            file,
            world,
            kind,
            character,
            persona,
            title,
            AdventuresCommand.User,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var path = parse.GetValue(file)!;
                    if (!path.Exists)
                    {
                        return CliHost.UsageError($"No file at {path.FullName}.");
                    }
                    if (path.Length > Http.Uploads.MaxBytes)
                    {
                        return CliHost.UsageError(
                            $"{path.Name} is larger than the {Http.Uploads.MaxBytes / (1024 * 1024)} "
                                + "MB an import accepts."
                        );
                    }
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var owner = await AdventuresCommand.OwnerAsync(
                        app.Services,
                        parse.GetValue(AdventuresCommand.User)!,
                        ct
                    );
                    var scope = new ResourceScope(owner.Id, parse.GetValue(world));
                    var bytes = await File.ReadAllBytesAsync(path.FullName, ct);
                    try
                    {
                        var what = parse.GetValue(kind) ?? Guess(bytes);
                        if (what == "chat")
                        {
                            var chat = ChatFile.Read(bytes);
                            var request = new ChatImportRequest(
                                parse.GetValue(world),
                                parse.GetValue(character),
                                parse.GetValue(persona),
                                parse.GetValue(title),
                                path.Name
                            );
                            var adventure = await app
                                .Services.GetRequiredService<ChatImport>()
                                .ImportAsync(owner.Id, request, chat, ct);
                            var skipped =
                                chat.SkippedMessages > 0
                                    ? $" ({chat.SkippedMessages} hidden system messages left out)"
                                    : "";
                            Console.WriteLine(
                                $"Imported chat '{adventure.Title}' ({adventure.Id}) as an adventure of "
                                    + $"{adventure.TurnCount} turns from {chat.Messages.Count} messages{skipped}."
                            );
                            return 0;
                        }
                        if (what == "lorebook")
                        {
                            var book = await app
                                .Services.GetRequiredService<LorebookTransfer>()
                                .ImportAsync(scope, bytes, path.Name, ct);
                            Console.WriteLine(
                                $"Imported lorebook '{book.Body.Name}' ({book.Id}) with "
                                    + $"{book.Body.Entries.Count} entries."
                            );
                            return 0;
                        }
                        var imported = await app
                            .Services.GetRequiredService<CharacterCardTransfer>()
                            .ImportAsync(scope, bytes, ct);
                        var withBook = imported.Lorebook is { } b
                            ? $" with lorebook '{b.Body.Name}' " + $"({b.Body.Entries.Count} entries)"
                            : "";
                        Console.WriteLine(
                            $"Imported character '{imported.Character.Body.Name}' "
                                + $"({imported.Character.Id}){withBook} from a {imported.Spec} card."
                        );
                        foreach (var warning in imported.Warnings)
                        {
                            Console.Error.WriteLine($"storyengine: note: {warning}");
                        }
                        return 0;
                    }
                    catch (ValidationFailedException e)
                    {
                        return CliHost.UsageError(
                            $"{path.Name} was not imported: "
                                + string.Join(" ", e.Errors.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}"))
                        );
                    }
                    catch (StoryEngineException e)
                        when (e
                                is InvalidFileException
                                    or UnsupportedFormatException
                                    or ChatTooLongException
                                    or UnsafeArchiveEntryException
                        )
                    {
                        return CliHost.UsageError($"{path.Name} was not imported: {e.Message}");
                    }
                }));
        return command;
    }

    /// <summary>
    /// PNG and CHARX files are cards; a JSON array or JSON lines that start with a chat header or a message are a chat;
    /// JSON is a card when it says so (a spec) or has a greeting (first_mes) where cards have it.
    /// </summary>
    private static string Guess(byte[] bytes)
    {
        if (PngChunks.HasSignature(bytes) || CharxArchive.HasSignature(bytes))
        {
            return "character";
        }
        if (ChatFile.LooksLikeChat(bytes))
        {
            return "chat";
        }
        if (!CardFile.LooksLikeJson(bytes))
        {
            return "character";
        }
        try
        {
            var root = JsonNode.Parse(bytes) as JsonObject;
            var spec = root?["spec"]?.ToString();
            var card =
                spec is "chara_card_v2" or "chara_card_v3"
                || spec is null && (root?["first_mes"] is not null || root?["data"]?["first_mes"] is not null);
            return card ? "character" : "lorebook";
        }
        catch (System.Text.Json.JsonException)
        {
            return "character"; // the import says what is wrong with it
        }
    }
}
