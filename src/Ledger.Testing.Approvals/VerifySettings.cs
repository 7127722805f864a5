using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ledger.Testing.Approvals;

/// <summary>
/// Options for one snapshot. Fluent: <c>new VerifySettings().ScrubMember("token").UseName("created")</c>.
/// Built-in scrubbers (GUIDs, ISO 8601 date-times, 64-char hex hashes) are on unless switched off.
/// </summary>
public sealed class VerifySettings
{
    internal HashSet<string> ScrubbedMembers { get; } = new(StringComparer.OrdinalIgnoreCase);
    internal HashSet<string> IgnoredMembers { get; } = new(StringComparer.OrdinalIgnoreCase);
    internal List<(Regex Pattern, string Replacement)> RegexScrubbers { get; } = [];
    internal bool ScrubGuids { get; private set; } = true;
    internal bool ScrubDateTimes { get; private set; } = true;
    internal bool ScrubHashes { get; private set; } = true;
    internal bool SortProperties { get; private set; }
    internal string? Name { get; private set; }
    internal string? Directory { get; private set; }
    internal string? TypeName { get; private set; }
    internal SnapshotEnvironment? Environment { get; private set; }
    internal JsonSerializerOptions? SerializerOptions { get; private set; }

    /// <summary>Replaces the value of every property with this name (any depth, case-insensitive) by <c>"Scrubbed"</c>.</summary>
    public VerifySettings ScrubMember(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ScrubbedMembers.Add(name);
        return this;
    }

    /// <summary>Removes every property with this name (any depth, case-insensitive) from the snapshot.</summary>
    public VerifySettings IgnoreMember(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        IgnoredMembers.Add(name);
        return this;
    }

    /// <summary>Replaces matches of <paramref name="pattern"/> inside string values and property names. Runs before the built-in scrubbers.</summary>
    public VerifySettings ScrubRegex(string pattern, string replacement)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        RegexScrubbers.Add((new Regex(pattern, RegexOptions.CultureInvariant), replacement));
        return this;
    }

    public VerifySettings DontScrubGuids()
    {
        ScrubGuids = false;
        return this;
    }

    public VerifySettings DontScrubDateTimes()
    {
        ScrubDateTimes = false;
        return this;
    }

    public VerifySettings DontScrubHashes()
    {
        ScrubHashes = false;
        return this;
    }

    /// <summary>Writes object properties in ordinal name order instead of the order given.</summary>
    public VerifySettings SortPropertiesAlphabetically()
    {
        SortProperties = true;
        return this;
    }

    /// <summary>Suffix for several snapshots in one test: <c>{Class}.{Method}.{name}.verified.json</c>.</summary>
    public VerifySettings UseName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) throw new ArgumentException($"'{name}' is not a valid file name part", nameof(name));
        Name = name;
        return this;
    }

    /// <summary>Stores the snapshot files in <paramref name="directory"/> instead of beside the test source file.</summary>
    public VerifySettings UseDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
        return this;
    }

    /// <summary>Overrides the class part of the file name (default: the test source file's name without extension).</summary>
    public VerifySettings UseTypeName(string typeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        TypeName = typeName;
        return this;
    }

    /// <summary>Decides accept / CI behaviour explicitly instead of reading the process environment (for tests of this library).</summary>
    public VerifySettings UseEnvironment(SnapshotEnvironment environment)
    {
        Environment = environment ?? throw new ArgumentNullException(nameof(environment));
        return this;
    }

    /// <summary>Serializer for non-JSON-string targets. Default: web defaults (camelCase) plus enums as their names.</summary>
    public VerifySettings UseSerializerOptions(JsonSerializerOptions options)
    {
        SerializerOptions = options ?? throw new ArgumentNullException(nameof(options));
        return this;
    }
}
