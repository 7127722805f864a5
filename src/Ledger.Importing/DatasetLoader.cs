using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ledger.Importing;

/// <summary>Thrown for a dataset that cannot be replayed as written (bad JSON, a missing field, an unknown variable).</summary>
public sealed class DatasetFormatException(string message) : Exception(message);

/// <summary>
/// Reads a dataset folder: optional <c>dataset.json</c> (<c>{ name, variables: { agency: … } }</c>), then every other
/// <c>*.json</c> file in ordinal file-name order, each a step object or an array of steps. <c>{name}</c> placeholders in
/// paths and string values are replaced by the variables (overrides win), so one dataset can be loaded under another
/// agency code.
/// </summary>
public static partial class DatasetLoader
{
    public const string ManifestFile = "dataset.json";
    private static readonly string[] Methods = ["POST", "PUT"];

    public static Dataset Load(string folder, IReadOnlyDictionary<string, string>? overrides = null)
    {
        if (!Directory.Exists(folder)) throw new DatasetFormatException($"Dataset folder '{folder}' does not exist.");
        var name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (File.Exists(manifestPath))
        {
            var manifest = Parse(manifestPath) as JsonObject ?? throw new DatasetFormatException($"{ManifestFile} must be an object.");
            name = manifest["name"]?.GetValue<string>() ?? name;
            if (manifest["variables"] is JsonObject vars)
                foreach (var (k, v) in vars) variables[k] = v?.GetValue<string>() ?? throw new DatasetFormatException($"Variable '{k}' is null.");
        }
        foreach (var (k, v) in overrides ?? new Dictionary<string, string>()) variables[k] = v;

        var steps = new List<DatasetStep>();
        var files = Directory.GetFiles(folder, "*.json").Select(Path.GetFileName).OfType<string>()
            .Where(f => f != ManifestFile).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DatasetFormatException($"Dataset folder '{folder}' has no step files.");
        foreach (var file in files)
        {
            var root = Parse(Path.Combine(folder, file));
            var items = root switch
            {
                JsonArray a => a.ToList(),
                JsonObject o => [o],
                _ => throw new DatasetFormatException($"{file}: a step file holds a step object or an array of steps."),
            };
            for (var i = 0; i < items.Count; i++)
                steps.Add(ReadStep(file, i, items[i] as JsonObject ?? throw new DatasetFormatException($"{file}#{i}: a step must be an object."), variables));
        }
        return new Dataset(name, folder, variables, steps);
    }

    private static JsonNode? Parse(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new DatasetFormatException($"{Path.GetFileName(path)}: malformed JSON ({e.Message}).");
        }
    }

    private static DatasetStep ReadStep(string file, int index, JsonObject o, IReadOnlyDictionary<string, string> variables)
    {
        string where = $"{file}#{index}";
        string Required(string field) => o[field] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
            ? s : throw new DatasetFormatException($"{where}: '{field}' is required.");
        var method = Required("method").ToUpperInvariant();
        if (!Methods.Contains(method)) throw new DatasetFormatException($"{where}: method must be POST or PUT; got {method}.");
        var path = Substitute(Required("path"), variables, where);
        if (!path.StartsWith("/api/", StringComparison.Ordinal)) throw new DatasetFormatException($"{where}: path must start with /api/.");
        var body = o["body"] is { } b ? SubstituteNode(b.DeepClone(), variables, where) : null;
        ExpectedRefusal? expect = null;
        if (o["expect"] is JsonObject e)
        {
            var status = e["status"]?.GetValue<int>() ?? throw new DatasetFormatException($"{where}: expect.status is required.");
            if (status < 400) throw new DatasetFormatException($"{where}: expect describes a refusal (status 400 or above).");
            expect = new ExpectedRefusal(status, e["rule"]?.GetValue<string>(), e["why"]?.GetValue<string>());
        }
        var user = o["user"]?.GetValue<string>();
        if (user is not null && path != "/api/users") throw new DatasetFormatException($"{where}: 'user' belongs on a POST /api/users step.");
        return new DatasetStep(file, index, method, path, Required("as"), body, expect, user, o["note"]?.GetValue<string>());
    }

    [GeneratedRegex(@"\{([a-zA-Z][a-zA-Z0-9_]*)\}")]
    private static partial Regex Placeholder();

    private static string Substitute(string text, IReadOnlyDictionary<string, string> variables, string where) =>
        Placeholder().Replace(text, m => variables.TryGetValue(m.Groups[1].Value, out var v)
            ? v : throw new DatasetFormatException($"{where}: unknown variable {{{m.Groups[1].Value}}}."));

    private static JsonNode? SubstituteNode(JsonNode? node, IReadOnlyDictionary<string, string> variables, string where)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList()) o[key] = SubstituteNode(o[key]?.DeepClone(), variables, where);
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) a[i] = SubstituteNode(a[i]?.DeepClone(), variables, where);
                return a;
            case JsonValue v when v.TryGetValue<string>(out var s):
                return JsonValue.Create(Substitute(s, variables, where));
            default:
                return node;
        }
    }
}
