using StoryEngine.Core.Characters;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Server.Demo;

/// <summary>
/// A small original world for newcomers (<c>storyengine seed demo</c>). Written through the same services
/// as the API, so it obeys the same rules. Seeding twice finds the world by name and changes nothing.
/// </summary>
public sealed class DemoContent(
    ResourceService<World> worlds,
    ResourceService<Location> locations,
    ResourceService<Character> characters,
    ResourceService<Persona> personas
)
{
    public const string WorldName = "The Lantern Coast";

    public sealed record Result(bool Created, string WorldId, int Locations, int Characters);

    public async Task<Result> SeedAsync(string ownerId, CancellationToken cancellationToken)
    {
        var top = new ResourceScope(ownerId, null);
        var existing = await worlds.ListAsync(
            top,
            ListQuery.From(ListQuery.MaxLimit, null, WorldName, null),
            cancellationToken
        );
        if (existing.Items.FirstOrDefault(w => w.Body.Name == WorldName) is { } found)
        {
            return new Result(false, found.Id, 0, 0);
        }

        var world = await worlds.CreateAsync(
            top,
            new World
            {
                Name = WorldName,
                Genre = "low fantasy, mystery",
                Tone = "wistful, salt-stung, quietly hopeful",
                Description =
                    "A ragged shoreline of fishing towns where every harbour keeps a lantern lit for ships "
                    + "that never came home. "
                    + "Lately the lanterns have begun to answer: on fog nights, a light blinks back from the "
                    + "open sea.",
                Rules =
                    "Magic is small and costs memories. The sea does not give back what it takes without a trade. "
                    + "No gunpowder.",
                Style = "Second person, present tense. Two or three paragraphs. Let weather and sound carry the mood.",
                Tags = ["demo", "fantasy", "mystery"],
            },
            cancellationToken
        );
        var inWorld = new ResourceScope(ownerId, world.Id);

        var saltmere = await locations.CreateAsync(
            inWorld,
            new Location
            {
                Name = "Saltmere",
                Description =
                    "The largest of the coast towns: tarred roofs, gull-loud markets and a harbour wall older "
                    + "than anyone's grandmother.",
                Tags = ["town"],
            },
            cancellationToken
        );
        var lanternhouse = await locations.CreateAsync(
            inWorld,
            new Location
            {
                Name = "The Lanternhouse",
                Description =
                    "A squat stone tower at the end of the harbour wall. Its great lantern has not gone out "
                    + "in ninety years.",
                ParentId = saltmere.Id,
                Tags = ["landmark"],
            },
            cancellationToken
        );
        await locations.CreateAsync(
            inWorld,
            new Location
            {
                Name = "The Drowned Bell",
                Description =
                    "An inn built from the timbers of a wrecked ship; the bell over the bar rings by itself "
                    + "before storms.",
                ParentId = saltmere.Id,
                Connections =
                [
                    new LocationConnection(lanternhouse.Id, "along the harbour wall, a windy five-minute walk"),
                ],
                Tags = ["inn"],
            },
            cancellationToken
        );
        await locations.CreateAsync(
            inWorld,
            new Location
            {
                Name = "Gannet Rocks",
                Description =
                    "Black rocks a mile out, visible only at low tide. Something has been building a lantern "
                    + "of its own there.",
                Connections = [new LocationConnection(lanternhouse.Id, "by rowing boat at low tide")],
                Tags = ["wild", "sea"],
            },
            cancellationToken
        );

        await characters.CreateAsync(
            inWorld,
            new Character
            {
                Name = "Maren Holt",
                Description =
                    "Keeper of the Lanternhouse, sixty and sharp, the last of a family that has tended the "
                    + "light for three generations.",
                Personality = "Gruff, dryly funny, fiercely loyal to the town; hides fear behind chores.",
                Appearance = "Weathered face, oilskin coat, a brass key on a cord around her neck.",
                SpeechStyle = "Short sentences, sea sayings, never says 'drowned', always 'gone out'.",
                Goals = "Learn who is answering the lantern before the town panics.",
                FirstMessage =
                    "\"You're letting the fog in. Shut the door and make yourself useful — the wick won't "
                    + "trim itself.\"",
                AlternateGreetings =
                [
                    "Maren doesn't look up from the logbook. \"Third light this week. You saw it too, "
                        + "didn't you?\"",
                ],
                Tags = ["keeper", "mentor"],
            },
            cancellationToken
        );
        await characters.CreateAsync(
            inWorld,
            new Character
            {
                Name = "Tobin Reed",
                Description =
                    "The innkeeper's son, seventeen, who swears he heard his drowned father's voice on the tide.",
                Personality = "Eager, reckless, kind; believes in things too quickly.",
                Appearance = "Freckled, barefoot in all weathers, a fisherman's knife too big for him.",
                SpeechStyle = "Talks fast, questions tumbling over each other.",
                Goals = "Row out to Gannet Rocks, whatever anyone says.",
                FirstMessage = "\"You're not from Saltmere. Good — you won't tell me it's impossible.\"",
                Tags = ["youth", "seeker"],
            },
            cancellationToken
        );
        await personas.CreateAsync(
            top,
            new Persona
            {
                Name = "Wren",
                Description =
                    "A travelling cartographer who maps coastlines for a living and collects stories for the "
                    + "pleasure of it.",
                Tags = ["demo"],
            },
            cancellationToken
        );

        return new Result(true, world.Id, 4, 2);
    }
}
