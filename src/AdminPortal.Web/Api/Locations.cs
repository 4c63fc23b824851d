namespace AdminPortal.Web.Api;

/// <summary>
/// The Location of a created resource. The name is the caller's, so it goes in as one percent-encoded path segment: the
/// header is valid whatever the name holds, and building it cannot fail after the change is committed.
/// </summary>
public static class Locations
{
    public static string Of(string collection, string name) => $"{collection}/{Uri.EscapeDataString(name)}";
}
