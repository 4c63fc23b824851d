using System.Text.RegularExpressions;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Hosts;

/// <summary>Checks of host and credential fields; each returns the error to show, or null.</summary>
public static partial class HostInput
{
    public static InvalidInput? Name(string field, string? value) =>
        value is not null && NameRx().IsMatch(value) ? null
            : new InvalidInput(field, $"{field} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.");

    public static InvalidInput? Address(string? value) =>
        value is not null && value.Length <= 255 && AddressRx().IsMatch(value) ? null
            : new InvalidInput("address", "address must be a host name or an IP address.");

    public static InvalidInput? Port(int? value) =>
        value is null or (>= 1 and <= 65535) ? null : new InvalidInput("port", "port must be between 1 and 65535.");

    public static InvalidInput? User(string? value) =>
        value is not null && UserRx().IsMatch(value) ? null
            : new InvalidInput("user", "user must be a unix user name (lower-case letters, digits, '_' or '-', at most 32).");

    public static InvalidInput? Fingerprint(string field, string? value) =>
        value is null || FingerprintRx().IsMatch(value) ? null
            : new InvalidInput(field, $"{field} must be a SHA256 fingerprint as ssh-keygen -l prints it (SHA256: and 43 base64 characters).");

    public static InvalidInput? Names(string field, IReadOnlyList<string>? values, string pattern = "group") =>
        values is null || values.All(v => NameRx().IsMatch(v)) && values.Count <= 64 ? null
            : new InvalidInput(field, $"each {pattern} must be 1-64 letters, digits, '.', '_' or '-'.");

    public static InvalidInput? Units(IReadOnlyList<string>? values) =>
        values is null || values.All(v => UnitRx().IsMatch(v)) && values.Count <= 64 ? null
            : new InvalidInput("allowedServices", "each service must be a systemd unit name (letters, digits, '@', '_', ':', '.', '-').");

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z", InputText.Linear)]
    private static partial Regex NameRx();

    [GeneratedRegex(@"\A(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[?[0-9A-Fa-f:.]+\]?)\z", InputText.Linear)]
    private static partial Regex AddressRx();

    [GeneratedRegex(@"\A[a-z_][a-z0-9_-]{0,31}\z", InputText.Linear)]
    private static partial Regex UserRx();

    [GeneratedRegex(@"\ASHA256:[A-Za-z0-9+/]{43}\z", InputText.Linear)]
    private static partial Regex FingerprintRx();

    [GeneratedRegex(@"\A[A-Za-z0-9@_:.-]{1,128}\z", InputText.Linear)]
    private static partial Regex UnitRx();
}
