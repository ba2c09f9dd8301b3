using StoryEngine.Server.Cli;

// One program, two faces: `storyengine serve` runs the server, every other subcommand is the CLI.
return await CliApp.RunAsync(args);
