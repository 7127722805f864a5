using System.Text.Json;

namespace Ledger.Importing;

/// <summary>
/// Tokens of the users a dataset created, so that a re-run acts as the same users: the server's idempotency scope is
/// the tenant and the acting user, so only the same user replays a step instead of writing it again.
/// </summary>
public interface ITokenStore
{
    string? Get(string key);
    void Set(string key, string token);
}

public sealed class MemoryTokenStore : ITokenStore
{
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    public string? Get(string key) => _tokens.GetValueOrDefault(key);
    public void Set(string key, string token) => _tokens[key] = token;
}

/// <summary>A JSON file (created with owner-only permissions where the OS supports it). Tokens are secrets: keep the file private.</summary>
public sealed class FileTokenStore(string path) : ITokenStore
{
    private Dictionary<string, string>? _tokens;

    public string Path => path;

    public string? Get(string key) => Load().GetValueOrDefault(key);

    public void Set(string key, string token)
    {
        var tokens = Load();
        tokens[key] = token;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, JsonSerializer.Serialize(tokens, new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private Dictionary<string, string> Load() => _tokens ??= File.Exists(path)
        ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
        : [];

    public static string DefaultPath()
    {
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } s
            ? s : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return System.IO.Path.Combine(state, "ledger-import", "tokens.json");
    }
}
