using System.Text.Json;
using System.Text.Json.Serialization;

namespace AdminPortal.Tests.Hostile;

/// <summary>
/// One case of corpus.json (written by make-corpus.py): what is sent to which surface, and the outcome class expected:
/// an HTTP status (a refusal that says why and changes nothing), or "stored" (accepted verbatim, then shown escaped on
/// the pages of <see cref="ShownOn"/>).
/// </summary>
public sealed record HostileCase(
    string Id, string Category, string Surface, string Request, string Expect,
    string? Body = null, string? Payload = null, string? Field = null, string[]? ShownOn = null,
    bool Echo = false, bool WaitOnboarding = false, string? Auth = null, string? AuthHeader = null, string? ExpectText = null,
    bool EscapedInResponse = false, bool ShownInEmail = false, bool ShownVerbatim = true, Dictionary<string, string>? Form = null, string? BodyHex = null, int Repeat = 0, int BodyZeros = 0)
{
    public const string Stored = "stored";
    public const string Bunit = "BUNIT";

    public string Method => Request.Split(' ')[0];
    public string Target => Request.Split(' ', 2)[1];

    public override string ToString() => $"{Id} {Surface}";
}

public static class HostileCorpus
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string File => Path.Combine(Infrastructure.Repo.Root, "tests", "AdminPortal.Tests", "Hostile", "corpus.json");

    public static readonly IReadOnlyList<HostileCase> All =
        JsonSerializer.Deserialize<List<HostileCase>>(System.IO.File.ReadAllText(File), Options)!;

    public static readonly IReadOnlyDictionary<string, HostileCase> ById = All.ToDictionary(c => c.Id);

    /// <summary>The cases of a category sent over HTTP (the API, server-rendered forms and pages).</summary>
    public static IEnumerable<object[]> Ids(string category) =>
        All.Where(c => c.Category == category && c.Method != HostileCase.Bunit).Select(c => new object[] { c.Id });

    /// <summary>The cases typed into interactive forms (rendered by bunit with the portal's real services).</summary>
    public static IEnumerable<object[]> FormIds() => All.Where(c => c.Method == HostileCase.Bunit).Select(c => new object[] { c.Id });
}
