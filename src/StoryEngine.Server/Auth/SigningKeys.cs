using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Auth;

/// <summary>
/// The key that signs access tokens: from <c>Auth:SigningKey</c>, or else from <c>{DataDir}/keys/signing.key</c>,
/// created on first start readable by the owner only, so tokens survive a restart.
/// </summary>
public sealed class SigningKeys(IOptions<AuthOptions> auth, IOptions<StoryEngineOptions> storyEngine)
{
    private readonly Lazy<SymmetricSecurityKey> _key = new(() => Load(auth.Value, storyEngine.Value));

    public SymmetricSecurityKey Key => _key.Value;

    private static SymmetricSecurityKey Load(AuthOptions auth, StoryEngineOptions options)
    {
        if (!string.IsNullOrEmpty(auth.SigningKey))
        {
            return new SymmetricSecurityKey(Convert.FromBase64String(auth.SigningKey));
        }
        var path = Path.Combine(options.DataDir, "keys", "signing.key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                using var stream = new FileStream(path, create);
                stream.Write(RandomNumberGenerator.GetBytes(64));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }
        return new SymmetricSecurityKey(File.ReadAllBytes(path));
    }
}
