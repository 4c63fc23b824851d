using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace AdminPortal.Data.Audit;

/// <summary>Who did it: an operator (by email) or an API token (as <c>token:NAME</c>), with the role they acted in.</summary>
public sealed record AuditActor(string Name, string Role, string? ClientAddress)
{
    public static readonly AuditActor System = new("system", "System", null);
    public static AuditActor Cli(string? user) => new($"cli:{user ?? Environment.UserName}", "System", null);
}

public static class AuditOutcome
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";
}

/// <summary>An event to append. <paramref name="Details"/> is serialized to JSON and must never hold a secret.</summary>
public sealed record AuditEntry(
    AuditActor Actor, string Action, string Target, object? Details = null, string Outcome = AuditOutcome.Success)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new AuditText.Converter() } };
    // Names that are a secret on their own, and words that make any name ending in them one
    // ("apiToken", "client_secret", "newPassword"); "tokenName" or "keyId" stay allowed.
    private static readonly string[] ForbiddenKeys = ["code", "key", "codes", "keys"];
    private static readonly string[] ForbiddenSuffixes =
        ["password", "passwords", "passphrase", "secret", "secrets", "privatekey", "token", "tokens", "recoverycode", "recoverycodes"];

    public string DetailsJson()
    {
        if (Details is null) return "{}";
        var json = JsonSerializer.Serialize(Details, Json);
        var type = Details.GetType();
        if (GuardedShapes.ContainsKey(type)) return json;
        using var doc = JsonDocument.Parse(json);
        Guard(doc.RootElement);
        // A flat type (scalar properties only) always has the same names, so once checked it is checked for good;
        // anything with nested objects, dictionaries or JSON is checked every time.
        if (IsFlat(type)) GuardedShapes.TryAdd(type, true);
        return json;
    }

    private static readonly ConcurrentDictionary<Type, bool> GuardedShapes = new();

    private static bool IsFlat(Type type) =>
        !type.IsPrimitive && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type)
        && type.GetFields(BindingFlags.Public | BindingFlags.Instance).Length == 0
        && type.GetProperties(BindingFlags.Public | BindingFlags.Instance).All(p => IsScalar(p.PropertyType));

    private static bool IsScalar(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Guid)
            || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(DateOnly);
    }

    private static bool IsSecretName(string name)
    {
        var n = name.Replace("_", "").Replace("-", "").ToLowerInvariant();
        return ForbiddenKeys.Contains(n) || ForbiddenSuffixes.Any(n.EndsWith);
    }

    // A last line of defence: refuse to write anything whose name says it is a secret.
    private static void Guard(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                if (IsSecretName(p.Name))
                    throw new InvalidOperationException($"Audit details must not carry a secret ('{p.Name}').");
                Guard(p.Value);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray()) Guard(item);
        }
    }
}
