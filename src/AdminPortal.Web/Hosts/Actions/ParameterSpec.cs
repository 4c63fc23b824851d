using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Ssh;

namespace AdminPortal.Web.Hosts.Actions;

public enum ParameterType
{
    /// <summary>A string matching <see cref="ParameterSpec.Pattern"/>.</summary>
    Text,
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The name is the API's parameter type: GET /api/v1/actions answers \"Integer\".")]
    Integer,
    Choice,
    UnixUser,
    PublicKey,
    /// <summary>An absolute path of plain segments (letters, digits, <c>._-</c>), never <c>..</c>.</summary>
    Path,
    /// <summary>Free text that never reaches a command line (file content, sent on stdin).</summary>
    Content,
}

/// <summary>A typed action parameter: its value is validated here and, in commands, still quoted.</summary>
public sealed partial record ParameterSpec(string Name, ParameterType Type, string Label, bool Required = true,
    string? Pattern = null, long Min = 0, long Max = 0, IReadOnlyList<string>? Choices = null, int MaxLength = 256)
{
    public Result<string> Validate(JsonElement? raw)
    {
        if (raw is null || raw.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return Required ? Invalid("is required.") : "";
        var value = raw.Value.ValueKind switch
        {
            JsonValueKind.String => raw.Value.GetString()!,
            JsonValueKind.Number when Type == ParameterType.Integer => raw.Value.GetRawText(),
            _ => null,
        };
        return value is null ? Invalid(Type == ParameterType.Integer ? "must be a whole number." : "must be a string.") : Validate(value);
    }

    public Result<string> Validate(string value)
    {
        if (value.Length == 0) return Required ? Invalid("is required.") : "";
        if (value.Length > MaxLength) return Invalid($"must be at most {MaxLength} characters.");
        return Type switch
        {
            ParameterType.Text => Regex.IsMatch(value, $@"\A(?:{Pattern})\z", InputText.Linear, TimeSpan.FromSeconds(1)) ? value : Invalid($"must match {Pattern}."),
            ParameterType.Integer => long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, null, out var n) && n >= Min && n <= Max
                ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : Invalid($"must be a whole number from {Min} to {Max}."),
            ParameterType.Choice => Choices!.Contains(value) ? value : Invalid($"must be one of: {string.Join(", ", Choices!)}."),
            ParameterType.UnixUser => UnixUserName().IsMatch(value) ? value
                : Invalid("must be a unix user name: a lower-case letter or _, then up to 31 lower-case letters, digits, _ or -."),
            ParameterType.PublicKey => PublicKeys.Normalize(value) is { } key ? key
                : Invalid("must be one SSH public key line (ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521, base64, optional simple comment)."),
            ParameterType.Path => SafePath().IsMatch(value) && !value.Split('/').Any(s => s is "." or "..")
                ? value : Invalid("must be an absolute path of letters, digits, '.', '_' and '-' segments, without '..' and no segment starting with '-'."),
            ParameterType.Content => value,
            _ => Invalid("has an unknown type."),
        };
    }

    private InvalidInput Invalid(string message) => new($"parameters.{Name}", $"{Label} {message}");

    [GeneratedRegex(@"\A[a-z_][a-z0-9_-]{0,31}\z", InputText.Linear)]
    private static partial Regex UnixUserName();

    [GeneratedRegex(@"\A(?:/[A-Za-z0-9._][A-Za-z0-9._-]*)+\z", InputText.Linear)]
    private static partial Regex SafePath();
}

/// <summary>SSH public keys as authorized_keys lines, checked by decoding the key blob.</summary>
public static partial class PublicKeys
{
    private static readonly string[] Types = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

    /// <summary>The key as <c>type base64 [comment]</c>, or null when it is not exactly one well-formed key.</summary>
    public static string? Normalize(string line)
    {
        var m = KeyLine().Match(line.Trim());
        if (!m.Success || !Types.Contains(m.Groups["type"].Value)) return null;
        try
        {
            var blob = Convert.FromBase64String(m.Groups["blob"].Value);
            if (blob.Length < 8 || SshKeys.KeyTypeOf(blob) != m.Groups["type"].Value) return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException) { return null; }
        var comment = m.Groups["comment"].Success ? " " + m.Groups["comment"].Value : "";
        return m.Groups["type"].Value + " " + m.Groups["blob"].Value + comment;
    }

    [GeneratedRegex(@"\A(?<type>[a-z0-9-]+) (?<blob>[A-Za-z0-9+/]+={0,2})(?: (?<comment>[A-Za-z0-9@._-]{1,64}))?\z", InputText.Linear)]
    private static partial Regex KeyLine();
}
