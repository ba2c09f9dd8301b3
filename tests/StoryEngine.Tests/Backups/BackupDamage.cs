using System.IO.Compression;
using System.Text;
using StoryEngine.Storage.Backups;

namespace StoryEngine.Tests.Backups;

/// <summary>Ways a backup file goes bad on a disk or in a careless hand.</summary>
public static class BackupDamage
{
    public static async Task ApplyAsync(string good, string bad, string damage)
    {
        var bytes = await File.ReadAllBytesAsync(good);
        switch (damage)
        {
            case "flipped byte":
                // Inside the first table's compressed data: past the local header of the first entry.
                bytes[bytes.Length / 3] ^= 0x5A;
                await File.WriteAllBytesAsync(bad, bytes);
                break;
            case "truncated":
                await File.WriteAllBytesAsync(bad, bytes[..(bytes.Length * 2 / 3)]);
                break;
            case "manifest edited":
                File.Copy(good, bad);
                using (var zip = ZipFile.Open(bad, ZipArchiveMode.Update))
                {
                    var entry = zip.GetEntry(BackupManifest.EntryName)!;
                    string text;
                    using (var reader = new StreamReader(entry.Open()))
                    {
                        text = await reader.ReadToEndAsync();
                    }
                    var changed = text.Replace("\"rows\": 1,", "\"rows\": 2,", StringComparison.Ordinal);
                    Assert.NotEqual(text, changed);
                    entry.Delete();
                    var edited = zip.CreateEntry(BackupManifest.EntryName);
                    await using var writer = edited.Open();
                    await writer.WriteAsync(Encoding.UTF8.GetBytes(changed));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }
}
