using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ledger.Api.Infrastructure;

namespace Ledger.Api.Features.Snapshots;

/// <summary>
/// Serialises a folded aggregate state for a stream snapshot and reads it back, exactly (decimals keep their scale,
/// immutable lists their order). Only settable properties are written: computed ones (<c>CurrentPk</c>,
/// <c>TotalPagu</c>, …) are derived again from the rest.
/// <para>
/// <see cref="StateType"/> = <c>{name}/v{evolveVersion}+{fingerprint}</c>. The fingerprint is a SHA-256 over the shape of the
/// state's type graph (every type, property name and type, enum member name and value, reached from the root), so a
/// change of the state's shape changes the type and old snapshots are simply not found. <c>evolveVersion</c> is bumped
/// by hand when <c>Evolve</c> changes meaning without changing the shape. A snapshot whose JSON does not read back is
/// ignored too (docs/snapshots.md).
/// </para>
/// </summary>
public sealed class StateCodec<TState> where TState : class
{
    public StateCodec(string name, int evolveVersion)
    {
        StateType = $"{name}/v{evolveVersion}+{Fingerprint(typeof(TState))[..16]}";
    }

    public string StateType { get; }

    public static JsonSerializerOptions Options { get; } = new(DomainCommands.Json)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Kind != JsonTypeInfoKind.Object) return;
                    for (var i = info.Properties.Count - 1; i >= 0; i--)
                        if (info.Properties[i].Set is null) info.Properties.RemoveAt(i);
                },
            },
        },
    };

    public string Serialize(TState state) => JsonSerializer.Serialize(state, Options);

    /// <summary>The state, or null when the JSON does not read back as one (then the caller replays from the start).</summary>
    public TState? TryDeserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TState>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private static string Fingerprint(Type root)
    {
        var seen = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(root, seen);
        var text = string.Join("\n", seen.Select(kv => kv.Key + " " + kv.Value));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static void Walk(Type type, SortedDictionary<string, string> seen)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        var key = t.FullName ?? t.Name;
        if (seen.ContainsKey(key) || t.IsPrimitive || t == typeof(string) || t == typeof(decimal) || t == typeof(DateOnly)
            || t == typeof(DateTimeOffset) || t == typeof(Guid)) return;
        if (t.IsEnum)
        {
            seen[key] = string.Join(",", Enum.GetNames(t).Select(n => n + "=" + Convert.ToInt64(Enum.Parse(t, n), System.Globalization.CultureInfo.InvariantCulture)));
            return;
        }
        if (t.IsGenericType)
        {
            foreach (var arg in t.GetGenericArguments()) Walk(arg, seen);
            if (t.Namespace?.StartsWith("System", StringComparison.Ordinal) == true) return;
        }
        var props = t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        seen[key] = string.Join(",", props.Select(p => p.Name + ":" + (p.PropertyType.FullName ?? p.PropertyType.Name)));
        foreach (var p in props) Walk(p.PropertyType, seen);
    }
}
