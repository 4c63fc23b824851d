using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Onboarding;

/// <summary>Drives onboarding runs through the API, and the person's side: an SSH key pair, an SSH login, the link in the email.</summary>
public static partial class Onboardings
{
    public static async Task<Guid> StartAsync(HttpClient admin, object body)
    {
        var r = await admin.PostAsJsonAsync("/api/v1/onboarding", body);
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Polls (bounded) until the run is no longer running.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient admin, Guid id, int timeoutSeconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var run = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/onboarding/{id}");
            if (run.GetProperty("status").GetString() is not ("running" or "pending")) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"onboarding {id} still running: {run}");
            await Task.Delay(100);
        }
    }

    public static JsonElement Step(JsonElement run, string kind) =>
        run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("kind").GetString() == kind);

    public static string Status(JsonElement e) => e.GetProperty("status").GetString()!;

    /// <summary>A new ed25519 key pair in <paramref name="dir"/>; returns the private key file and the public key line.</summary>
    public static async Task<(string KeyFile, string PublicKey)> KeyPairAsync(string dir)
    {
        Directory.CreateDirectory(dir);
        var key = Path.Combine(dir, "id_ed25519");
        await Proc.CheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "new-colleague", "-f", key]);
        return (key, (await File.ReadAllTextAsync(key + ".pub")).Trim());
    }

    /// <summary>OpenSSH's client logging in as <paramref name="user"/> with the key (throws when refused).</summary>
    public static async Task<string> SshAsync(int port, string user, string key, string command) =>
        await Proc.CheckedAsync("ssh", ["-i", key, "-p", port.ToString(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=5", $"{user}@127.0.0.1", command], timeout: TimeSpan.FromSeconds(20));

    [GeneratedRegex(@"/d/([A-Za-z0-9_-]{43})")]
    private static partial Regex LinkToken();

    /// <summary>The one-time link's path (<c>/d/TOKEN</c>) in an email's text.</summary>
    public static string LinkPath(string text) => "/d/" + LinkToken().Match(text).Groups[1].Value;

    public static Task RemoveUnixUserAsync(string user) => Proc.RunAsync("userdel", ["-r", user]);
}
