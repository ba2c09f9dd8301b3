using System.CommandLine;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Lore;
using StoryEngine.Formats.Transfer;

namespace StoryEngine.Server.Cli;

/// <summary><c>storyengine export --user NAME --world ID --character ID --format png --out FILE</c> (or <c>--lorebook
/// ID</c>).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var world = new Option<string>("--world") { Description = "The world (its id)", Required = true };
        var character = new Option<string?>("--character") { Description = "Export this character as a card" };
        var lorebook = new Option<string?>("--lorebook") { Description = "Export this world lorebook" };
        var format = new Option<string?>("--format")
        {
            Description = "Card: json (default), png, charx. Lorebook: " + "st (default), card, novelai",
        };
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Where to write (default: the exported name in " + "the current folder)",
        };
        var command = new Command("export", "Export a character card or a world lorebook to a " + "file")
        {
            world,
            character,
            lorebook,
            format,
            output,
            AdventuresCommand.User,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    if (parse.GetValue(character) is null == parse.GetValue(lorebook) is null)
                    {
                        return CliHost.UsageError("Name exactly one of --character ID or --lorebook ID.");
                    }
                    var owner = await AdventuresCommand.OwnerAsync(
                        app.Services,
                        parse.GetValue(AdventuresCommand.User)!,
                        ct
                    );
                    var scope = new ResourceScope(owner.Id, parse.GetValue(world));
                    ExportedFile file;
                    try
                    {
                        file = parse.GetValue(character) is { } id
                            ? await app
                                .Services.GetRequiredService<CharacterCardTransfer>()
                                .ExportAsync(scope, id, CardFormats.Parse(parse.GetValue(format)), ct)
                            : await app
                                .Services.GetRequiredService<LorebookTransfer>()
                                .ExportAsync(
                                    scope,
                                    parse.GetValue(lorebook)!,
                                    LorebookFile.ParseFormat(parse.GetValue(format)),
                                    ct
                                );
                    }
                    catch (ValidationFailedException e)
                    {
                        return CliHost.UsageError(string.Join(" ", e.Errors.SelectMany(f => f.Value)));
                    }
                    var path = parse.GetValue(output)?.FullName
                        ?? Path.Combine(Environment.CurrentDirectory, file.FileName);
                    await File.WriteAllBytesAsync(path, file.Content, ct);
                    Console.WriteLine($"Wrote {path} ({file.Content.Length:N0} bytes, {file.MediaType}).");
                    return 0;
                }));
        return command;
    }
}
